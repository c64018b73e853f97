/** Client-side sliding-window rate limit, so a long fetch stays under Cloudflare's 1200 requests / 5 min instead of being blocked for five minutes. */

/** Time source; injectable so tests can run hours of virtual time instantly. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Wall-clock time and real timers. */
export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/** Gate every request (including retries) passes before it is sent. */
export interface RateLimiter {
  /** Resolves when one more request may start; records it. */
  acquire(): Promise<void>;
  /** Requests recorded so far. */
  readonly granted: number;
}

/**
 * A sliding-window limiter: at most `max` acquisitions in any `windowMs` interval. A true sliding
 * window (not fixed buckets) because Cloudflare counts "the last 5 minutes", and a bucket boundary
 * would let 2 × max requests through in a short span.
 */
export class SlidingWindowLimiter implements RateLimiter {
  private readonly stamps: number[] = [];
  private count = 0;

  constructor(
    private readonly max: number,
    private readonly windowMs: number = 5 * 60_000,
    private readonly clock: Clock = realClock,
  ) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`SlidingWindowLimiter: max must be a positive integer, got ${max}`);
  }

  get granted(): number {
    return this.count;
  }

  async acquire(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      while (this.stamps.length > 0 && this.stamps[0] <= now - this.windowMs) this.stamps.shift();
      // check-and-record is synchronous, so concurrent callers cannot both take the last slot
      if (this.stamps.length < this.max) {
        this.stamps.push(now);
        this.count++;
        return;
      }
      await this.clock.sleep(this.stamps[0] + this.windowMs - now);
    }
  }
}

/** A limiter that never waits (the local mock server has no limit). */
export class UnlimitedLimiter implements RateLimiter {
  private count = 0;
  get granted(): number {
    return this.count;
  }
  async acquire(): Promise<void> {
    this.count++;
  }
}

/** The limiter for a budget of `maxPer5Min` requests per 5 minutes; 0 means no limit. */
export function createRateLimiter(maxPer5Min: number, clock: Clock = realClock): RateLimiter {
  return maxPer5Min > 0 ? new SlidingWindowLimiter(maxPer5Min, 5 * 60_000, clock) : new UnlimitedLimiter();
}
