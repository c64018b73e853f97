/** Where the watcher pulls live data from: a frozen registry keyed by the names used in config (`radar`, `synthetic`). */
import type { Config } from '../config/schema';
import { ConfigError } from '../errors';
import { DEFAULT_RADAR_BASE, RadarClient, requireToken, resolveRadarAccess } from '../radar/client';
import { startMockRadar } from '../radar/mock-server';
import { createRateLimiter, realClock } from '../radar/rate-limit';
import { log } from '../util/log';

/** An opened source: a Radar client and how to release it. */
export interface OpenSource {
  name: WatchSourceName;
  client: RadarClient;
  /** The API root the client talks to. */
  baseUrl: string;
  close(): Promise<void>;
}

export interface SourceOptions {
  cfg: Config;
  /** The watcher's clock: the synthetic source never serves hours after it. */
  now: () => number;
  /** Radar API root (default RADAR_API_BASE, else the public API); e.g. a mock server in tests. */
  baseUrl?: string;
  token?: string;
}

type SourceFactory = (o: SourceOptions) => Promise<{ baseUrl: string; token?: string; close(): Promise<void> }>;

/** Source name → factory. Both end in the same RadarClient, so parsing and retries are shared. */
export const WATCH_SOURCES: Readonly<Record<'radar' | 'synthetic', SourceFactory>> = Object.freeze({
  radar: async (o: SourceOptions) => {
    const access = resolveRadarAccess({ baseUrl: o.baseUrl, token: o.token });
    // the public API needs a token; a local mock or proxy given explicitly may not
    const token = access.baseUrl === DEFAULT_RADAR_BASE ? requireToken(access.token) : access.token;
    return { baseUrl: access.baseUrl, token, close: async () => undefined };
  },
  synthetic: async (o: SourceOptions) => {
    // the embedded generator behind an in-process mock Radar whose "now" is the watcher's (simulated) clock
    const server = await startMockRadar({ seed: o.cfg.generator.seed, generator: o.cfg.generator, now: o.now });
    return { baseUrl: server.url, close: () => server.close() };
  },
});

export type WatchSourceName = keyof typeof WATCH_SOURCES;

/** Opens source `name`; an unknown name throws and lists the valid ones. */
export async function openSource(name: string, o: SourceOptions): Promise<OpenSource> {
  if (!Object.prototype.hasOwnProperty.call(WATCH_SOURCES, name)) {
    throw new ConfigError(`Unknown watch source "${name}". Expected one of: ${Object.keys(WATCH_SOURCES).join(', ')}`);
  }
  const src = await WATCH_SOURCES[name as WatchSourceName](o);
  const limits = o.cfg.data[name as WatchSourceName];
  const client = new RadarClient({
    baseUrl: src.baseUrl,
    token: src.token,
    timeoutMs: o.cfg.data.timeoutMs,
    retry: { retries: o.cfg.data.retries, baseMs: o.cfg.data.backoffMs, capMs: 30_000, maxRetryAfterMs: 6 * 60_000 },
    limiter: createRateLimiter(limits.maxRequestsPer5Min, realClock),
    onRetry: ({ ctx, attempt, delayMs, reason }) => log.debug(`watch: retry ${attempt} of ${ctx.endpoint} ${ctx.country} in ${delayMs} ms (${reason})`),
  });
  return { name: name as WatchSourceName, client, baseUrl: src.baseUrl, close: src.close };
}
