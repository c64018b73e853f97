/**
 * The detection service behind `radarwatch serve`: finds at start which models can be served (cheap checks, nothing
 * loaded), loads a country's model and table on its first request, scores its table in blocks on demand, and keeps
 * loaded countries in an LRU bounded by `server.cache`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DAY_MS } from '../base/time';
import type { Calibration } from '../calibrate/calibrate';
import { loadCalibration } from '../calibrate/store';
import type { Config } from '../config/schema';
import { processedPaths, resultDirs, resultsRoot } from '../data/paths';
import { readProcessed } from '../data/processed';
import { frameStep, type CountryFrame } from '../data/types';
import { DataError, InputError, NotFittedError, NotFoundError, isRadarwatchError } from '../errors';
import { DETECTOR_FILES, type Detector } from '../model/artifact';
import { initBackend } from '../model/backend';
import type { DegradedCountry, DetectionService, ServedCountry, ServiceCacheStats } from '../server/deps';
import { log } from '../util/log';
import { eventsOf, PROBABILITY_THRESHOLD, scoredHourAt, scoreRange, scoreRangeHistoryRows } from './detect';
import { toDetectHours } from './hours';
import type { HybridScores } from './hybrid';
import { loadCountryDetector } from './load';
import { summarizeScoredHours } from './summary';
import type { DetectResult, ScoredHour } from './types';
import { discoverCountry, modelFolders, type Servable } from './discover';

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

/** Rows per scored block, in days of the series' step: a block is the unit the service scores and keeps. */
export const BLOCK_DAYS = 30;

/** `server.preload: auto` loads and scores every model at start when there are at most this many. */
export const PRELOAD_AUTO_MAX = 16;

/** Loads started at once: a burst of first requests for many countries then finishes in order, with bounded transient memory. */
const LOAD_CONCURRENCY = 2;

/** Options of createDetectionService (tests, the heavy-request worker and the benches). */
export interface DetectionServiceOptions {
  /** Only these countries (default: every folder under results/models). */
  countries?: string[];
  /** Load and score every model at start (default: models.yml `server.preload`, where `auto` means at most PRELOAD_AUTO_MAX models). */
  preload?: boolean;
  /** Bounds of the LRU of loaded countries (default: models.yml `server.cache`). */
  cache?: Partial<Config['server']['cache']>;
  /** Rows per scored block (default: BLOCK_DAYS of the series' step); tests use small blocks. */
  blockRows?: number;
  /** Loads a country's detector (default loadCountryDetector, which verifies the folder and its fingerprint); tests count loads with it. */
  loadDetector?: (cfg: Config, country: string) => Promise<Detector>;
}

/**
 * Scores of rows [start, start + h.rows) of a table: the typed arrays of one scoring pass, about 120 bytes a row with
 * 6 signals (ScoredHour objects, built per request from them, take 590).
 */
interface ScoredBlock {
  start: number;
  h: HybridScores;
  bytes: number;
}

/** One loaded country: its model, calibration and table, and the blocks of its table scored so far. */
interface LoadedCountry {
  code: string;
  det: Detector;
  cal: Calibration;
  frame: CountryFrame;
  step: number;
  /** Rows per block: block k (0 = the newest) holds rows [max(0, n − (k+1)·blockRows), n − k·blockRows). */
  blockRows: number;
  blocks: (ScoredBlock | undefined)[];
  /** JSON bodies of recent small answers (detectJson) by range, least recently used first. */
  answers: Map<string, Buffer>;
  /** Estimated bytes held: table, model files, scored blocks, kept answers. */
  bytes: number;
}

/** Answers kept per loaded country (one-day answers are about 6.5 kB: at most about 0.4 MB a country). */
export const ANSWERS_PER_COUNTRY = 64;
/** Larger answers are serialised every time: long ranges are rare and would crowd out the small ones. */
export const MAX_KEPT_ANSWER_BYTES = 64 * 1024;

/** What a block keeps of a pass's streams: nothing (they feed calibration, not answers). */
const NO_STREAMS: HybridScores['streams'] = { keys: [], values: [], direction: {} };

/** Rows [a, b) of a scoring pass as the block starting at table row `start`, keeping what ScoredHours are built from (copies, so the pass can be dropped). */
function blockOf(h: HybridScores, a: number, b: number, start: number): ScoredBlock {
  const cut = <T extends Float64Array | Uint8Array>(v: T) => v.slice(a, b) as T;
  const rec = (r: Record<string, Float64Array>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, cut(v)]));
  const kept: HybridScores = { rows: b - a, timestamps: h.timestamps.slice(a, b), probability: cut(h.probability), evidence: cut(h.evidence), bySignal: rec(h.bySignal), direction: rec(h.direction), scorable: cut(h.scorable), raw: null, streams: NO_STREAMS };
  const arrays = [kept.probability, kept.evidence, kept.scorable, ...Object.values(kept.bySignal), ...Object.values(kept.direction)];
  return { start, h: kept, bytes: 8 * kept.rows + arrays.reduce((n, v) => n + v.byteLength, 0) };
}

/** Bytes a table holds in memory: timestamps, signals, flags and label kinds (8-byte references). */
function frameBytes(f: CountryFrame): number {
  const n = f.timestamps.length;
  return 8 * n + Object.values(f.signals).reduce((s, v) => s + v.byteLength, 0) + f.gap.byteLength + f.unreliable.byteLength + 8 * n + 200 * f.labels.length;
}

/** Size on disk of a model folder's parsed parts (weights, calibration, spec, topology): their estimated memory. */
function modelBytes(dir: string): number {
  return [DETECTOR_FILES.weights, DETECTOR_FILES.calibration, DETECTOR_FILES.spec, DETECTOR_FILES.model].reduce((n, f) => n + (fs.statSync(path.join(dir, f), { throwIfNoEntry: false })?.size ?? 0), 0);
}

/** Index of the block holding row r of a table of n rows. */
const blockIndex = (c: LoadedCountry, r: number) => Math.floor((c.frame.timestamps.length - 1 - r) / c.blockRows);

/** Rows [start, end) of block k. */
function blockRowsOf(c: LoadedCountry, k: number): { start: number; end: number } {
  const n = c.frame.timestamps.length;
  return { start: Math.max(0, n - (k + 1) * c.blockRows), end: n - k * c.blockRows };
}

/** Scores the whole table in one pass (the preload path, as the service did before it loaded lazily) and keeps it as blocks; returns the bytes added. */
function scoreWholeTable(c: LoadedCountry): number {
  const n = c.frame.timestamps.length;
  const r = scoreRange(c.frame, c.det, c.cal, c.frame.timestamps[0], c.frame.timestamps[n - 1] + c.step);
  let added = 0;
  for (let k = 0; k * c.blockRows < n; k++) {
    if (c.blocks[k]) continue;
    const { start, end } = blockRowsOf(c, k);
    const b = (c.blocks[k] = blockOf(r.hybrid, start - r.start, end - r.start, start));
    added += b.bytes;
  }
  c.bytes += added;
  return added;
}

/** Scores block k with scoreRange (the block plus its feature history only) and keeps it; c.bytes grows by its size. */
function scoreBlock(c: LoadedCountry, k: number): ScoredBlock {
  const { start, end } = blockRowsOf(c, k);
  const ts = c.frame.timestamps;
  const r = scoreRange(c.frame, c.det, c.cal, ts[start], ts[end - 1] + c.step);
  const b = (c.blocks[k] = blockOf(r.hybrid, start - r.start, end - r.start, start));
  c.bytes += b.bytes;
  return b;
}

/**
 * Loads one country: calibration, the detector (loadDetector: weights, scaler, fingerprint re-scored) and the
 * processed table (a text scan of the rows discovery found). Nothing is scored yet, except the newest block of a table
 * shorter than the history scoring reads, to prove one row can be scored.
 */
async function loadCountry(cfg: Config, s: Servable, loader: NonNullable<DetectionServiceOptions['loadDetector']>, blockRows: number | undefined): Promise<LoadedCountry> {
  const cc = s.served.code;
  const dir = resultDirs.model(cc);
  const cal = loadCalibration(dir, cc);
  const det = await loader(cfg, cc);
  try {
    const frame = await readProcessed(cfg.data.processedDir, cc, { window: { fromMs: s.fromMs, toMs: s.toMs } });
    const n = frame.timestamps.length;
    const table = processedPaths(cfg.data.processedDir, cc).csv;
    // a table that grew since start is served over the rows found at start; one whose rows there moved is refused
    if (n !== s.rows || frame.timestamps[0] !== s.fromMs) {
      throw new DataError(`${table} changed since the server started (it had ${s.rows} rows from ${s.served.dataFrom} to ${s.served.dataTo}, now ${n} in that range); restart \`radarwatch serve\` to serve the new table`);
    }
    const c: LoadedCountry = { code: cc, det, cal, frame, step: s.step, blockRows: Math.max(1, blockRows ?? Math.round((BLOCK_DAYS * DAY_MS) / s.step)), blocks: [], answers: new Map(), bytes: frameBytes(frame) + modelBytes(dir) };
    // the newest rows have the most history: when none of the newest block can be scored, no row of the table can
    if (n <= scoreRangeHistoryRows(det, cal) && !scoreBlock(c, 0).h.scorable.some((x) => x === 1)) {
      throw new DataError(`the table ${table} has ${n} rows, none with the history detection needs; import or fetch a longer series`);
    }
    return c;
  } catch (e) {
    det.dispose();
    throw e;
  }
}

/** A country in the cache: loading (`ready` pending) or loaded. */
interface Slot {
  code: string;
  /** Settles once the country is loaded; every request that arrives meanwhile waits on the same load. */
  ready: Promise<LoadedCountry>;
  loaded?: LoadedCountry;
  /** Requests using the country now: a pinned country is never evicted. */
  pins: number;
  /** Taken out of the cache while pinned (its model failed): disposed when the last request lets go. */
  retired: boolean;
}

/** Runs at most `n` tasks at once, the rest in arrival order. */
function createLimiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const queue: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= n) await new Promise<void>((r) => queue.push(r));
    running++;
    try {
      return await task();
    } finally {
      running--;
      queue.shift()?.();
    }
  };
}

/**
 * The detection service. At start it only discovers what can be served (discoverCountry: cheap checks of each model
 * folder and table, nothing loaded), unless `preload` (models.yml `server.preload`; `auto` = at most
 * PRELOAD_AUTO_MAX models) loads and scores every table at start as before. A country's first request loads its
 * model and table once (concurrent first requests share that load); its table is scored in blocks of BLOCK_DAYS
 * (scoreRange over the block plus its history), each on the first request that needs it, and answers are built from
 * those scores. Loaded countries live in an LRU bounded by `server.cache` (countries and estimated MB): the least
 * recently used is evicted (its model disposed), never one a request in flight is using.
 *
 * A folder that fails discovery is degraded from the start; one that fails when loaded (e.g. a fingerprint mismatch)
 * fails that request with the error saying what is wrong and is degraded from then on — never served as "no
 * anomalies". No servable model at all is a NotFittedError saying what to run.
 */
export async function createDetectionService(cfg: Config, opts: DetectionServiceOptions = {}): Promise<DetectionService & { cache(): ServiceCacheStats }> {
  await initBackend();
  const t0 = performance.now();
  const codes = opts.countries ?? modelFolders();
  const missing = cfg.countries.filter((cc) => !codes.includes(cc));
  if (!opts.countries && missing.length) log.warn(`detect service: no model for ${missing.join(', ')} under ${path.join(resultsRoot(), 'models')}; run \`radarwatch train ${missing.join(',')}\` and \`radarwatch calibrate ${missing.join(',')}\` to serve them`);
  const loader = opts.loadDetector ?? loadCountryDetector;
  const bounds = { ...cfg.server.cache, ...opts.cache };
  const maxBytes = bounds.maxMegabytes * 1024 * 1024;

  const servable = new Map<string, Servable>();
  // countries whose model folder failed its checks (at start or on first use): /api/health reports them as degraded
  const degraded: DegradedCountry[] = [];
  let sorted: ServedCountry[] | undefined;
  const degrade = (cc: string, reason: string) => {
    servable.delete(cc);
    sorted = undefined;
    if (!degraded.some((d) => d.country === cc)) degraded.push({ country: cc, reason });
    log.warn(`detect service: not serving ${cc} (reported as degraded by /api/health): ${reason}`);
  };
  for (const cc of codes) {
    try {
      servable.set(cc, discoverCountry(cfg, cc));
    } catch (e) {
      if (!isRadarwatchError(e)) throw e;
      degrade(cc, e.message);
    }
  }
  const preload = opts.preload ?? (cfg.server.preload === 'auto' ? servable.size <= PRELOAD_AUTO_MAX : cfg.server.preload);

  const slots = new Map<string, Slot>(); // least recently used first
  const stats = { bytes: 0, loaded: 0, loads: 0, evictions: 0, answerHits: 0, answerMisses: 0 };
  const limit = createLimiter(LOAD_CONCURRENCY);
  let closed = false;

  const dispose = (s: Slot) => s.loaded?.det.dispose();
  const within = () => (!bounds.maxCountries || stats.loaded <= bounds.maxCountries) && (!maxBytes || stats.bytes <= maxBytes);
  /** Evicts least recently used countries no request is using until the cache is within its bounds. */
  const trim = () => {
    for (const [cc, s] of slots) {
      if (within()) return;
      if (!s.loaded || s.pins > 0) continue;
      slots.delete(cc);
      stats.bytes -= s.loaded.bytes;
      stats.loaded--;
      stats.evictions++;
      dispose(s);
      log.debug(`detect service: evicted ${cc} (least recently used; ${stats.loaded} loaded, ${(stats.bytes / 2 ** 20).toFixed(0)} MB)`);
    }
  };
  /** Takes a failed country out of the cache: disposed now, or by the last request still using it. */
  const retire = (s: Slot) => {
    if (slots.get(s.code) === s) slots.delete(s.code);
    if (s.loaded && !s.retired) {
      stats.bytes -= s.loaded.bytes;
      stats.loaded--;
    }
    s.retired = true;
    if (s.pins === 0) dispose(s);
  };
  const load = (cc: string): Slot => {
    // `ready` is set on the next line: the load task refers to the slot it fills
    const s = { code: cc, pins: 0, retired: false } as Slot;
    s.ready = limit(async () => {
      const found = servable.get(cc);
      if (closed || !found) throw new NotFoundError(`The detection service is closed; ${cc} is not loaded`);
      const t = performance.now();
      const c = await loadCountry(cfg, found, loader, opts.blockRows);
      if (closed) {
        c.det.dispose();
        throw new NotFoundError(`The detection service is closed; ${cc} is not loaded`);
      }
      s.loaded = c;
      stats.bytes += c.bytes;
      stats.loaded++;
      stats.loads++;
      log.info(`detect service: ${cc} loaded in ${((performance.now() - t) / 1000).toFixed(2)} s (${c.frame.timestamps.length} rows; ${stats.loaded} loaded, ${(stats.bytes / 2 ** 20).toFixed(1)} MB)`);
      trim();
      return c;
    });
    s.ready.catch((e: unknown) => {
      if (slots.get(cc) === s) slots.delete(cc);
      if (isRadarwatchError(e) && !closed && servable.has(cc)) degrade(cc, e.message);
    });
    return s;
  };
  /** Runs `use` on the loaded country (loading it first), pinned so no eviction can dispose its model meanwhile. */
  const withCountry = async <T>(cc: string, use: (c: LoadedCountry) => T): Promise<T> => {
    let s = slots.get(cc);
    if (s) slots.delete(cc);
    else s = load(cc);
    slots.set(cc, s); // most recently used last
    s.pins++;
    try {
      return use(await s.ready);
    } finally {
      s.pins--;
      if (s.retired && s.pins === 0) dispose(s);
      trim();
    }
  };
  /** Block k of a loaded country, scored now if it was not; a scoring error is the model's or the table's: the country is degraded. */
  const block = (c: LoadedCountry, k: number): ScoredBlock => {
    const have = c.blocks[k];
    if (have) return have;
    try {
      const b = scoreBlock(c, k);
      stats.bytes += b.bytes;
      return b;
    } catch (e) {
      const s = slots.get(c.code);
      if (isRadarwatchError(e) && s?.loaded === c) {
        retire(s);
        degrade(c.code, e.message);
      }
      throw e;
    }
  };
  /** ScoredHours of rows [a, b) of a loaded country's table. */
  const hoursOf = (c: LoadedCountry, a: number, b: number): ScoredHour[] => {
    const out: ScoredHour[] = [];
    for (let r = a; r < b; ) {
      const blk = block(c, blockIndex(c, r));
      const end = Math.min(b, blk.start + blk.h.rows);
      for (; r < end; r++) out.push(scoredHourAt(blk.h, r - blk.start));
    }
    return out;
  };

  /** The DetectResult of a loaded country over a range checked by rangeOf, with its series when asked. */
  const resultOf = (c: LoadedCountry, w: ReturnType<typeof rangeOf>, series: boolean): DetectResult =>
    buildDetectResult(c.code, w.fromMs, w.toMs, c.det, c.cal, hoursOf(c, w.a, w.b), series ? seriesOf(c.frame, w.a, w.b, w.fromMs, w.toMs) : undefined);

  /** Keeps `body` as the answer for `key`, dropping the country's least recently used answers beyond ANSWERS_PER_COUNTRY. */
  const keepAnswer = (c: LoadedCountry, key: string, body: Buffer) => {
    c.answers.set(key, body);
    c.bytes += body.length;
    stats.bytes += body.length;
    for (const [k, v] of c.answers) {
      if (c.answers.size <= ANSWERS_PER_COUNTRY) break;
      c.answers.delete(k);
      c.bytes -= v.length;
      stats.bytes -= v.length;
    }
  };

  const countries = (): ServedCountry[] => (sorted ??= [...servable.values()].map((s) => s.served).sort((a, b) => a.code.localeCompare(b.code)));
  /** The served country `country` names (imported ids are case-sensitive, country codes are not); NotFoundError otherwise. */
  const resolve = (country: string): Servable => {
    const s = servable.get(country) ?? servable.get(country.toUpperCase());
    if (s) return s;
    const d = degraded.find((x) => x.country === country || x.country === country.toUpperCase());
    if (d) throw new NotFoundError(`Country "${d.country}" is not served: ${d.reason}`);
    throw new NotFoundError(`Unknown country "${country}". Known: ${countries().map((x) => x.code).join(', ')}`);
  };
  /** [from, to) aligned to the series' grid and checked against the data (before anything is loaded), as table rows [a, b). */
  const rangeOf = (s: Servable, from: Date, to: Date) => {
    const fromMs = s.fromMs + Math.ceil((from.getTime() - s.fromMs) / s.step) * s.step;
    const toMs = s.fromMs + Math.ceil((to.getTime() - s.fromMs) / s.step) * s.step;
    if (!(fromMs < toMs)) throw new InputError(`Empty range ${from.toISOString()}..${to.toISOString()}: expected from before to, spanning at least one hour start`);
    if (fromMs < s.fromMs || toMs > s.toMs) {
      throw new DataError(`Range ${iso(fromMs)}..${iso(toMs)} is outside the data of ${s.served.code}: hours from ${s.served.dataFrom} to ${s.served.dataTo} (exclusive) can be scored`);
    }
    return { fromMs, toMs, a: (fromMs - s.fromMs) / s.step, b: (toMs - s.fromMs) / s.step };
  };

  if (preload) {
    for (const cc of [...servable.keys()]) {
      try {
        await withCountry(cc, (c) => {
          if (c.blocks.filter(Boolean).length * c.blockRows < c.frame.timestamps.length) stats.bytes += scoreWholeTable(c);
          if (!c.blocks.some((b) => b?.h.scorable.some((x) => x === 1))) throw new DataError(`the table ${processedPaths(cfg.data.processedDir, cc).csv} has ${c.frame.timestamps.length} rows, none with the history detection needs; import or fetch a longer series`);
        });
      } catch (e) {
        if (!isRadarwatchError(e)) throw e;
        const s = slots.get(cc);
        if (s) retire(s);
        if (servable.has(cc)) degrade(cc, e.message);
      }
    }
    if (stats.evictions > 0) {
      log.warn(`detect service: preloaded ${stats.loads} models, but only ${stats.loaded} fit server.cache (maxCountries ${bounds.maxCountries || 'unlimited'}, maxMegabytes ${bounds.maxMegabytes || 'unlimited'}); the others load again on their first request`);
    }
  }
  if (servable.size === 0) {
    const where = path.join(resultsRoot(), 'models');
    const why = degraded.length ? ` Skipped: ${degraded.map((d) => `${d.country}: ${d.reason}`).join('; ')}.` : ` ${where} holds no model folders.`;
    throw new NotFittedError(`No trained and calibrated models to serve under ${where}.${why} Run \`radarwatch train\` and then \`radarwatch calibrate\` first.`);
  }
  log.info(
    `detect service: ${servable.size} model${servable.size === 1 ? '' : 's'} ${preload ? `loaded and scored` : 'found (each loads on its first request)'} in ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
      `cache: ${bounds.maxCountries ? `at most ${bounds.maxCountries}` : 'any number of'} countries, ${bounds.maxMegabytes ? `at most ${bounds.maxMegabytes} MB` : 'no memory bound'}`,
  );

  return {
    countries,
    degraded: () => degraded,
    async detect(country, from, to, o) {
      const s = resolve(country);
      const w = rangeOf(s, from, to);
      return withCountry(s.served.code, (c) => resultOf(c, w, o.series));
    },
    async detectJson(country, from, to, o) {
      const s = resolve(country);
      const w = rangeOf(s, from, to);
      return withCountry(s.served.code, (c) => {
        // a loaded country's table and model never change: its answer for a range is the same until it is evicted
        const key = `${w.a}:${w.b}:${o.series ? 's' : ''}`;
        const kept = c.answers.get(key);
        if (kept) {
          stats.answerHits++;
          c.answers.delete(key);
          c.answers.set(key, kept);
          return kept;
        }
        stats.answerMisses++;
        const body = Buffer.from(JSON.stringify(resultOf(c, w, o.series)));
        if (body.length <= MAX_KEPT_ANSWER_BYTES) keepAnswer(c, key, body);
        return body;
      });
    },
    async summarize(country, from, to) {
      const s = resolve(country);
      const w = rangeOf(s, from, to);
      return withCountry(s.served.code, (c) => summarizeScoredHours(c.code, w.fromMs, w.toMs, hoursOf(c, w.a, w.b), c.det.config.detect, c.step));
    },
    cache: () => ({
      mode: preload ? 'preloaded' : 'lazy',
      loaded: stats.loaded,
      loading: [...slots.values()].filter((s) => !s.loaded).length,
      megabytes: Math.round((stats.bytes / 2 ** 20) * 10) / 10,
      maxCountries: bounds.maxCountries,
      maxMegabytes: bounds.maxMegabytes,
      loads: stats.loads,
      evictions: stats.evictions,
      answers: { kept: [...slots.values()].reduce((n, x) => n + (x.loaded?.answers.size ?? 0), 0), hits: stats.answerHits, misses: stats.answerMisses },
    }),
    close() {
      closed = true;
      for (const s of slots.values()) dispose(s);
      slots.clear();
      stats.bytes = 0;
      stats.loaded = 0;
    },
  };
}
