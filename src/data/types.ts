/** Shared data types: signals, label windows and the in-memory hourly country table every stage passes around. */

/** The Radar signals radarwatch fetches per country, in column order of a processed table. */
export const RADAR_SIGNALS = ['http', 'netflows', 'l3', 'l7', 'bot_share', 'bgp_ips'] as const;
export type RadarSignal = (typeof RADAR_SIGNALS)[number];

/** How a signal behaves, which decides its feature transform: volumes are log-scaled, shares/rates are not. */
export type SignalKind = 'volume' | 'rate' | 'count';
export const RADAR_SIGNAL_KINDS: Record<RadarSignal, SignalKind> = {
  http: 'volume', // HTTP requests, MIN0_MAX
  netflows: 'volume', // bytes at edge routers, MIN0_MAX
  l3: 'volume', // L3/4 DDoS bytes targeting the country, MIN0_MAX
  l7: 'volume', // mitigated L7 requests, MIN0_MAX
  bot_share: 'rate', // percent of HTTP requests classed as bots (0..100)
  bgp_ips: 'count', // announced IPv4 /24s (IPv6 /48 counts are orders larger and would drown IPv4 withdrawals)
};

/** Kinds of labelled anomaly. `outage` is nationwide/full, `partial_outage` regional or one network. */
export const ANOMALY_KINDS = ['outage', 'partial_outage', 'l3_ddos', 'l7_attack', 'bot_surge', 'traffic_surge', 'routing_change'] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

/** Where a label came from. */
export type LabelSource = 'synthetic' | 'radar-outage' | 'radar-anomaly' | 'radar-annotation' | 'csv';

/** A labelled anomaly window, [start, end) in UTC ISO-8601. */
export interface LabelWindow {
  start: string;
  end: string;
  kind: AnomalyKind;
  source: LabelSource;
  id?: string;
  description?: string;
}

/**
 * One country's (or one imported series') hourly table on a regular UTC grid.
 * Every column has `timestamps.length` rows; signal values are finite (gaps filled, flagged in `gap`).
 */
export interface CountryFrame {
  /** ISO alpha-2 code, or the `--id` of an imported CSV. */
  id: string;
  /** Epoch milliseconds of each step start, ascending, exactly `stepMs` apart. */
  timestamps: number[];
  /** Grid step in ms (1 min … 1 day); absent means hourly (3,600,000), as every Radar table is by default. */
  stepMs?: number;
  /** Signal names in column order. */
  signalNames: string[];
  /** Kind per signal (decides feature transforms). */
  signalKinds: Record<string, SignalKind>;
  /** Column per signal. */
  signals: Record<string, Float64Array>;
  /** 1 where at least one signal was missing and filled. */
  gap: Uint8Array;
  /** 1 where Radar marked the data unreliable (PIPELINE / PARTIAL_PROJECTION annotations). */
  unreliable: Uint8Array;
  /** Label kind per hour, '' when the hour is outside every labelled window. */
  labelKind: string[];
  /** The label windows the per-hour column was built from. */
  labels: LabelWindow[];
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
export const MINUTE_MS = 60_000;

/** The grid step of a frame in ms (hourly unless the frame says otherwise). */
export function frameStep(frame: Pick<CountryFrame, 'stepMs'>): number {
  return frame.stepMs ?? HOUR_MS;
}

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
