/** Data-layer types: the Radar signals of a processed table and the in-memory country table every later stage passes around. */
import type { LabelWindow } from '../base/labels';
import { HOUR_MS } from '../base/time';

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
  /**
   * Per signal, 1 where that signal was missing and filled. Absent (older tables, single-signal imports): every signal
   * counts as filled wherever `gap` is 1. One missing signal must not blind the others (see data/frame.ts).
   */
  signalGap?: Record<string, Uint8Array>;
  /** 1 where Radar marked the data unreliable (PIPELINE / PARTIAL_PROJECTION annotations). */
  unreliable: Uint8Array;
  /** Label kind per hour, '' when the hour is outside every labelled window. */
  labelKind: string[];
  /** The label windows the per-hour column was built from. */
  labels: LabelWindow[];
}

/** The grid step of a frame in ms (hourly unless the frame says otherwise). */
export function frameStep(frame: Pick<CountryFrame, 'stepMs'>): number {
  return frame.stepMs ?? HOUR_MS;
}
