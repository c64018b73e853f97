import { strict as assert } from 'assert';
import { createRateLimiter, SlidingWindowLimiter, UnlimitedLimiter, type Clock } from '../../src/radar/rate-limit';

/**
 * Virtual time: sleepers wait on a shared timeline; once every caller is blocked (setImmediate), the
 * clock jumps to the earliest wake-up. Hours of limiting run instantly and in real-timer order.
 */
function fakeClock(start = 0): Clock & { t: number; sleeps: number[] } {
  const pending: { at: number; wake: () => void }[] = [];
  let scheduled = false;
  const advance = () => {
    scheduled = false;
    if (pending.length === 0) return;
    pending.sort((a, b) => a.at - b.at);
    c.t = Math.max(c.t, pending[0].at);
    while (pending.length > 0 && pending[0].at <= c.t) pending.shift()!.wake();
    if (pending.length > 0) schedule();
  };
  const schedule = () => {
    if (!scheduled) {
      scheduled = true;
      setImmediate(advance);
    }
  };
  const c = {
    t: start,
    sleeps: [] as number[],
    now: () => c.t,
    sleep: (ms: number) =>
      new Promise<void>((wake) => {
        c.sleeps.push(ms);
        pending.push({ at: c.t + ms, wake });
        schedule();
      }),
  };
  return c;
}

describe('radar/rate-limit', () => {
  it('never grants more than max requests in any sliding window, with many concurrent callers', async () => {
    const clock = fakeClock();
    const limiter = new SlidingWindowLimiter(10, 1000, clock);
    const grants: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 5; i++) {
          await limiter.acquire();
          grants.push(clock.now());
        }
      }),
    );
    assert.equal(grants.length, 40);
    assert.equal(limiter.granted, 40);
    grants.sort((a, b) => a - b);
    for (let i = 0; i < grants.length; i++) {
      const inWindow = grants.filter((g) => g > grants[i] - 1000 && g <= grants[i]).length;
      assert.ok(inWindow <= 10, `at t=${grants[i]} ${inWindow} grants fell within 1000 ms`);
    }
    // 40 requests at 10 per second need at least three full windows of waiting, and no more
    assert.equal(grants[grants.length - 1], 3000);
  });

  it('lets the first max requests through at once and waits exactly until the oldest leaves the window', async () => {
    const clock = fakeClock(5000);
    const limiter = new SlidingWindowLimiter(3, 300_000, clock);
    for (let i = 0; i < 3; i++) await limiter.acquire();
    assert.deepEqual(clock.sleeps, []);
    clock.t += 100_000;
    await limiter.acquire();
    assert.deepEqual(clock.sleeps, [200_000]);
    assert.equal(clock.now(), 305_000);
  });

  it('0 means no limit (the mock server), a positive budget means a sliding window', async () => {
    assert.ok(createRateLimiter(0) instanceof UnlimitedLimiter);
    assert.ok(createRateLimiter(1100) instanceof SlidingWindowLimiter);
    const u = createRateLimiter(0, fakeClock());
    for (let i = 0; i < 5000; i++) await u.acquire();
    assert.equal(u.granted, 5000);
    assert.throws(() => new SlidingWindowLimiter(0), /positive integer/);
  });
});
