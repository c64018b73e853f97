/** The peak of a window of scored hours, chosen as every peak is (detect/events moreAnomalous), for the overview. */
import { moreAnomalous } from '../detect/events';
import { evidenceOut } from '../detect/hours';

/** One hour's calibrated probability and evidence (decades; null where not kept). `hour` is epoch ms of its start. */
export interface HourPeak {
  probability: number;
  evidence: number | null;
  hour: number;
}

const asScored = (h: HourPeak) => ({ score: h.probability, evidence: h.evidence ?? undefined });

/**
 * The most anomalous of `hours` (ascending by hour): by evidence where the hours compared both carry it (it keeps
 * ordering hours whose probability rounds to 1), else by probability; the earlier hour on a tie. Its evidence is
 * rounded as the JSON carries it (3 decimals). Null for no hours.
 */
export function peakHour(hours: HourPeak[]): HourPeak | null {
  let peak: HourPeak | null = null;
  for (const h of hours) if (!peak || moreAnomalous(asScored(h), asScored(peak))) peak = h;
  return peak && { ...peak, evidence: evidenceOut(peak.evidence ?? undefined) };
}
