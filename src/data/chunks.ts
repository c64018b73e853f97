/**
 * Radar answers → series on a time grid: the one path by which stored chunks (data/preprocess, and through it the live
 * windows of data/live) and the watcher's fetches (watch/feed) become per-signal columns. It parses each answer, stitches
 * MIN0_MAX windows onto one scale, resamples points onto the grid, fills and flags gaps, and turns annotations and label
 * feeds into unreliable steps and label windows.
 */
import * as path from 'path';
import { inWindowsPerStep, labelKindPerStep, mergeLabels, mergeTimeWindows, type LabelCandidate, type LabelWindow, type TimeWindow } from '../base/labels';
import { DAY_MS, describeStep, HOUR_MS, stepsIn } from '../base/time';
import { DataError } from '../errors';
import { checkParsedValues } from '../radar/content';
import type { RawSeries } from '../radar/endpoints';
import { annotationWindows, anomalyLabels, outageLabels, type LabelOptions } from '../radar/labels';
import { AGG_INTERVAL_MS, extractBgpIpv4, extractBotShare, extractValues, parseTimeseriesResult, unwrapEnvelope, type ParsedResult, type Points } from '../radar/parse';
import { refetchHint } from '../radar/refetch';
import { log } from '../util/log';
import { defaultRadarRule, fillGaps, medianStep, resampleToGrid } from './grid';
import { stitchChunks } from './stitch';
import type { RadarSignal, SignalKind } from './types';

/** Which raw series feeds each signal, and how its values come out of the response. */
export const SIGNAL_SOURCES: Readonly<Record<RadarSignal, { series: RawSeries; extract: (p: ParsedResult, where: string) => Points }>> = Object.freeze({
  http: { series: 'http', extract: extractValues },
  netflows: { series: 'netflows', extract: extractValues },
  l3: { series: 'l3', extract: extractValues },
  l7: { series: 'l7', extract: extractValues },
  bot_share: { series: 'bot_class', extract: extractBotShare },
  bgp_ips: { series: 'bgp_ips', extract: extractBgpIpv4 },
});

/** The raw series and extractor of a signal name, or undefined when no Radar series carries it (e.g. an imported column). */
export function signalSource(signal: string): (typeof SIGNAL_SOURCES)[RadarSignal] | undefined {
  return Object.prototype.hasOwnProperty.call(SIGNAL_SOURCES, signal) ? SIGNAL_SOURCES[signal as RadarSignal] : undefined;
}

/** One Radar answer as received: a stored chunk file's JSON or a live response. */
export interface RadarAnswer {
  series: RawSeries;
  /** Names the answer in errors: the chunk file (errors then also say how to refetch it) or e.g. `AT http <start>..<end>`. */
  where: string;
  /** The envelope `{success, errors, result}`, or a bare result. */
  envelope: unknown;
}

/** A parsed time-series answer. */
export interface SeriesChunk {
  kind: 'series';
  series: RawSeries;
  where: string;
  parsed: ParsedResult;
  /** Step of its points from `meta.aggInterval`; undefined when Radar does not say (BGP IPs). */
  stepMs?: number;
}

/** A label-feed answer (outages, traffic anomalies): its raw items. */
export interface LabelChunk {
  kind: 'labels';
  series: 'outages' | 'anomalies';
  where: string;
  items: unknown[];
}

export type RadarChunk = SeriesChunk | LabelChunk;

const LABEL_FEEDS = Object.freeze({
  outages: { key: 'annotations', toLabels: outageLabels },
  anomalies: { key: 'trafficAnomalies', toLabels: anomalyLabels },
});

/**
 * Parses one answer. Time series: every series and its meta; a value outside the range of its normalization throws
 * (a stored 1e308 under MIN0_MAX would stitch everything else to ~0). Label feeds: the item list. Errors are DataErrors
 * naming `where`, with the refetch command when `where` is a chunk file.
 */
export function readChunk(a: RadarAnswer): RadarChunk {
  const result = unwrapEnvelope(a.envelope, a.where);
  if (a.series === 'outages' || a.series === 'anomalies') {
    const { key } = LABEL_FEEDS[a.series];
    const items = result[key];
    if (!Array.isArray(items)) throw new DataError(`${a.where}: expected result.${key} to be an array (the ${a.series} feed), got ${typeof items}.${refetchHint(a.where)}`);
    return { kind: 'labels', series: a.series, where: a.where, items };
  }
  const parsed = parseTimeseriesResult(result, a.where);
  const implausible = checkParsedValues(parsed, a.where, { allowEmpty: true });
  if (implausible) throw new DataError(`${implausible}.${refetchHint(a.where)}`);
  const stepMs = parsed.meta.aggInterval ? AGG_INTERVAL_MS[parsed.meta.aggInterval] : undefined;
  return { kind: 'series', series: a.series, where: a.where, parsed, ...(stepMs ? { stepMs } : {}) };
}

/** The points of one signal in one answer. */
export interface SignalPoints extends Points {
  where: string;
  /** Step of the points (meta.aggInterval, else their median spacing). */
  stepMs: number;
  /** `meta.normalization`, upper-case; '' when absent. */
  normalization: string;
}

/** The points of `signal` in every answer of its raw series, in the order given ([] when there is none or no Radar series carries it). */
export function signalPoints(chunks: readonly RadarChunk[], signal: string): SignalPoints[] {
  const src = signalSource(signal);
  if (!src) return [];
  return chunks.flatMap((c) => {
    if (c.kind !== 'series' || c.series !== src.series) return [];
    const p = src.extract(c.parsed, c.where);
    return [{ ...p, where: c.where, stepMs: c.stepMs ?? medianStep(p.timestamps), normalization: c.parsed.meta.normalization ?? '' }];
  });
}

/** Concatenates chunks of absolute values; where windows overlap, the later chunk wins (Radar revises recent hours). */
export function concatLaterWins(chunks: Points[]): Points {
  const m = new Map<number, number>();
  for (const c of chunks) c.timestamps.forEach((t, i) => {
    if (Number.isFinite(c.values[i]) || !m.has(t)) m.set(t, c.values[i]);
  });
  const timestamps = [...m.keys()].sort((a, b) => a - b);
  return { timestamps, values: timestamps.map((t) => m.get(t)!) };
}

/** Steps already on the target scale that new answers continue (the watcher's stored hours). */
export interface SeriesContext {
  /** Step starts, on the grid's step, ending right before `grid[0]`. */
  timestamps: number[];
  /** Values per signal on the training scale. */
  values: Record<string, ArrayLike<number>>;
  /** 1 where a value was itself filled (kept out of the scale ratios). */
  gap: ArrayLike<number>;
}

export interface SeriesOptions {
  country: string;
  /** Signals to build, in column order, with their kinds (which decide stitching and resampling). */
  kinds: Readonly<Record<string, SignalKind>>;
  /** The target grid: step starts in epoch ms, ascending, `stepMs` apart. */
  grid: number[];
  stepMs: number;
  fill: { maxInterpolateHours: number };
  /**
   * Stored steps the answers continue. With it, each MIN0_MAX volume answer is stitched onto the stored values it
   * overlaps, gaps are filled with the stored steps as history, and nothing is rescaled. Without it, the answers are
   * stitched onto each other and MIN0_MAX volumes are rescaled to max 1 over the grid (one scale for the whole table).
   */
  context?: SeriesContext;
  /** Also label UNVERIFIED traffic anomalies (default false: they are Radar's detector output, not ground truth). */
  includeUnverified?: boolean;
  /** The range in words for errors, e.g. `2024-01-01..2024-01-31`. */
  range?: string;
  /** Fixes named in errors: for missing data (e.g. the fetch command), and for unusable answers of a series (e.g. the refetch command). */
  fix?: { missing?: string; replace?: (series: RawSeries) => string };
  /** When set, a signal mostly filled is also logged as a warning, with this sentence appended (e.g. which range the chunks may not cover). */
  sparseHint?: string;
}

/** Series on the grid, every column one value per step. */
export interface GridSeries {
  signals: Record<string, Float64Array>;
  /** 1 where at least one signal was missing and filled. */
  gap: Uint8Array;
  /** Per signal, 1 where it was missing and filled. */
  signalGap: Record<string, Uint8Array>;
  /** Per signal, steps that were missing and filled. */
  filledSteps: Record<string, number>;
  /** Per signal, how its points became step values, in words. */
  resample: Record<string, string>;
  /** Warnings worth keeping with the data (stitch fallbacks, mostly filled signals). */
  notes: string[];
  /** 1 where a PIPELINE / PARTIAL_PROJECTION annotation covers the step. */
  unreliable: Uint8Array;
  /** Merged label windows overlapping the grid: label feeds plus OUTAGE / TRAFFIC_ANOMALY annotations. */
  labels: LabelWindow[];
  /** Label kind per step, '' outside every window. */
  labelKind: string[];
}

/** How points sampled every `pointStep` became values of a grid of `gridStep`, as stored in processed meta. */
function describeResample(pointStep: number, gridStep: number, rule: string): string {
  const per = gridStep === HOUR_MS ? 'hour' : `${describeStep(gridStep)} step`;
  if (pointStep < gridStep) return `${rule} of ${Math.round(pointStep / 60_000)}-minute points per ${per}`;
  if (pointStep > gridStep && rule === 'last') return `last value held for ${pointStep % HOUR_MS === 0 ? `${pointStep / HOUR_MS} h` : describeStep(pointStep)}`;
  return `${gridStep === HOUR_MS ? 'hourly' : describeStep(gridStep)} as received`;
}

/**
 * Builds every signal of `o.kinds` on `o.grid` from parsed answers:
 * - http, netflows, l3, l7 (MIN0_MAX per answer): stitched onto one scale through their overlaps (stitchChunks);
 * - bot_share, bgp_ips and other absolute values: answers concatenated, the later one winning where they overlap;
 * - resampled by kind (levels: mean of the points in a step; counts: last point, held while Radar samples coarser);
 * - gaps filled by grid.fillGaps and flagged;
 * - PIPELINE / PARTIAL_PROJECTION annotations → `unreliable`; label feeds plus OUTAGE / TRAFFIC_ANOMALY annotations → merged labels.
 * Throws DataError when a signal has no answer, no answer touches the grid (without context), or answers mix normalizations.
 */
export function chunksToSeries(chunks: readonly RadarChunk[], o: SeriesOptions): GridSeries {
  const { grid, stepMs, country } = o;
  const n = grid.length;
  const gridStart = grid[0];
  const rangeEnd = grid[n - 1] + stepMs;
  const range = o.range ?? `${new Date(gridStart).toISOString()}..${new Date(rangeEnd).toISOString()}`;
  const unit = stepMs === HOUR_MS ? 'hours' : `steps of ${describeStep(stepMs)}`;
  const replace = (series: RawSeries) => (o.fix?.replace ? ` ${o.fix.replace(series)}` : '');
  const notes: string[] = [];
  const signals: Record<string, Float64Array> = {};
  const filledSteps: Record<string, number> = {};
  const resample: Record<string, string> = {};
  const gap = new Uint8Array(n);
  const signalGap: Record<string, Uint8Array> = {};
  const ctx = o.context;

  for (const [sig, kind] of Object.entries(o.kinds)) {
    const src = signalSource(sig);
    if (!src) throw new DataError(`${country}: no Radar series carries the signal "${sig}"; expected one of ${Object.keys(SIGNAL_SOURCES).join(', ')}`);
    const all = signalPoints(chunks, sig);
    if (all.length === 0) throw new DataError(`No "${src.series}" answer for ${country} ${range}; expected at least one.${o.fix?.missing ? ` ${o.fix.missing}` : ''}`);
    // Only answers touching the grid matter for a table; with stored context, earlier points carry the scale.
    let pts = ctx ? all.filter((p) => p.timestamps.length > 0) : all.filter((p) => p.timestamps.some((t) => t >= gridStart && t < rangeEnd));
    if (pts.length === 0 && !ctx) throw new DataError(`Raw "${src.series}" chunks for ${country} do not cover ${range}.${o.fix?.missing ? ` ${o.fix.missing}` : ''}`);
    pts = pts.sort((a, b) => a.timestamps[0] - b.timestamps[0]);
    const norms = new Set(pts.map((p) => p.normalization));
    if (norms.size > 1) throw new DataError(`${country} ${src.series}: chunks mix normalizations (${[...norms].map((x) => x || 'none').join(', ')}); expected one.${replace(src.series)}`);
    const norm = [...norms][0] ?? '';
    if (norm === 'MIN_MAX' || norm === 'PERCENTAGE_CHANGE') {
      throw new DataError(`${country} ${src.series}: normalization ${norm} cannot be stitched across windows; expected MIN0_MAX (what \`radarwatch fetch\` requests).${replace(src.series)}`);
    }
    // Volumes arrive MIN0_MAX per answer (also when meta omits it, as the request pins it); other kinds are absolute.
    const stitch = kind === 'volume' && (norm === 'MIN0_MAX' || norm === '');
    const pointStep = pts[0]?.stepMs ?? stepMs;
    // the level fallback compares one daily cycle on each side, whatever the step
    const stitchOpts = { label: `${country} ${sig}${ctx ? ' (live)' : ''}`, levelHours: stepsIn(DAY_MS, pointStep) };
    let points: Points;
    let fallbacks: number[] = [];
    if (stitch && ctx) {
      const stored = { timestamps: ctx.timestamps, values: Array.from(ctx.values[sig], (v, i) => (ctx.gap[i] ? NaN : v)) };
      const r = stitchChunks([stored, ...pts], stitchOpts);
      fallbacks = r.fallbacks.map((k) => k - 1);
      points = concatLaterWins(pts.map((p, k) => ({ timestamps: p.timestamps, values: p.values.map((v) => v * r.factors[k + 1]) })));
    } else if (stitch) {
      const r = stitchChunks(pts, stitchOpts);
      fallbacks = r.fallbacks;
      points = { timestamps: r.timestamps, values: r.values };
    } else points = concatLaterWins(pts);
    if (fallbacks.length) notes.push(`${sig}: ${fallbacks.length} chunk(s) scaled by the level fallback (no usable overlap): ${fallbacks.map((k) => path.basename(pts[k].where)).join(', ')}`);

    const rule = defaultRadarRule(kind);
    const step = pts[0]?.stepMs ?? medianStep(points.timestamps);
    const col = resampleToGrid(points.timestamps, points.values, grid, rule, step, stepMs);
    let values: Float64Array;
    let filled: Uint8Array;
    if (ctx) {
      const history = Float64Array.from(ctx.values[sig]);
      const f = fillGaps(Float64Array.from([...history, ...col]), o.fill.maxInterpolateHours, `${country} ${sig}`, { stepMs });
      values = f.values.slice(history.length);
      filled = f.filled.slice(history.length);
    } else {
      const f = fillGaps(col, o.fill.maxInterpolateHours, `${country} ${sig}`, { stepMs });
      ({ values, filled } = f);
      if (stitch) {
        // One MIN0_MAX scale over exactly the grid.
        let max = 0;
        for (const v of values) if (v > max) max = v;
        if (max > 0) for (let i = 0; i < n; i++) values[i] /= max;
      }
    }
    signals[sig] = values;
    signalGap[sig] = filled;
    filledSteps[sig] = filled.reduce((a, b) => a + b, 0);
    resample[sig] = describeResample(step, stepMs, rule);
    for (let i = 0; i < n; i++) gap[i] |= filled[i];
    if (!ctx && filledSteps[sig] > n / 2) {
      const msg = `${sig}: ${filledSteps[sig]} of ${n} ${unit} were missing and filled`;
      notes.push(msg);
      if (o.sparseHint) log.warn(`${country} ${msg}; ${o.sparseHint}.`);
    }
  }

  // Labels: the curated feeds plus the annotations every series' meta carries.
  const lopts: LabelOptions = { country, rangeEnd, includeUnverified: o.includeUnverified };
  const cands: LabelCandidate[] = [];
  for (const c of chunks) if (c.kind === 'labels') cands.push(...LABEL_FEEDS[c.series].toLabels(c.items, lopts, `${c.where}: ${LABEL_FEEDS[c.series].key}`));
  const ann = annotationWindows(
    chunks.flatMap((c) => (c.kind === 'series' ? c.parsed.meta.annotations : [])),
    lopts,
  );
  cands.push(...ann.labels);
  const inRange = (w: TimeWindow) => w.start < rangeEnd && w.end > gridStart;
  const labels = mergeLabels(cands.filter((c) => inRange({ start: c.startMs, end: c.endMs })));
  return {
    signals,
    gap,
    signalGap,
    filledSteps,
    resample,
    notes,
    unreliable: inWindowsPerStep(grid, mergeTimeWindows(ann.unreliable.filter(inRange)), stepMs),
    labels,
    labelKind: labelKindPerStep(grid, labels, stepMs),
  };
}
