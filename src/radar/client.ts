/** HTTP transport to the Radar API: auth, URLs, timeouts, rate limiting, retries and response validation; one code path for the real API and the local mock. */
import { isoSeconds } from '../base/time';
import { ConfigError, RadarApiError } from '../errors';
import type { EndpointSpec } from './endpoints';
import { realClock, UnlimitedLimiter, type Clock, type RateLimiter } from './rate-limit';
import { DEFAULT_RETRY, isRetryableStatus, parseRetryAfter, retryDelay, type RetryPolicy } from './retry';
import { apiCodesOf, apiMessageOf, describeCall, labelItems, validateEnvelope, type CallContext, type RadarEnvelope } from './shape';
import { windowLabel, type DateWindow } from './windows';

/** The public Radar API root. */
export const DEFAULT_RADAR_BASE = 'https://api.cloudflare.com/client/v4/radar';

/** Where to create a token, shown whenever one is missing or refused. */
export const TOKEN_HELP =
  'Create a Custom Token at https://dash.cloudflare.com/profile/api-tokens with the permission Account > Radar > Read, then export CLOUDFLARE_API_TOKEN=<token>';

/**
 * Base URL and token: explicit options win, then `RADAR_API_BASE` / `CLOUDFLARE_API_TOKEN`, then the
 * public base URL. A trailing slash is dropped.
 */
export function resolveRadarAccess(opts: { baseUrl?: string; token?: string } = {}, env: NodeJS.ProcessEnv = process.env): { baseUrl: string; token?: string } {
  const baseUrl = (opts.baseUrl ?? env.RADAR_API_BASE ?? DEFAULT_RADAR_BASE).replace(/\/+$/, '');
  const token = opts.token ?? (env.CLOUDFLARE_API_TOKEN?.trim() || undefined);
  return { baseUrl, token };
}

/** Throws a ConfigError saying how to create a token when `token` is missing. */
export function requireToken(token: string | undefined): string {
  if (!token) throw new ConfigError(`--source radar needs a Cloudflare API token, and CLOUDFLARE_API_TOKEN is not set. ${TOKEN_HELP}. (Or use --source synthetic for the embedded generator.)`);
  return token;
}

export interface RadarClientOptions {
  /** API root ending in `/radar` (e.g. DEFAULT_RADAR_BASE or a mock server's url). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer`; the local mock may not need one. */
  token?: string;
  /** Per-attempt timeout covering headers and body, ms. */
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** Shared by every request of a fetch; default: none. */
  limiter?: RateLimiter;
  /** Used for backoff sleeps and retry-after dates (injectable for tests). */
  clock?: Clock;
  /** [0, 1) source for jitter. */
  random?: () => number;
  /** Called before each retry sleep, e.g. to log it. */
  onRetry?: (info: { ctx: CallContext; attempt: number; delayMs: number; reason: string }) => void;
  /**
   * Content check of every 2xx answer after its shape is validated (e.g. radar/content checkAnswerContent):
   * returns what is wrong, or undefined. A rejected answer is retried like a 5xx and, when every attempt is
   * rejected, reported as a RadarApiError, so the caller never stores it.
   */
  check?: (env: RadarEnvelope, spec: EndpointSpec, window?: DateWindow) => string | undefined;
}

/** What one failed attempt looked like. */
interface AttemptFailure {
  reason: string;
  httpStatus?: number;
  apiMessage?: string;
  codes: number[];
  retryable: boolean;
  retryAfterMs?: number;
}

/** Query parameters of one call: a string, or one value per series for Radar's repeatable keys. */
export type RadarQuery = Record<string, string | readonly string[]>;

/** A Radar API client. One instance per fetch: it counts requests and shares one rate limiter. */
export class RadarClient {
  /** HTTP attempts made (retries included). */
  requests = 0;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly limiter: RateLimiter;
  private readonly clock: Clock;
  private readonly random: () => number;

  constructor(private readonly opts: RadarClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.retry = opts.retry ?? DEFAULT_RETRY;
    this.limiter = opts.limiter ?? new UnlimitedLimiter();
    this.clock = opts.clock ?? realClock;
    this.random = opts.random ?? Math.random;
  }

  /**
   * The full URL of a call (params in insertion order, so URLs are stable and greppable in logs). An array value
   * becomes one repeated key per element: Radar's series-by-position (radar-api.md §2).
   */
  url(spec: EndpointSpec, query: RadarQuery): string {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...spec.params, ...query })) for (const x of typeof v === 'string' ? [v] : v) p.append(k, x);
    return `${this.baseUrl}${spec.path}?${p.toString()}`;
  }

  /**
   * One validated GET with retries: 408/429/5xx, network errors, timeouts and unparseable 2xx bodies
   * (truncated transfers) are retried with backoff (retry-after wins); anything else throws at once.
   * Throws RadarApiError naming endpoint, country, window, HTTP status and the API's message.
   */
  async get(spec: EndpointSpec, query: RadarQuery, ctx: CallContext, window?: DateWindow): Promise<RadarEnvelope> {
    const url = this.url(spec, query);
    let last: AttemptFailure | undefined;
    for (let attempt = 0; attempt <= this.retry.retries; attempt++) {
      if (attempt > 0 && last) {
        const delayMs = retryDelay(attempt - 1, this.retry, last.retryAfterMs, this.random);
        this.opts.onRetry?.({ ctx, attempt, delayMs, reason: last.reason });
        await this.clock.sleep(delayMs);
      }
      await this.limiter.acquire();
      this.requests++;
      const outcome = await this.attempt(url, spec, ctx, window);
      if ('envelope' in outcome) return outcome.envelope;
      last = outcome;
      if (!outcome.retryable) break;
    }
    throw this.failure(ctx, last as AttemptFailure);
  }

  /**
   * Everything one window of a series needs, as one envelope: a single request for time series; for
   * label feeds, pages of `pageSize` (limit/offset) until a page is short, merged into the first
   * page's envelope (`result.<labelKey>` holds all items), so stored files look like one response.
   */
  async fetchWindow(spec: EndpointSpec, country: string, w: DateWindow, pageSize = 100): Promise<RadarEnvelope> {
    const ctx: CallContext = { endpoint: spec.path, country, window: windowLabel(w) };
    const query = { dateStart: w.start, dateEnd: w.end, location: country };
    if (spec.kind !== 'labels') return this.get(spec, query, ctx, w);
    const key = spec.labelKey as string;
    const all: unknown[] = [];
    let first: RadarEnvelope | undefined;
    // A year of one country's events is a handful of pages; the cap stops a server that ignores offset.
    const maxPages = 1000;
    for (let page = 0; ; page++) {
      if (page >= maxPages) {
        throw new RadarApiError(`${describeCall(ctx)} failed: still getting full pages after ${maxPages} pages of ${pageSize}; expected a short last page. The server may ignore offset; use a shorter window or a larger data.labelPageSize`, { ...ctx, retryable: false });
      }
      const env = await this.get(spec, { ...query, limit: String(pageSize), offset: String(page * pageSize) }, ctx, w);
      const items = labelItems(env, spec);
      first ??= env;
      all.push(...items);
      // more than `limit` items means the server ignored paging and sent everything at once
      if (items.length !== pageSize) break;
    }
    const merged = first as RadarEnvelope;
    return { ...merged, result: { ...merged.result, [key]: all } };
  }

  /**
   * One request holding several named series of equal length over `windows` (repeated name, dateStart, dateEnd and
   * location keys), so Radar scales them all by one MIN0_MAX maximum; the answer's series are keyed by those names.
   */
  async fetchSeriesList(spec: EndpointSpec, country: string, windows: readonly { name: string; startMs: number; endMs: number }[]): Promise<RadarEnvelope> {
    const query = {
      name: windows.map((w) => w.name),
      dateStart: windows.map((w) => isoSeconds(w.startMs)),
      dateEnd: windows.map((w) => isoSeconds(w.endMs)),
      location: windows.map(() => country),
    };
    const label = windows.map((w) => `${w.name} ${isoSeconds(w.startMs)}..${isoSeconds(w.endMs)}`).join(' + ');
    return this.get(spec, query, { endpoint: spec.path, country, window: label });
  }

  private async attempt(url: string, spec: EndpointSpec, ctx: CallContext, window?: DateWindow): Promise<{ envelope: RadarEnvelope } | AttemptFailure> {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'radarwatch/0.1 (+https://github.com/radarwatch)' };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    let res: Response;
    let text: string;
    try {
      // one signal for headers and body: a server stalling mid-body is a timeout too
      const signal = AbortSignal.timeout(this.timeoutMs);
      res = await fetch(url, { headers, signal });
      text = await res.text();
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      const timedOut = err.name === 'TimeoutError' || err.name === 'AbortError';
      const reason = timedOut ? `no complete response within ${this.timeoutMs} ms (data.timeoutMs)` : `network error: ${err.cause?.code ?? ''} ${err.cause?.message ?? err.message}`.replace(/\s+/g, ' ');
      return { reason, codes: [], retryable: true };
    }
    let body: unknown;
    let parsed = true;
    try {
      body = JSON.parse(text);
    } catch {
      parsed = false;
    }
    const retryAfterMs = parseRetryAfter(res.headers, this.clock.now());
    if (!res.ok) {
      const apiMessage = parsed ? apiMessageOf(body) : undefined;
      const shown = apiMessage ?? (text.trim() ? `body: ${text.trim().slice(0, 200)}` : 'empty body');
      // Cloudflare's SDK obeys x-should-retry when present; so do we
      const should = res.headers.get('x-should-retry');
      const retryable = should === 'true' ? true : should === 'false' ? false : isRetryableStatus(res.status);
      return { reason: `HTTP ${res.status}: ${shown}`, httpStatus: res.status, apiMessage, codes: parsed ? apiCodesOf(body) : [], retryable, retryAfterMs };
    }
    if (!parsed) {
      return { reason: `HTTP ${res.status} with a body that is not valid JSON (${text.length} bytes, starts ${JSON.stringify(text.slice(0, 60))})`, httpStatus: res.status, codes: [], retryable: true, retryAfterMs };
    }
    const envelope = validateEnvelope(body, spec, ctx, res.status);
    const bad = this.opts.check?.(envelope, spec, window);
    // a well-formed answer with unusable content (NaN, a garbled time, nothing at all) may be a glitch: ask again
    if (bad) return { reason: `HTTP ${res.status} with an answer that cannot be stored: ${bad}`, httpStatus: res.status, codes: [], retryable: true, retryAfterMs };
    return { envelope };
  }

  private failure(ctx: CallContext, f: AttemptFailure): RadarApiError {
    const attempts = f.retryable ? ` after ${this.retry.retries + 1} attempts` : '';
    const hint = hintFor(f);
    return new RadarApiError(`${describeCall(ctx)} failed${attempts}: ${f.reason}.${hint ? ` ${hint}` : ''}`, {
      endpoint: ctx.endpoint,
      country: ctx.country,
      window: ctx.window,
      httpStatus: f.httpStatus,
      apiMessage: f.apiMessage,
      retryable: f.retryable,
    });
  }
}

/** How to fix a failure, by status and Radar error code (2001 input, 2002 max cost, 1015 rate limit). */
function hintFor(f: AttemptFailure): string {
  const s = f.httpStatus;
  if (s === 401 || s === 403) return `The token was refused. ${TOKEN_HELP}.`;
  if (s === 422 || f.codes.includes(2002)) return 'The query is above the API\'s max cost: request shorter windows by lowering data.chunkDays in models.yml.';
  if (s === 400 || f.codes.includes(2001)) return 'Radar rejected the request parameters: check the country code and the date range (dates must not be in the future).';
  if (s === 404) return `No such endpoint: check RADAR_API_BASE / the base URL (expected one ending in /client/v4/radar).`;
  if (s === 429 || f.codes.includes(1015)) return 'Still rate limited: lower data.radar.maxRequestsPer5Min or data.radar.concurrency, or wait 5 minutes; finished chunks are kept, so re-running fetch resumes.';
  if (f.retryable) return 'Radar kept failing; re-run fetch later: finished chunks are kept and skipped.';
  return '';
}
