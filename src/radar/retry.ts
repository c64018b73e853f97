/** Retry policy for Radar requests: which failures are transient, exponential backoff with full jitter, and the server's retry-after hints. */

/** How often and how long to retry. */
export interface RetryPolicy {
  /** Retries after the first attempt (attempts = retries + 1). */
  retries: number;
  /** First backoff ceiling in ms; doubles per retry. */
  baseMs: number;
  /** Largest backoff ceiling in ms. */
  capMs: number;
  /** Longest server-requested wait honoured, ms (Cloudflare blocks for 5 minutes after a 429). */
  maxRetryAfterMs: number;
}

/** Defaults matching models.yml: 6 retries from 500 ms, capped at 30 s. */
export const DEFAULT_RETRY: RetryPolicy = { retries: 6, baseMs: 500, capMs: 30_000, maxRetryAfterMs: 6 * 60_000 };

/**
 * True for statuses worth retrying: 408 (timeout), 429 (rate limited) and every 5xx. 400 and 422
 * ("Query is above max cost") are deterministic: the same request fails the same way.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Backoff before retry number `attempt` (0-based), "full jitter": uniform in
 * [0, min(cap, base·2^attempt)]. Full jitter spreads concurrent workers that failed together, so
 * they do not hit the API again in lockstep. `random` returns [0, 1).
 */
export function backoffDelay(attempt: number, policy: Pick<RetryPolicy, 'baseMs' | 'capMs'>, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/**
 * The wait the server asked for, in ms, or undefined: `retry-after-ms` (ms, non-standard, used by
 * Cloudflare's SDK), else `retry-after` as seconds or as an HTTP date. Past dates give 0.
 */
export function parseRetryAfter(headers: { get(name: string): string | null }, nowMs: number = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '') {
    const v = Number(ms);
    if (Number.isFinite(v) && v >= 0) return v;
  }
  const ra = headers.get('retry-after');
  if (ra === null || ra.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(ra)) return Number(ra) * 1000;
  const date = Date.parse(ra);
  if (Number.isFinite(date)) return Math.max(0, date - nowMs);
  return undefined;
}

/**
 * The wait before retry `attempt`: the server's hint when it gave one (bounded by
 * `maxRetryAfterMs`, so a bogus header cannot park a fetch for hours), else jittered backoff.
 */
export function retryDelay(attempt: number, policy: RetryPolicy, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  return backoffDelay(attempt, policy, random);
}
