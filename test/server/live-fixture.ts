/** Test fixture: plays one watcher cycle on a watch database (score hours, advance the event lifecycle, commit with its alerts), as `radarwatch watch` does. */
import { HOUR_MS } from '../../src/base/time';
import { budgetShare, evidenceOf } from '../../src/detect/probability';
import { advanceLifecycle, type WatchHour } from '../../src/watch/lifecycle';
import { WatchStore } from '../../src/watch/store';

/** The false-alarm budget behind the fixture's evidence: 0.5 alarms a week of hourly rows. */
const BUDGET = budgetShare(0.5, HOUR_MS);

/** Calibrated probabilities per hour from a pattern: `A` anomalous (0.999, traffic down), `.` normal (0.1); evidence to match. */
export function probabilityHours(pattern: string, start: number): WatchHour[] {
  return [...pattern].map((c, i) => {
    const score = c === 'A' ? 0.999 : 0.1;
    return {
      timestamp: start + i * HOUR_MS,
      score,
      evidence: evidenceOf(score, BUDGET),
      threshold: 0.5,
      anomaly: c === 'A',
      signals: c === 'A' ? { http: 0.6, netflows: 0.4 } : { http: 0.5, netflows: 0.5 },
      direction: c === 'A' ? { http: -4, netflows: -3 } : { http: 0, netflows: 0 },
    };
  });
}

/**
 * Commits the hours of `pattern` from `start` for `country` the way a watcher cycle does (seeding the country the first
 * time), at watcher time `at` (default: the hour after the last one). Returns the alert types committed.
 */
export function commitCycle(file: string, country: string, pattern: string, start: number, at = start + pattern.length * HOUR_MS): string[] {
  return commitHours(file, country, probabilityHours(pattern, start), at);
}

/** commitCycle for given scored hours (ascending, at least one); `at` defaults to the hour after the last one. */
export function commitHours(file: string, country: string, hours: WatchHour[], at = hours[hours.length - 1].timestamp + HOUR_MS): string[] {
  const store = WatchStore.open(file);
  try {
    const start = hours[0].timestamp;
    if (!store.progress(country)) store.seed(country, [{ hour: start - HOUR_MS, values: { http: 1, netflows: 1 }, gap: 0, unreliable: 0 }], start - HOUR_MS, at);
    const step = advanceLifecycle(country, store.currentEvent(country), hours, { quietHours: 3, minEventHours: 1, topSignals: 2 }, at);
    const last = hours[hours.length - 1].timestamp;
    store.commit({
      country,
      scores: hours.map((h) => ({ hour: h.timestamp, score: h.score, evidence: h.evidence, threshold: h.threshold, anomaly: h.anomaly, neutral: h.neutral ?? false })),
      lastStoredHour: last,
      lastScoredHour: last,
      events: step.touched,
      dropped: step.dropped,
      alerts: step.alerts,
      at,
    });
    return step.alerts.map((a) => a.type);
  } finally {
    store.close();
  }
}
