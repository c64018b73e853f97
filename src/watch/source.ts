/** Where the watcher pulls live data from: a frozen registry keyed by the names used in config (`radar`, `synthetic`). */
import type { Config } from '../config/schema';
import { ConfigError } from '../errors';
import type { RadarClient } from '../radar/client';
import { createRadarClient, openRadarEndpoint, type RadarEndpoint } from '../radar/endpoint';
import { realClock } from '../radar/rate-limit';
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

type SourceFactory = (o: SourceOptions) => Promise<RadarEndpoint>;

/** Source name → factory. Both end in the same RadarClient, so parsing and retries are shared. */
export const WATCH_SOURCES: Readonly<Record<'radar' | 'synthetic', SourceFactory>> = Object.freeze({
  // the public API needs a token; a local mock or proxy given explicitly may not
  radar: (o: SourceOptions) => openRadarEndpoint('radar', o.cfg, { baseUrl: o.baseUrl, token: o.token, tokenRequired: 'public-api' }),
  // the embedded generator behind an in-process mock Radar whose "now" is the watcher's (simulated) clock
  synthetic: (o: SourceOptions) => openRadarEndpoint('synthetic', o.cfg, { now: o.now }),
});

export type WatchSourceName = keyof typeof WATCH_SOURCES;

/** Opens source `name`; an unknown name throws and lists the valid ones. */
export async function openSource(name: string, o: SourceOptions): Promise<OpenSource> {
  if (!Object.prototype.hasOwnProperty.call(WATCH_SOURCES, name)) {
    throw new ConfigError(`Unknown watch source "${name}". Expected one of: ${Object.keys(WATCH_SOURCES).join(', ')}`);
  }
  const src = await WATCH_SOURCES[name as WatchSourceName](o);
  const client = createRadarClient(src, o.cfg.data, name as WatchSourceName, {
    clock: realClock,
    onRetry: ({ ctx, attempt, delayMs, reason }) => log.debug(`watch: retry ${attempt} of ${ctx.endpoint} ${ctx.country} in ${delayMs} ms (${reason})`),
  });
  return { name: name as WatchSourceName, client, baseUrl: src.baseUrl, close: src.close };
}
