/** Where Radar requests go for a data source — the real API, or the embedded generator behind an in-process mock — and the client built with the retry and rate-limit settings of models.yml. */
import type { Config, DataConfig } from '../config/schema';
import { DEFAULT_RADAR_BASE, RadarClient, requireToken, resolveRadarAccess, type RadarClientOptions } from './client';
import { startMockRadar } from './mock-server';
import { createRateLimiter } from './rate-limit';
import { DEFAULT_RETRY, type RetryPolicy } from './retry';

/** An opened endpoint: the API root, the token to send, and how to release it (stops the mock). */
export interface RadarEndpoint {
  baseUrl: string;
  token?: string;
  close(): Promise<void>;
}

export interface EndpointOptions {
  /** Radar API root (default RADAR_API_BASE, else the public API). */
  baseUrl?: string;
  /** API token (default CLOUDFLARE_API_TOKEN). */
  token?: string;
  /** The mock's "now": it never serves hours after it (default: the real clock). */
  now?: () => number;
  /** `always` (fetch, live) or only for the public API (`public-api`: a local mock or proxy given explicitly may need none). */
  tokenRequired?: 'always' | 'public-api';
}

/** Opens the endpoint of `source`; `radar` without a required token throws ConfigError saying how to create one. */
export async function openRadarEndpoint(source: 'radar' | 'synthetic', cfg: Config, o: EndpointOptions = {}): Promise<RadarEndpoint> {
  if (source === 'synthetic') {
    const server = await startMockRadar({ seed: cfg.generator.seed, generator: cfg.generator, now: o.now });
    return { baseUrl: server.url, close: () => server.close() };
  }
  const access = resolveRadarAccess({ baseUrl: o.baseUrl, token: o.token });
  const needed = (o.tokenRequired ?? 'always') === 'always' || access.baseUrl === DEFAULT_RADAR_BASE;
  return { baseUrl: access.baseUrl, token: needed ? requireToken(access.token) : access.token, close: async () => undefined };
}

/** The client retry policy of the data settings (retries, backoff base); caps as DEFAULT_RETRY. */
export function retryPolicyOf(data: DataConfig): RetryPolicy {
  return { ...DEFAULT_RETRY, retries: data.retries, baseMs: data.backoffMs };
}

/**
 * A client for an opened endpoint with the data settings of models.yml: per-request timeout, retry policy and the
 * rate limit of `source` (data.radar / data.synthetic); `extra` adds or overrides options (clock, onRetry, check).
 */
export function createRadarClient(endpoint: RadarEndpoint, data: DataConfig, source: 'radar' | 'synthetic', extra: Partial<RadarClientOptions> = {}): RadarClient {
  return new RadarClient({
    baseUrl: endpoint.baseUrl,
    token: endpoint.token,
    timeoutMs: data.timeoutMs,
    retry: retryPolicyOf(data),
    limiter: createRateLimiter(data[source].maxRequestsPer5Min, extra.clock),
    ...extra,
  });
}
