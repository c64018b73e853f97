/** Merges anomalous hours into events with start, end, peak, severity, likely cause and top signals. */
import type { DetectConfig } from '../config/schema';
import { HOUR_MS } from '../data/types';
import { aggregateSignals, attributeCause, topSignals } from './cause';
import type { AnomalyEvent, ScoredHour } from './types';

/**
 * Severity from the peak anomaly probability p: p / (1 − p) is how many times rarer than the false-alarm budget the
 * peak was (1 at the threshold 0.5): under 10× low, under 100× medium, under 1000× high, else critical.
 */
export function severityOf(peak: number, threshold = 0.5): AnomalyEvent['severity'] {
  const odds = peak >= 1 ? Infinity : peak / (1 - peak) / (threshold / (1 - threshold));
  if (odds < 10) return 'low';
  if (odds < 100) return 'medium';
  if (odds < 1000) return 'high';
  return 'critical';
}

/**
 * Groups anomalous hours (sorted by time) into events: anomalous hours at most `eventGapHours` apart merge
 * (the normal hours between them stay normal but belong to the event span); events shorter than
 * `minEventHours` anomalous hours are dropped.
 */
export function groupEvents(hours: ScoredHour[], cfg: Pick<DetectConfig, 'eventGapHours' | 'minEventHours' | 'topSignals'>): AnomalyEvent[] {
  const events: AnomalyEvent[] = [];
  let cur: ScoredHour[] = [];
  const flush = () => {
    if (cur.length >= cfg.minEventHours) events.push(buildEvent(cur, cfg.topSignals));
    cur = [];
  };
  for (const h of hours) {
    if (!h.anomaly) continue;
    const last = cur[cur.length - 1];
    if (last && h.timestamp - last.timestamp > (cfg.eventGapHours + 1) * HOUR_MS) flush();
    cur.push(h);
  }
  flush();
  return events;
}

function buildEvent(hours: ScoredHour[], nTop: number): AnomalyEvent {
  let peak = hours[0];
  for (const h of hours) if (h.score > peak.score) peak = h;
  const agg = aggregateSignals(hours);
  const start = hours[0].timestamp;
  const end = hours[hours.length - 1].timestamp + HOUR_MS;
  return {
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    hours: hours.length,
    peakScore: peak.score,
    peakAt: new Date(peak.timestamp).toISOString(),
    severity: severityOf(peak.score, peak.threshold),
    cause: attributeCause(agg),
    topSignals: topSignals(agg, nTop),
  };
}
