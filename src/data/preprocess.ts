/** Builds each country's processed table from its raw Radar chunk files: reads them and runs them through data/chunks (parse, stitch, resample, fill, label). */
import * as fs from 'fs';
import * as path from 'path';
import { describeStep, HOUR_MS } from '../base/time';
import { DataError } from '../errors';
import { FETCH_INTERVAL_MS, type FetchInterval, type RawSeries } from '../radar/endpoints';
import { rawSeriesDir } from '../radar/raw-store';
import { refetchCommand, refetchHint } from '../radar/refetch';
import { log } from '../util/log';
import { startProgress } from '../util/progress';
import { chunksToSeries, readChunk, SIGNAL_SOURCES, type RadarChunk } from './chunks';
import { daysGrid, describeFill } from './grid';
import { writeProcessed, type ProcessedMeta } from './processed';
import { RADAR_SIGNAL_KINDS, RADAR_SIGNALS, type CountryFrame } from './types';

export interface PreprocessOptions {
  rawDir: string;
  /** Subfolder of rawDir: `radar` or `synthetic`. */
  source: string;
  country: string;
  /** Inclusive UTC dates, YYYY-MM-DD. */
  from: string;
  to: string;
  /** The `data` config section: `fill.maxInterpolateHours`, and `aggInterval` (default 1h), the step of the table and the raw chunks it reads. */
  cfg: { fill: { maxInterpolateHours: number }; aggInterval?: FetchInterval };
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

function fetchHint(o: PreprocessOptions): string {
  const interval = o.cfg.aggInterval && o.cfg.aggInterval !== '1h' ? ` --agg-interval ${o.cfg.aggInterval}` : '';
  return `Run \`radarwatch fetch --countries ${o.country} --source ${o.source} --from ${o.from} --to ${o.to}${interval}\` first.`;
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
  const dir = rawSeriesDir(o.rawDir, o.source, o.country, series, o.cfg.aggInterval);
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
 * Builds one country's table on a grid of `cfg.aggInterval` (1 h, or 15 min from the `<series>@15m` chunks) from
 * `<rawDir>/<source>/<CC>/<series>/*.json` with data/chunks chunksToSeries:
 * - http, netflows, l3, l7 (MIN0_MAX per response): chunks stitched onto one scale, max 1 over the range;
 * - bot_share: percent of requests from bots (bot_class groups), chunks concatenated (later wins);
 * - bgp_ips: announced IPv4 /24s, held between samples when Radar reports them coarser than the grid;
 * - gaps filled by grid.fillGaps and flagged; PIPELINE / PARTIAL_PROJECTION annotations → `unreliable`;
 * - labels from the outage and anomaly feeds plus OUTAGE / TRAFFIC_ANOMALY annotations, merged.
 */
export function preprocessCountryDetailed(o: PreprocessOptions): PreprocessedCountry {
  const countryDir = path.join(o.rawDir, o.source, o.country);
  if (!fs.existsSync(countryDir)) throw new DataError(`No raw data for ${o.country}: ${countryDir} does not exist. ${fetchHint(o)}`);
  const stepMs = FETCH_INTERVAL_MS[o.cfg.aggInterval ?? '1h'];
  const grid = daysGrid(o.from, o.to, stepMs);
  const read = (series: RawSeries, file: string) => readChunk({ series, where: file, envelope: readJsonFile(file) });
  // series in the order the signals first use them, then the two label feeds
  const chunks: RadarChunk[] = [];
  for (const series of new Set(RADAR_SIGNALS.map((s) => SIGNAL_SOURCES[s].series))) for (const file of chunkFiles(o, series, true)) chunks.push(read(series, file));
  const labelNotes: string[] = [];
  for (const series of ['outages', 'anomalies'] as const) {
    const files = chunkFiles(o, series, false);
    if (files.length === 0) {
      labelNotes.push(`no "${series}" label files`);
      log.warn(`${o.country}: no raw "${series}" label files; labels come from the other feeds only. ${fetchHint(o)}`);
    }
    for (const file of files) chunks.push(read(series, file));
  }
  const r = chunksToSeries(chunks, {
    country: o.country,
    kinds: Object.fromEntries(RADAR_SIGNALS.map((s) => [s, RADAR_SIGNAL_KINDS[s]])),
    grid,
    stepMs,
    fill: o.cfg.fill,
    includeUnverified: o.includeUnverified,
    range: `${o.from}..${o.to}`,
    fix: { missing: fetchHint(o), replace: (series) => `Replace the chunks with \`${refetchCommand({ ...o, series, aggInterval: o.cfg.aggInterval })}\`.` },
    sparseHint: `the raw chunks may not cover ${o.from}..${o.to}`,
  });
  const frame: CountryFrame = {
    id: o.country,
    timestamps: grid,
    ...(stepMs !== HOUR_MS ? { stepMs } : {}),
    signalNames: [...RADAR_SIGNALS],
    signalKinds: { ...RADAR_SIGNAL_KINDS },
    signals: r.signals,
    gap: r.gap,
    signalGap: r.signalGap,
    unreliable: r.unreliable,
    labelKind: r.labelKind,
    labels: r.labels,
  };
  return { frame, gapHours: r.filledSteps, resample: r.resample, notes: [...r.notes, ...labelNotes] };
}

/** One country's processed hourly table (see preprocessCountryDetailed). */
export function preprocessCountry(o: PreprocessOptions): CountryFrame {
  return preprocessCountryDetailed(o).frame;
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
        fill: { maxInterpolateHours: o.cfg.fill.maxInterpolateHours, rule: describeFill(o.cfg.fill.maxInterpolateHours, FETCH_INTERVAL_MS[o.cfg.aggInterval ?? '1h']) },
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

