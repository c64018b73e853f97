/** Builds each country's processed hourly table from its raw Radar chunk files: parse, stitch, resample, fill, label. */
import * as fs from 'fs';
import * as path from 'path';
import { DataError } from '../errors';
import { refetchCommand, refetchHint } from '../radar/refetch';
import { checkParsedValues } from '../radar/content';
import { annotationWindows, anomalyLabels, hoursInWindows, labelKindPerHour, mergeLabels, mergeTimeWindows, outageLabels, type LabelCandidate, type TimeWindow } from '../radar/labels';
import {
  AGG_INTERVAL_MS,
  extractBgpIpv4,
  extractBotShare,
  extractValues,
  parseTimeseriesResult,
  unwrapEnvelope,
  type ParsedResult,
  type Points,
  type RadarAnnotation,
} from '../radar/parse';
import { log } from '../util/log';
import { startProgress } from '../util/progress';
import { defaultRadarRule, describeFill, fillGaps, hourlyGrid, medianStep, resampleToGrid } from './grid';
import { rawSeriesDir, type RawSeries } from './paths';
import { writeProcessed, type ProcessedMeta } from './processed';
import { stitchChunks } from './stitch';
import { describeStep, HOUR_MS, RADAR_SIGNAL_KINDS, RADAR_SIGNALS, type CountryFrame, type RadarSignal } from './types';

export interface PreprocessOptions {
  rawDir: string;
  /** Subfolder of rawDir: `radar` or `synthetic`. */
  source: string;
  country: string;
  /** Inclusive UTC dates, YYYY-MM-DD. */
  from: string;
  to: string;
  /** The `data` config section (only `fill.maxInterpolateHours` is used). */
  cfg: { fill: { maxInterpolateHours: number } };
  /** Also label UNVERIFIED traffic anomalies (default false: they are Radar's detector output, not ground truth). */
  includeUnverified?: boolean;
}

/** A processed country plus what its meta file needs. */
export interface PreprocessedCountry {
  frame: CountryFrame;
  gapHours: Record<string, number>;
  resample: Record<string, string>;
  notes: string[];
}

/** Which raw series feeds each signal, and how its values come out of the response. */
export const SIGNAL_SOURCES: Readonly<Record<RadarSignal, { series: RawSeries; extract: (p: ParsedResult, where: string) => Points }>> = Object.freeze({
  http: { series: 'http', extract: extractValues },
  netflows: { series: 'netflows', extract: extractValues },
  l3: { series: 'l3', extract: extractValues },
  l7: { series: 'l7', extract: extractValues },
  bot_share: { series: 'bot_class', extract: extractBotShare },
  bgp_ips: { series: 'bgp_ips', extract: extractBgpIpv4 },
});

interface RawChunk {
  file: string;
  points: Points;
  normalization?: string;
  stepMs?: number;
}

function fetchHint(o: PreprocessOptions): string {
  return `Run \`radarwatch fetch --countries ${o.country} --source ${o.source} --from ${o.from} --to ${o.to}\` first.`;
}

function readJsonFile(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DataError(`${file}: not valid JSON (${(e as Error).message}).${refetchHint(file)}`);
  }
}

/** Chunk files of one series, sorted by name (names start with the window start, so this is time order). */
function chunkFiles(o: PreprocessOptions, series: RawSeries, required: boolean): string[] {
  const dir = rawSeriesDir(o.rawDir, o.source, o.country, series);
  if (!fs.existsSync(dir)) {
    if (!required) return [];
    throw new DataError(`No raw "${series}" data for ${o.country}: folder ${dir} does not exist. ${fetchHint(o)}`);
  }
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
    .sort()
    .map((f) => path.join(dir, f));
  if (required && files.length === 0) throw new DataError(`No raw "${series}" chunk files for ${o.country} in ${dir}. ${fetchHint(o)}`);
  return files;
}

/**
 * Builds one country's hourly table from `<rawDir>/<source>/<CC>/<series>/*.json`:
 * - http, netflows, l3, l7 (MIN0_MAX per response): chunks stitched onto one scale, max 1 over the range;
 * - bot_share: percent of requests from bots (bot_class groups), chunks concatenated (later wins);
 * - bgp_ips: announced IPv4 /24s, held between samples when Radar reports them coarser than hourly;
 * - gaps filled by grid.fillGaps and flagged; PIPELINE / PARTIAL_PROJECTION annotations → `unreliable`;
 * - labels from the outage and anomaly feeds plus OUTAGE / TRAFFIC_ANOMALY annotations, merged.
 */
export function preprocessCountryDetailed(o: PreprocessOptions): PreprocessedCountry {
  const countryDir = path.join(o.rawDir, o.source, o.country);
  if (!fs.existsSync(countryDir)) throw new DataError(`No raw data for ${o.country}: ${countryDir} does not exist. ${fetchHint(o)}`);
  const grid = hourlyGrid(o.from, o.to);
  const gridStart = grid[0];
  const rangeEnd = grid[grid.length - 1] + HOUR_MS;
  const maxInterp = o.cfg.fill.maxInterpolateHours;
  const notes: string[] = [];
  const annotations: RadarAnnotation[] = [];
  const signals: Record<string, Float64Array> = {};
  const gapHours: Record<string, number> = {};
  const resample: Record<string, string> = {};
  const gap = new Uint8Array(grid.length);
  const parsedBySeries = new Map<RawSeries, RawChunk[]>();

  for (const sig of RADAR_SIGNALS) {
    const { series, extract } = SIGNAL_SOURCES[sig];
    let chunks = parsedBySeries.get(series);
    if (!chunks) {
      chunks = chunkFiles(o, series, true).map((file) => {
        const parsed = parseTimeseriesResult(unwrapEnvelope(readJsonFile(file), file), file);
        // chunks stored before fetch checked values (e.g. 1e308 under MIN0_MAX) would stitch everything else to ~0
        const implausible = checkParsedValues(parsed, file, { allowEmpty: true });
        if (implausible) throw new DataError(`${implausible}.${refetchHint(file)}`);
        annotations.push(...parsed.meta.annotations);
        const points = extract(parsed, file);
        const stepMs = parsed.meta.aggInterval ? AGG_INTERVAL_MS[parsed.meta.aggInterval] : undefined;
        return { file, points, normalization: parsed.meta.normalization, stepMs };
      });
      // Only chunks touching the range matter; sort by first point in case file names are not in time order.
      chunks = chunks.filter((c) => c.points.timestamps.some((t) => t >= gridStart && t < rangeEnd)).sort((a, b) => a.points.timestamps[0] - b.points.timestamps[0]);
      parsedBySeries.set(series, chunks);
    }
    if (chunks.length === 0) throw new DataError(`Raw "${series}" chunks for ${o.country} do not cover ${o.from}..${o.to}. ${fetchHint(o)}`);
    const kind = RADAR_SIGNAL_KINDS[sig];
    const norms = new Set(chunks.map((c) => c.normalization ?? ''));
    if (norms.size > 1) throw new DataError(`${o.country} ${series}: chunks mix normalizations (${[...norms].map((n) => n || 'none').join(', ')}); expected one. Replace the chunks with \`${refetchCommand({ ...o, series })}\`.`);
    const norm = [...norms][0];
    if (norm === 'MIN_MAX' || norm === 'PERCENTAGE_CHANGE') {
      throw new DataError(`${o.country} ${series}: normalization ${norm} cannot be stitched across windows; expected MIN0_MAX (what \`radarwatch fetch\` requests). Replace the chunks with \`${refetchCommand({ ...o, series })}\`.`);
    }
    // Volumes arrive MIN0_MAX per response (also when meta omits it, as the request pins it); other kinds are absolute.
    const stitch = kind === 'volume' && (norm === 'MIN0_MAX' || norm === '');
    let points: Points;
    if (stitch) {
      const r = stitchChunks(chunks.map((c) => c.points), { label: `${o.country} ${sig}` });
      if (r.fallbacks.length) notes.push(`${sig}: ${r.fallbacks.length} chunk(s) scaled by the level fallback (no usable overlap): ${r.fallbacks.map((k) => path.basename(chunks![k].file)).join(', ')}`);
      points = { timestamps: r.timestamps, values: r.values };
    } else points = concatLaterWins(chunks.map((c) => c.points));
    const rule = defaultRadarRule(kind);
    const step = chunks[0].stepMs ?? medianStep(points.timestamps);
    const col = resampleToGrid(points.timestamps, points.values, grid, rule, step);
    const filled = fillGaps(col, maxInterp, `${o.country} ${sig}`);
    if (stitch) {
      // One MIN0_MAX scale over exactly the processed range.
      let max = 0;
      for (const v of filled.values) if (v > max) max = v;
      if (max > 0) for (let i = 0; i < filled.values.length; i++) filled.values[i] /= max;
    }
    signals[sig] = filled.values;
    gapHours[sig] = filled.filled.reduce((a, b) => a + b, 0);
    resample[sig] = step < HOUR_MS ? `${rule} of ${Math.round(step / 60000)}-minute points per hour` : step > HOUR_MS && rule === 'last' ? `last value held for ${Math.round(step / HOUR_MS)} h` : 'hourly as received';
    for (let i = 0; i < grid.length; i++) gap[i] |= filled.filled[i];
    if (gapHours[sig] > grid.length / 2) {
      const msg = `${sig}: ${gapHours[sig]} of ${grid.length} hours were missing and filled`;
      notes.push(msg);
      log.warn(`${o.country} ${msg}; the raw chunks may not cover ${o.from}..${o.to}.`);
    }
  }

  // Labels: two curated feeds plus the annotations carried in every series' meta.
  const lopts = { country: o.country, rangeEnd, includeUnverified: o.includeUnverified };
  const cands: LabelCandidate[] = [];
  const feeds: [RawSeries, string, typeof outageLabels][] = [
    ['outages', 'annotations', outageLabels],
    ['anomalies', 'trafficAnomalies', anomalyLabels],
  ];
  for (const [series, key, toLabels] of feeds) {
    const files = chunkFiles(o, series, false);
    if (files.length === 0) {
      notes.push(`no "${series}" label files`);
      log.warn(`${o.country}: no raw "${series}" label files; labels come from the other feeds only. ${fetchHint(o)}`);
    }
    for (const file of files) {
      const result = unwrapEnvelope(readJsonFile(file), file);
      const items = result[key];
      if (!Array.isArray(items)) throw new DataError(`${file}: expected result.${key} to be an array (the ${series} feed), got ${typeof items}.${refetchHint(file)}`);
      cands.push(...toLabels(items, lopts, `${file}: ${key}`));
    }
  }
  const ann = annotationWindows(annotations, lopts);
  cands.push(...ann.labels);
  const inRange = (w: TimeWindow) => w.start < rangeEnd && w.end > gridStart;
  const labels = mergeLabels(cands.filter((c) => inRange({ start: c.startMs, end: c.endMs })));
  const unreliableWindows = mergeTimeWindows(ann.unreliable.filter(inRange));

  const frame: CountryFrame = {
    id: o.country,
    timestamps: grid,
    signalNames: [...RADAR_SIGNALS],
    signalKinds: { ...RADAR_SIGNAL_KINDS },
    signals,
    gap,
    unreliable: hoursInWindows(grid, unreliableWindows),
    labelKind: labelKindPerHour(grid, labels),
    labels,
  };
  return { frame, gapHours, resample, notes };
}

/** One country's processed hourly table (see preprocessCountryDetailed). */
export function preprocessCountry(o: PreprocessOptions): CountryFrame {
  return preprocessCountryDetailed(o).frame;
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

export interface PreprocessManyOptions extends Omit<PreprocessOptions, 'country'> {
  countries: string[];
  processedDir: string;
}

/** Preprocesses several countries in turn (with a progress bar) and writes each with writeProcessed. */
export function preprocessCountries(o: PreprocessManyOptions): { country: string; meta: ProcessedMeta }[] {
  const bar = startProgress('preprocess', o.countries.length, '{bar} {value}/{total} {country}', { country: '' });
  const out: { country: string; meta: ProcessedMeta }[] = [];
  try {
    for (const country of o.countries) {
      const r = preprocessCountryDetailed({ ...o, country });
      const meta = writeProcessed(o.processedDir, r.frame, {
        source: o.source,
        from: o.from,
        to: o.to,
        fill: { maxInterpolateHours: o.cfg.fill.maxInterpolateHours, rule: describeFill(o.cfg.fill.maxInterpolateHours) },
        gapHours: r.gapHours,
        resample: r.resample,
        notes: r.notes,
      });
      out.push({ country, meta });
      bar.increment(1, { country });
    }
  } finally {
    bar.stop();
  }
  return out;
}

/** One summary line per country, as the CLI prints it. */
export function describeProcessed(meta: ProcessedMeta): string {
  const gaps = meta.signals.map((s) => `${s}=${meta.gapHours[s] ?? 0}`).join(' ');
  const labels = Object.entries(meta.labelsByKind).map(([k, n]) => `${k}=${n}`).join(' ') || 'none';
  const step = meta.stepMs ?? HOUR_MS;
  const unit = step === HOUR_MS ? 'hours' : 'steps';
  return `${meta.id}: ${meta.rows} rows${step === HOUR_MS ? '' : ` of ${describeStep(step)}`} ${meta.from}..${meta.to}; gap ${unit} ${gaps}; unreliable ${meta.unreliableHours} ${step === HOUR_MS ? 'h' : unit}; labels ${labels}`;
}

