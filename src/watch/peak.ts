/** The peak of a window of scored hours, chosen as every peak is (detect/events moreAnomalous), for the overview. */
import { moreAnomalous } from '../detect/events';
import { evidenceOut } from '../detect/hours';

/** One hour's calibrated probability and evidence (decades; null where not kept). `hour` is epoch ms of its start. */
export interface HourPeak {
  probability: number;
  evidence: number | null;
  hour: number;
}

/** Whether peak `a` is more anomalous than `b` (moreAnomalous on probability and evidence; null evidence = unknown). */
export function peakAbove(a: Pick<HourPeak, 'probability' | 'evidence'>, b: Pick<HourPeak, 'probability' | 'evidence'>): boolean {
  return moreAnomalous({ score: a.probability, evidence: a.evidence ?? undefined }, { score: b.probability, evidence: b.evidence ?? undefined });
}

/**
 * The most anomalous of `hours` (ascending by hour): by evidence where the hours compared both carry it (it keeps
 * ordering hours whose probability rounds to 1), else by probability; the earlier hour on a tie. Its evidence is
 * rounded as the JSON carries it (3 decimals). Null for no hours.
 */
export function peakHour(hours: HourPeak[]): HourPeak | null {
  let peak: HourPeak | null = null;
  for (const h of hours) if (!peak || peakAbove(h, peak)) peak = h;
  return peak && { ...peak, evidence: evidenceOut(peak.evidence ?? undefined) };
}
