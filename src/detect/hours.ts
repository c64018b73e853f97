/** Scored hours in their documented JSON form (`detect --json`, `/api/detect`). Light: no model code. */
import type { DetectHour, ScoredHour } from './types';

/** Scored hours → the JSON form (ISO timestamps, shares rounded to 4 decimals). */
export function toDetectHours(hours: ScoredHour[]): DetectHour[] {
  return hours.map((h) => {
    const signals: Record<string, number> = {};
    for (const [k, v] of Object.entries(h.signals)) signals[k] = Math.round(v * 1e4) / 1e4;
    const scorable = h.scorable !== false;
    const score = scorable ? Math.round(h.score * 1e6) / 1e6 : null;
    const evidence = scorable ? evidenceOut(h.evidence) : null;
    return { timestamp: new Date(h.timestamp).toISOString(), scorable, probability: score, score, evidence, threshold: h.threshold, anomaly: h.anomaly, signals };
  });
}

/** Evidence as the JSON carries it: 3 decimals (no −0: JSON has none), null where absent or not finite. */
export function evidenceOut(e: number | undefined): number | null {
  return e !== undefined && Number.isFinite(e) ? Math.round(e * 1e3) / 1e3 + 0 : null;
}
