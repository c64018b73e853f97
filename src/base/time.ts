/** The time axis every layer shares: step constants, steps in words and counts, and the ISO-8601 UTC forms Radar and the stored files use. */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
export const WEEK_MS = 7 * DAY_MS;

/** A step in words: 5m, 1h, 1d, 90s. */
export function describeStep(stepMs: number): string {
  if (stepMs % DAY_MS === 0) return `${stepMs / DAY_MS}d`;
  if (stepMs % HOUR_MS === 0) return `${stepMs / HOUR_MS}h`;
  if (stepMs % MINUTE_MS === 0) return `${stepMs / MINUTE_MS}m`;
  return `${stepMs / 1000}s`;
}

/** Steps of `stepMs` in a duration of `ms`, rounded, at least `min` (windows and gaps are defined in time, counted in steps). */
export function stepsIn(ms: number, stepMs: number, min = 1): number {
  return Math.max(min, Math.round(ms / stepMs));
}

/** ISO-8601 UTC without milliseconds when they are zero: `2024-01-31T13:00:00Z` (labels, processed tables). */
export function isoUtc(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** ISO-8601 UTC truncated to whole seconds: the form Radar documents for dateStart/dateEnd. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The step of a regular grid (its first spacing), hourly when it has fewer than two points. */
export function gridStep(grid: ArrayLike<number>): number {
  return grid.length > 1 ? grid[1] - grid[0] : HOUR_MS;
}
