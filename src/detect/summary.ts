/** Condenses a country's detection over a window into what an overview shows: peak probability, anomalous rows, newest row, events. */
import type { DetectConfig } from '../config/schema';
import { groupEvents, moreAnomalous } from './events';
import { evidenceOut } from './hours';
import type { AnomalyEvent, DetectResult, ScoredHour } from './types';

/** One country's detection over [from, to), without the per-hour rows. Times are ISO-8601 UTC. */
export interface WindowSummary {
  country: string;
  /** The range as scored (aligned to the series' rows). */
  from: string;
  to: string;
  /** Rows in range, and those with a score (warm-up rows at the start of the data have none). */
  rows: number;
  scorableRows: number;
  /** Rows whose calibrated probability is above the threshold. */
  anomalousRows: number;
  /**
   * The range's most anomalous row (moreAnomalous: by evidence where the rows carry it, else by probability): its
   * calibrated probability, evidence (decades; null where the rows carry none) and start; null when no row is scorable.
   */
  peakProbability: number | null;
  peakEvidence: number | null;
  peakAt: string | null;
  /** The newest row of the range: its start, calibrated probability (null if not scorable) and flag. */
  last: { at: string; probability: number | null; anomaly: boolean } | null;
  /** Probability threshold (0.5: the false-alarm budget). */
  threshold: number;
  /** Events in range, grouped with the detector's settings (as DetectResult.events). */
  events: AnomalyEvent[];
}

/** detect.ts's PROBABILITY_THRESHOLD, for an empty range; not imported, so the server's overview loads without the scoring code. */
const DEFAULT_THRESHOLD = 0.5;

const iso = (ms: number) => new Date(ms).toISOString();
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * Summarises scored rows (ascending) of [fromMs, toMs): one pass for the peak and counts, and groupEvents with the
 * detector's `detect` settings at the series' step (`stepMs`, default hourly), so the events equal those of
 * `detect()` over the same range.
 */
export function summarizeScoredHours(
  country: string,
  fromMs: number,
  toMs: number,
  hours: ScoredHour[],
  detect: Pick<DetectConfig, 'eventGapHours' | 'minEventHours' | 'topSignals'> & Partial<Pick<DetectConfig, 'confirmProbability'>>,
  stepMs?: number,
): WindowSummary {
  let peak: ScoredHour | null = null;
  let scorable = 0;
  let anomalous = 0;
  for (const h of hours) {
    if (h.scorable === false) continue;
    scorable++;
    if (h.anomaly) anomalous++;
    if (!peak || moreAnomalous(h, peak)) peak = h;
  }
  const l = hours[hours.length - 1];
  return {
    country,
    from: iso(fromMs),
    to: iso(toMs),
    rows: hours.length,
    scorableRows: scorable,
    anomalousRows: anomalous,
    peakProbability: peak ? round6(peak.score) : null,
    peakEvidence: peak ? evidenceOut(peak.evidence) : null,
    peakAt: peak ? iso(peak.timestamp) : null,
    last: l ? { at: iso(l.timestamp), probability: l.scorable === false ? null : round6(l.score), anomaly: l.anomaly } : null,
    threshold: l?.threshold ?? DEFAULT_THRESHOLD,
    events: groupEvents(hours, detect, stepMs),
  };
}

/** The same summary from a DetectResult (for services that only answer `detect()`). */
export function summarizeDetectResult(r: DetectResult): WindowSummary {
  let peak: (typeof r.hours)[number] | null = null;
  let scorable = 0;
  let anomalous = 0;
  const asScored = (h: (typeof r.hours)[number]) => ({ score: h.probability as number, evidence: h.evidence ?? undefined });
  for (const h of r.hours) {
    if (!h.scorable || h.probability === null) continue;
    scorable++;
    if (h.anomaly) anomalous++;
    if (!peak || moreAnomalous(asScored(h), asScored(peak))) peak = h;
  }
  const l = r.hours[r.hours.length - 1];
  return {
    country: r.country,
    from: r.from,
    to: r.to,
    rows: r.hours.length,
    scorableRows: scorable,
    anomalousRows: anomalous,
    peakProbability: peak ? peak.probability : null,
    peakEvidence: peak ? (peak.evidence ?? null) : null,
    peakAt: peak ? peak.timestamp : null,
    last: l ? { at: l.timestamp, probability: l.scorable ? l.probability : null, anomaly: l.anomaly } : null,
    threshold: l?.threshold ?? r.model.threshold,
    events: r.events,
  };
}
