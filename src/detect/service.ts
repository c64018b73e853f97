/** The detection service behind `radarwatch serve`: loads every trained, calibrated model and its table once, scores each table once, and answers ranges from memory. */
import * as fs from 'fs';
import * as path from 'path';
import type { Calibration } from '../calibrate/calibrate';
import { loadCalibration } from '../calibrate/store';
import type { Config } from '../config/schema';
import { processedPaths, resultDirs, resultsRoot } from '../data/paths';
import { readProcessed } from '../data/processed';
import { frameStep, type CountryFrame } from '../data/types';
import { DataError, InputError, NotFittedError, NotFoundError, isRadarwatchError } from '../errors';
import { DETECTOR_FILES, type Detector } from '../model/artifact';
import { initBackend } from '../model/backend';
import type { DetectionService, ServedCountry } from '../server/deps';
import { countryName } from '../util/countries';
import { dataCommand, isSeriesId } from '../util/series-id';
import { log } from '../util/log';
import { eventsOf, PROBABILITY_THRESHOLD, scoreRange, toDetectHours } from './detect';
import { loadCountryDetector } from './load';
import { summarizeScoredHours } from './summary';
import type { DetectResult, ScoredHour } from './types';

const iso = (ms: number) => new Date(ms).toISOString();

/** The `model` block of a DetectResult: where the model came from and the post-rules it scores with. */
export function modelInfo(det: Detector, cal: Calibration): DetectResult['model'] {
  return {
    dir: det.dir,
    createdAt: det.meta.createdAt,
    detector: cal.detector,
    falseAlarmsPerWeek: cal.budget.falseAlarmsPerWeek,
    thresholdMethod: 'probability',
    threshold: PROBABILITY_THRESHOLD,
    temperature: cal.temperature.T,
    trainedFrom: det.meta.split.train.from,
    trainedTo: det.meta.split.train.to,
  };
}

/** Signal values of rows [start, end) of a frame and the labelled windows overlapping [fromMs, toMs): DetectResult.series. */
export function seriesOf(frame: CountryFrame, start: number, end: number, fromMs: number, toMs: number): NonNullable<DetectResult['series']> {
  const signals: Record<string, number[]> = {};
  for (const s of frame.signalNames) signals[s] = Array.from(frame.signals[s].subarray(start, end));
  const labels = frame.labels
    .filter((l) => Date.parse(l.start) < toMs && Date.parse(l.end) > fromMs)
    .map((l) => ({ start: l.start, end: l.end, kind: l.kind as string }));
  return { signals, labels };
}

/** Assembles the documented DetectResult from scored hours (any source: a range scored now, or a slice of a pre-scored table). */
export function buildDetectResult(country: string, fromMs: number, toMs: number, det: Detector, cal: Calibration, hours: ScoredHour[], series?: DetectResult['series']): DetectResult {
  const result: DetectResult = { country, from: iso(fromMs), to: iso(toMs), model: modelInfo(det, cal), hours: toDetectHours(hours), events: eventsOf(hours, det) };
  if (series) result.series = series;
  return result;
}

/** The rows of `frame` detection returns, [from, to) in epoch ms: all of them (warm-up rows come back not scorable). */
export function scorableRange(frame: CountryFrame): { from: number; to: number } {
  const n = frame.timestamps.length;
  return n > 0 ? { from: frame.timestamps[0], to: frame.timestamps[n - 1] + frameStep(frame) } : { from: NaN, to: NaN };
}

/**
 * Scores [fromMs, toMs) of `frame` with scoreRange (features over the window plus its history only) and returns the
 * DetectResult; used by `radarwatch detect` on a local table or on a live window. Throws DataError, giving the
 * scorable range, unless the frame covers the whole range and the feature history before it.
 */
export function detectRange(country: string, frame: CountryFrame, det: Detector, cal: Calibration, fromMs: number, toMs: number, opts: { series: boolean }): DetectResult {
  const ok = scorableRange(frame);
  // Align the range to the series' grid (row starts), as the service does.
  const step = frameStep(frame);
  const t0 = frame.timestamps[0] ?? 0;
  fromMs = t0 + Math.ceil((fromMs - t0) / step) * step;
  toMs = t0 + Math.ceil((toMs - t0) / step) * step;
  if (!(fromMs >= ok.from && toMs <= ok.to)) {
    const avail = Number.isFinite(ok.from) ? `rows from ${iso(ok.from)} to ${iso(ok.to)} (exclusive) can be scored` : `the table has no rows`;
    throw new DataError(`Range ${iso(fromMs)}..${iso(toMs)} is outside the data of ${country}: ${avail}`);
  }
  const r = scoreRange(frame, det, cal, fromMs, toMs);
  const first = r.hours[0].timestamp;
  const end = r.hours[r.hours.length - 1].timestamp + frameStep(frame);
  const series = opts.series ? seriesOf(frame, r.start, r.start + r.hours.length, first, end) : undefined;
  return buildDetectResult(country, first, end, det, cal, r.hours, series);
}

/** One loaded country: its model, calibration, table and the scores of every scorable hour of the table. */
interface LoadedCountry {
  served: ServedCountry;
  det: Detector;
  cal: Calibration;
  frame: CountryFrame;
  /** Row of the frame of the first scored row (0: every row is returned, warm-up rows marked not scorable). */
  first: number;
  /** Scored rows [first, frame rows). */
  hours: ScoredHour[];
  /** Scorable hours [fromMs, toMs), epoch ms (served.dataFrom / dataTo as numbers). */
  fromMs: number;
  toMs: number;
}

/** Options of createDetectionService (tests and the bench). */
export interface DetectionServiceOptions {
  /** Only these countries (default: every folder under results/models). */
  countries?: string[];
}

/** Folders under results/models named like a series (a country code or an imported --id, util/series-id), sorted. */
function modelFolders(): string[] {
  const root = path.join(resultsRoot(), 'models');
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && isSeriesId(d.name))
    .map((d) => d.name)
    .sort();
}

/**
 * Loads one country and scores its whole table once with scoreRange — the same code path a single request would
 * take, so a slice of it equals scoreRange over that slice up to float32 rounding of the features (rolling sums
 * started at another row).
 */
async function loadCountry(cfg: Config, cc: string): Promise<LoadedCountry> {
  const dir = resultDirs.model(cc);
  if (!fs.existsSync(path.join(dir, DETECTOR_FILES.meta))) throw new NotFittedError(`${dir} has no ${DETECTOR_FILES.meta} (training did not finish); run \`radarwatch train ${cc}\``);
  const cal = loadCalibration(dir, cc);
  const table = processedPaths(cfg.data.processedDir, cc);
  if (!fs.existsSync(table.csv)) throw new DataError(`no processed table ${table.csv}; run \`${dataCommand(cc)}\``);
  const det = await loadCountryDetector(cfg, cc);
  try {
    const frame = await readProcessed(cfg.data.processedDir, cc);
    const n = frame.timestamps.length;
    const step = frameStep(frame);
    const r = scoreRange(frame, det, cal, frame.timestamps[0], frame.timestamps[n - 1] + step);
    if (!r.hours.some((h) => h.scorable !== false)) throw new DataError(`the table ${table.csv} has ${n} rows, none with the history detection needs; import or fetch a longer series`);
    const served: ServedCountry = {
      code: cc,
      name: countryName(cc),
      trainedFrom: det.meta.split.train.from,
      trainedTo: det.meta.split.train.to,
      dataFrom: iso(frame.timestamps[r.start]),
      dataTo: iso(frame.timestamps[n - 1] + step),
    };
    return { served, det, cal, frame, first: r.start, hours: r.hours, fromMs: frame.timestamps[r.start], toMs: frame.timestamps[n - 1] + step };
  } catch (e) {
    det.dispose();
    throw e;
  }
}

/**
 * Loads every country with a trained and calibrated model under results/models (RADARWATCH_RESULTS) and its
 * processed table, and scores each table once; `detect()` then slices those scores, so one country-day costs well
 * under a millisecond. Countries without a usable model or table are skipped with a warning; none at all is a
 * NotFittedError saying what to run.
 */
export async function createDetectionService(cfg: Config, opts: DetectionServiceOptions = {}): Promise<DetectionService> {
  await initBackend();
  const codes = opts.countries ?? modelFolders();
  const missing = cfg.countries.filter((cc) => !codes.includes(cc));
  if (!opts.countries && missing.length) log.warn(`detect service: no model for ${missing.join(', ')} under ${path.join(resultsRoot(), 'models')}; run \`radarwatch train ${missing.join(',')}\` and \`radarwatch calibrate ${missing.join(',')}\` to serve them`);
  const loaded = new Map<string, LoadedCountry>();
  const skipped: string[] = [];
  // countries whose model folder failed its checks: /api/health reports them as degraded, with the reason
  const degraded: { country: string; reason: string }[] = [];
  for (const cc of codes) {
    const t0 = performance.now();
    try {
      const c = await loadCountry(cfg, cc);
      loaded.set(cc, c);
      log.info(`detect service: ${cc} loaded, ${c.hours.length} rows scored (${c.served.dataFrom} .. ${c.served.dataTo}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } catch (e) {
      if (!isRadarwatchError(e)) throw e;
      skipped.push(`${cc}: ${e.message}`);
      degraded.push({ country: cc, reason: e.message });
      log.warn(`detect service: skipping ${cc}: ${e.message}`);
    }
  }
  if (loaded.size === 0) {
    const where = path.join(resultsRoot(), 'models');
    const why = skipped.length ? ` Skipped: ${skipped.join('; ')}.` : ` ${where} holds no model folders.`;
    throw new NotFittedError(`No trained and calibrated models to serve under ${where}.${why} Run \`radarwatch train\` and then \`radarwatch calibrate\` first.`);
  }
  const countries = [...loaded.values()].map((c) => c.served).sort((a, b) => a.code.localeCompare(b.code));
  /** The loaded country and the rows [start, end) of its scores for [from, to), aligned to the series' grid; throws like detect(). */
  const slice = (country: string, from: Date, to: Date) => {
    const c = loaded.get(country) ?? loaded.get(country.toUpperCase()); // imported ids are case-sensitive, country codes are not
    if (!c) throw new NotFoundError(`Unknown country "${country}". Known: ${countries.map((x) => x.code).join(', ')}`);
    const step = frameStep(c.frame);
    const t0 = c.frame.timestamps[0];
    // Rows start on the series' grid (hours for Radar tables; 5 minutes for a 5-minute import, …).
    const fromMs = t0 + Math.ceil((from.getTime() - t0) / step) * step;
    const toMs = t0 + Math.ceil((to.getTime() - t0) / step) * step;
    if (!(fromMs < toMs)) throw new InputError(`Empty range ${from.toISOString()}..${to.toISOString()}: expected from before to, spanning at least one hour start`);
    if (fromMs < c.fromMs || toMs > c.toMs) {
      throw new DataError(`Range ${iso(fromMs)}..${iso(toMs)} is outside the data of ${c.served.code}: hours from ${c.served.dataFrom} to ${c.served.dataTo} (exclusive) can be scored`);
    }
    return { c, fromMs, toMs, start: (fromMs - t0) / step - c.first, end: (toMs - t0) / step - c.first };
  };

  return {
    countries: () => countries,
    degraded: () => degraded,
    async detect(country, from, to, o) {
      const { c, fromMs, toMs, start, end } = slice(country, from, to);
      const hours = c.hours.slice(start, end);
      const series = o.series ? seriesOf(c.frame, c.first + start, c.first + end, fromMs, toMs) : undefined;
      return buildDetectResult(c.served.code, fromMs, toMs, c.det, c.cal, hours, series);
    },
    async summarize(country, from, to) {
      const { c, fromMs, toMs, start, end } = slice(country, from, to);
      return summarizeScoredHours(c.served.code, fromMs, toMs, c.hours.slice(start, end), c.det.config.detect);
    },
    close() {
      for (const c of loaded.values()) c.det.dispose();
      loaded.clear();
    },
  };
}
