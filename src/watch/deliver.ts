/**
 * Delivers the outbox: prints alerts not yet printed as JSON lines and POSTs alerts not yet delivered to the
 * webhook, oldest first, with exponential backoff; a row is marked done right after its print or 2xx, so a
 * restart resends nothing that was acknowledged and everything that was not.
 */
import { backoffDelay } from '../radar/retry';
import type { WatchStore } from './store';

/** Webhook settings (models.yml watch.webhook, url from --webhook). */
export interface WebhookPolicy {
  url: string;
  /** Retries per pass after the first attempt. */
  retries: number;
  backoffMs: number;
  maxBackoffMs: number;
  timeoutMs: number;
}

/** What one webhook POST did. */
export interface PostOutcome {
  ok: boolean;
  status?: number;
  error?: string;
}

/**
 * POSTs one alert (its JSON payload) with `Idempotency-Key: <alert id>`, so a receiver can drop the rare
 * duplicate (a crash between its 2xx and our bookkeeping). Any 2xx is success; never throws.
 */
export async function postAlert(url: string, payload: string, id: string, timeoutMs: number): Promise<PostOutcome> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': id, 'user-agent': 'radarwatch-watch/0.1' },
      body: payload,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok ? { ok: true, status: res.status } : { ok: false, status: res.status, error: `HTTP ${res.status}` };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    const timedOut = err.name === 'TimeoutError' || err.name === 'AbortError';
    return { ok: false, error: timedOut ? `no answer within ${timeoutMs} ms` : `network error: ${err.cause?.code ?? err.message}` };
  }
}

/** Prints every unprinted alert with `out`, oldest first, marking each as soon as it is written. */
export function printOutbox(store: WatchStore, out: (line: string) => void, nowMs: number = Date.now()): number {
  let n = 0;
  for (const row of store.unprinted()) {
    out(row.payload);
    store.markPrinted(row.seq, nowMs);
    n++;
  }
  return n;
}

export interface WebhookPass {
  delivered: number;
  /** Alerts still waiting (the webhook failed every retry on the oldest of them). */
  pending: number;
  /** Failed POSTs in this pass. */
  failures: number;
  lastError?: string;
}

/**
 * One delivery pass: POSTs waiting alerts in order; each gets up to `retries` retries with backoff
 * (`backoffMs`·2^n, full jitter, capped at `maxBackoffMs`). When one still fails, the pass stops so alerts
 * arrive in order; they stay queued for the next pass. `sleep` is injectable for tests.
 */
export async function deliverWebhook(
  store: WatchStore,
  policy: WebhookPolicy,
  opts: { sleep?: (ms: number) => Promise<void>; now?: () => number; random?: () => number; post?: typeof postAlert; onDelivered?: (seq: number) => void } = {},
): Promise<WebhookPass> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = opts.now ?? Date.now;
  const post = opts.post ?? postAlert;
  const rows = store.undelivered();
  const pass: WebhookPass = { delivered: 0, pending: rows.length, failures: 0 };
  for (const row of rows) {
    let ok = false;
    for (let attempt = 0; attempt <= policy.retries && !ok; attempt++) {
      // the ceiling doubles per retry; full jitter, but never below half of it, so retries really back off
      if (attempt > 0) {
        const ceiling = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** (attempt - 1));
        await sleep(ceiling / 2 + backoffDelay(attempt - 1, { baseMs: policy.backoffMs / 2, capMs: policy.maxBackoffMs / 2 }, opts.random));
      }
      const r = await post(policy.url, row.payload, row.id, policy.timeoutMs);
      store.recordAttempt(row.seq, r.ok, now(), r.error);
      ok = r.ok;
      if (!ok) {
        pass.failures++;
        pass.lastError = `${row.id}: ${r.error}`;
      }
    }
    if (!ok) return pass;
    pass.delivered++;
    pass.pending--;
    opts.onDelivered?.(row.seq);
  }
  return pass;
}
