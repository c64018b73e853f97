/**
 * Data-quality artefacts of the simulated telemetry: missing points per endpoint (gaps) and Radar
 * PIPELINE windows (a data source under-reports for a while and Radar annotates it as unreliable).
 * Both are drawn per hour from counter-based hashes, so any window can be computed on its own.
 */
import { hashSeed } from '../../util/random';
import { HOUR_MS } from '../../base/time';
import { streamKey, uniformAt } from './hash';

/** The Radar endpoints the generator backs, by raw series name (see radar/endpoints RAW_SERIES). */
export const GENERATED_SERIES = ['http', 'bot_class', 'netflows', 'l3', 'l7', 'bgp_ips'] as const;
export type GeneratedSeries = (typeof GENERATED_SERIES)[number];

/** Radar `dataSource` of each endpoint, as used in confidenceInfo annotations. */
export const SERIES_DATA_SOURCE: Readonly<Record<GeneratedSeries, string>> = Object.freeze({
  http: 'HTTP',
  bot_class: 'BOTS',
  netflows: 'NET',
  l3: 'DOS',
  l7: 'FW',
  bgp_ips: 'BGP',
});

/** Data sources a PIPELINE window can hit; ALL hits every endpoint. */
export const PIPELINE_SOURCES = ['HTTP', 'NET', 'DOS', 'FW', 'BGP', 'ALL'] as const;
export type PipelineSource = (typeof PIPELINE_SOURCES)[number];

/** True if a PIPELINE window of `source` makes `series` unreliable (HTTP also covers the bot-class split). */
export function pipelineAffects(source: string, series: GeneratedSeries): boolean {
  if (source === 'ALL') return true;
  if (source === 'HTTP') return series === 'http' || series === 'bot_class';
  return SERIES_DATA_SOURCE[series] === source;
}

/** A simulated PIPELINE annotation: hours `[start, end)` where `dataSource` under-reports by `factor`. */
export interface PipelineWindow {
  id: string;
  country: string;
  start: number;
  end: number;
  dataSource: PipelineSource;
  /** Reported / true volume inside the window (0.35–0.85; BGP counts are hit 10× less). */
  factor: number;
}

const MAX_GAP_HOURS = 6;
const MAX_PIPELINE_HOURS = 24;

/**
 * 1 where `series` has no data point in hours `[startMs, startMs + n·1h)`. An hour starts a gap with
 * probability `rate`; the gap lasts 1–6 hours.
 */
export function gapMask(seed: number, rate: number, country: string, series: GeneratedSeries, startMs: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  if (rate <= 0) return out;
  const key = streamKey(seed, country, `gap:${series}`);
  const h0 = Math.floor(startMs / HOUR_MS);
  for (let h = h0 - (MAX_GAP_HOURS - 1); h < h0 + n; h++) {
    if (uniformAt(key, 2 * h) >= rate) continue;
    const len = 1 + Math.floor(uniformAt(key, 2 * h + 1) * MAX_GAP_HOURS);
    for (let k = Math.max(h, h0); k < Math.min(h + len, h0 + n); k++) out[k - h0] = 1;
  }
  return out;
}

/** PIPELINE windows of `country` overlapping `[fromMs, toMs)`: an hour starts one with probability `rate`; 2–24 h long. */
export function pipelineWindows(seed: number, rate: number, country: string, fromMs: number, toMs: number): PipelineWindow[] {
  const out: PipelineWindow[] = [];
  if (rate <= 0) return out;
  const key = streamKey(seed, country, 'pipeline');
  const h0 = Math.floor(fromMs / HOUR_MS);
  const h1 = Math.ceil(toMs / HOUR_MS);
  for (let h = h0 - (MAX_PIPELINE_HOURS - 1); h < h1; h++) {
    if (uniformAt(key, 4 * h) >= rate) continue;
    const len = 2 + Math.floor(uniformAt(key, 4 * h + 1) * (MAX_PIPELINE_HOURS - 1));
    const start = h * HOUR_MS;
    const end = start + len * HOUR_MS;
    if (end <= fromMs || start >= toMs) continue;
    out.push({
      id: String(500000000 + (hashSeed(seed, country, h, 'pipeline') % 400000000)),
      country,
      start,
      end,
      dataSource: PIPELINE_SOURCES[Math.floor(uniformAt(key, 4 * h + 2) * PIPELINE_SOURCES.length)],
      factor: 0.35 + 0.5 * uniformAt(key, 4 * h + 3),
    });
  }
  return out;
}
