/**
 * `radarwatch serve` over a fleet of 250 models (248 country codes + 2 imported ids), as a separate process started
 * through bin/radarwatch.js: seconds until it answers, RSS after touching every country once (a one-day request each),
 * one-day `GET /api/detect` latency at 32 connections over the touched countries' newest month (calendar days, which
 * repeat: answered from kept bodies), and the same for 24-hour windows from random hours (new ranges). The fleet is
 * copies of one trained, calibrated model and its 3-year table (results/models/<CC> when one is there, else a
 * model trained here for 2 epochs on the embedded generator), so every copy passes the same checks, fingerprint
 * included. Runnable alone: `npx tsx scripts/bench/serve-fleet.ts [N]`.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import { DAY_MS } from '../../src/base/time';
import { fitCalibration } from '../../src/calibrate/calibrate';
import { fitFingerprint, saveFingerprint } from '../../src/calibrate/fingerprint';
import { saveCalibration } from '../../src/calibrate/store';
import { parseConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { processedPaths, resultDirs } from '../../src/data/paths';
import { readProcessed, writeProcessed } from '../../src/data/processed';
import { loadCountryDetector } from '../../src/detect/load';
import { DETECTOR_FILES, saveDetector } from '../../src/model/artifact';
import type { ServedCountry } from '../../src/server/deps';
import { trainCountry } from '../../src/train/country';
import { knownCountryCodes } from '../../src/util/countries';
import { createRng } from '../../src/util/random';
import { cannon, cannonSummary, percentiles } from './cannon';
import { cpuSecondsOf, memoryOf } from './proc';
import { benchFrame } from './frame';
import { runStandalone, type Bench } from './types';

const FLEET = 250;
const CONNECTIONS = 32;
const HTTP_SECONDS = 10;
/** First requests in flight at once while every country is touched. */
const TOUCH_CONCURRENCY = 4;
/** Countries asked for a day a year back (a block not scored yet) after the touch. */
const COLD_BLOCK_PROBES = 20;
const TARGET_READY_S = 15;
const TARGET_RSS_MB = 1536;
const TARGET_P99_MS = 10;
const ROOT = path.resolve(__dirname, '..', '..');
const loadAverage = () => os.loadavg().map((x) => Math.round(x * 100) / 100);
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** The model folder every fleet member copies: a calibrated, fingerprinted model under results/models with its processed table. */
function existingModel(cfg: Config): string | undefined {
  const root = path.dirname(path.resolve(resultDirs.model('_')));
  const candidates = [...cfg.countries, ...(fs.existsSync(root) ? fs.readdirSync(root) : [])];
  return candidates.find((cc) => {
    const dir = path.join(root, cc);
    return [DETECTOR_FILES.meta, DETECTOR_FILES.calibration, DETECTOR_FILES.fingerprint].every((f) => fs.existsSync(path.join(dir, f))) && fs.existsSync(path.resolve(processedPaths(cfg.data.processedDir, cc).csv));
  });
}

/** The fleet's model when results/models has none: a small model (2 epochs) on 3 years of generated AT, calibrated and fingerprinted under `root`. */
export async function trainSource(cfg: Config, root: string): Promise<{ modelDir: string; processedDir: string; id: string }> {
  const id = 'AT';
  const processedDir = path.join(root, 'source-processed');
  const small = parseConfig({ ...cfg, train: { ...cfg.train, epochs: 2 }, data: { ...cfg.data, processedDir } });
  const saved = process.env.RADARWATCH_RESULTS;
  process.env.RADARWATCH_RESULTS = path.join(root, 'source-results');
  try {
    const { frame } = await benchFrame(small, id);
    writeProcessed(processedDir, frame, { source: 'synthetic', fill: { maxInterpolateHours: 3, rule: 'bench' }, gapHours: {} });
    const r = await trainCountry(frame, small, { progress: false });
    await saveDetector(resultDirs.model(id), r, small, { country: id });
    r.model.dispose();
    const det = await loadCountryDetector(small, id);
    const table = await readProcessed(processedDir, id);
    const v = det.meta.split.validation;
    saveCalibration(det.dir, fitCalibration(table, det, Date.parse(v.from), Date.parse(v.to)));
    saveFingerprint(det.dir, fitFingerprint(table, det, Date.parse(v.from), Date.parse(v.to), { country: id }));
    det.dispose();
    return { modelDir: path.resolve(det.dir), processedDir, id };
  } finally {
    if (saved === undefined) delete process.env.RADARWATCH_RESULTS;
    else process.env.RADARWATCH_RESULTS = saved;
  }
}

/** Links `from` to `to` (a hard link shares the bytes; a copy where links are not possible). */
function linkOrCopy(from: string, to: string): void {
  try {
    fs.linkSync(from, to);
  } catch {
    fs.copyFileSync(from, to);
  }
}

/** The fleet's ids: every country code the time-zone database knows (248), then imported ids up to `n`. */
export function fleetIds(n: number): string[] {
  const codes = knownCountryCodes().slice(0, n);
  for (let i = 1; codes.length < n; i++) codes.push(`fleet_${i}`);
  return codes;
}

/**
 * Writes `n` model folders under `<root>/results/models` (copies of one model) and their processed tables under
 * `<root>/processed` (the CSV hard-linked, labels copied, meta.json rewritten with the id), and a config file naming
 * that processed folder. Returns the ids, where the model came from and the config file.
 */
export async function buildFleet(cfg: Config, root: string, n: number): Promise<{ ids: string[]; source: string; configFile: string }> {
  const cc = existingModel(cfg);
  const src = cc ? { modelDir: path.resolve(resultDirs.model(cc)), processedDir: path.resolve(cfg.data.processedDir), id: cc } : await trainSource(cfg, root);
  const models = path.join(root, 'results', 'models');
  const processed = path.join(root, 'processed');
  fs.mkdirSync(processed, { recursive: true });
  const table = processedPaths(src.processedDir, src.id);
  const meta = JSON.parse(fs.readFileSync(table.meta, 'utf8')) as Record<string, unknown>;
  const ids = fleetIds(n);
  for (const id of ids) {
    const dir = path.join(models, id);
    fs.mkdirSync(dir, { recursive: true });
    for (const f of fs.readdirSync(src.modelDir)) fs.copyFileSync(path.join(src.modelDir, f), path.join(dir, f));
    const p = processedPaths(processed, id);
    linkOrCopy(table.csv, p.csv);
    fs.copyFileSync(table.labels, p.labels);
    fs.writeFileSync(p.meta, JSON.stringify({ ...meta, id }));
  }
  const configFile = path.join(root, 'models.yml');
  fs.writeFileSync(configFile, YAML.stringify({ ...cfg, data: { ...cfg.data, processedDir: processed } }));
  return { ids, source: cc ? `copies of ${path.relative(ROOT, src.modelDir)} and ${path.relative(ROOT, table.csv)}` : 'copies of a model trained for 2 epochs on 3 generated years of AT', configFile };
}

/** Starts `radarwatch serve --port 0` as a child process; resolves with its URL once it logs that it is serving. */
function startServe(configFile: string, resultsRoot: string, logFile: string): Promise<{ child: ChildProcess; url: string; seconds: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'radarwatch.js'), '--config', configFile, 'serve', '--port', '0', '--host', '127.0.0.1'], {
    cwd: ROOT,
    env: { ...process.env, RADARWATCH_RESULTS: resultsRoot, RADARWATCH_LOG: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const log = fs.createWriteStream(logFile);
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stderr!.on('data', (d: Buffer) => {
      log.write(d);
      if (seen === null) return;
      seen += d.toString();
      const m = /serving \d+ models? .* at (http:\/\/127\.0\.0\.1:\d+)\//.exec(seen);
      if (m) {
        seen = null as unknown as string;
        resolve({ child, url: m[1], seconds: (performance.now() - t0) / 1000 });
      }
    });
    child.on('exit', (code) => reject(new Error(`radarwatch serve exited with code ${code} before serving; see ${logFile}`)));
  });
}

async function getJson<T>(url: string): Promise<{ status: number; body: T; ms: number }> {
  const t = performance.now();
  const r = await fetch(url);
  const body = (await r.json()) as T;
  return { status: r.status, body, ms: performance.now() - t };
}

/** UTC day starts whose whole day lies in [from, to). */
function daysIn(from: number, to: number): number[] {
  const out: number[] = [];
  for (let d = Math.ceil(from / DAY_MS) * DAY_MS; d + DAY_MS <= to; d += DAY_MS) out.push(d);
  return out;
}
const dayParam = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The server's counts of answers served from kept bodies (DetectionService.detectJson) so far. */
async function answerStats(url: string): Promise<{ hits: number; misses: number }> {
  const h = await getJson<{ cache?: { answers?: { hits: number; misses: number } } }>(`${url}/api/health`);
  return h.body.cache?.answers ?? { hits: 0, misses: 0 };
}

/** Hits and misses between two answerStats, and the share of hits. */
function answerDelta(a: { hits: number; misses: number }, b: { hits: number; misses: number }) {
  const hits = b.hits - a.hits;
  const misses = b.misses - a.misses;
  return { hits, misses, hitRate: round(hits / Math.max(1, hits + misses), 3) };
}

/** Runs `task` over `items` with at most `n` in flight. */
async function pool<T>(items: T[], n: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await task(items[next++]);
  }));
}

/** Builds a fleet of `n` models in a temp folder, serves it and measures; the folder is removed afterwards. */
export async function runServeFleet(cfg: Config, n = FLEET): Promise<Record<string, unknown>> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-fleet-'));
  const logFile = path.join(resultDirs.benchmarks(), 'serve-fleet.log');
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  let child: ChildProcess | undefined;
  try {
    let t = performance.now();
    const fleet = await buildFleet(cfg, root, n);
    const buildSeconds = (performance.now() - t) / 1000;
    process.stderr.write(`serve-fleet: ${n} models built in ${buildSeconds.toFixed(1)} s (${fleet.source}); starting radarwatch serve\n`);
    const loadAtStart = loadAverage();
    const started = await startServe(fleet.configFile, path.join(root, 'results'), logFile);
    child = started.child;
    const pid = child.pid!;
    const health = await getJson<{ models: number; status: string; cache?: unknown }>(`${started.url}/api/health`);
    const readySeconds = started.seconds;
    const atReady = memoryOf(pid);
    const countries = (await getJson<{ countries: ServedCountry[] }>(`${started.url}/api/countries`)).body.countries;
    process.stderr.write(`serve-fleet: ready in ${readySeconds.toFixed(1)} s with ${countries.length} models, RSS ${atReady.rssMB} MB; touching every country once\n`);

    // every country once: a one-day request for its newest full day (its first request: the load and one block)
    const firstMs: number[] = [];
    const failed: string[] = [];
    t = performance.now();
    await pool(countries, TOUCH_CONCURRENCY, async (c) => {
      const days = daysIn(Date.parse(c.dataFrom), Date.parse(c.dataTo));
      const r = await getJson<unknown>(`${started.url}/api/detect?country=${c.code}&date=${dayParam(days[days.length - 1])}`);
      firstMs.push(r.ms);
      if (r.status !== 200) failed.push(`${c.code}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
    });
    const touchSeconds = (performance.now() - t) / 1000;
    const afterTouch = memoryOf(pid);
    const overview = await getJson<unknown>(`${started.url}/api/overview?window=30d`);
    process.stderr.write(`serve-fleet: touched ${countries.length} countries in ${touchSeconds.toFixed(1)} s, RSS ${afterTouch.rssMB} MB; measuring one-day /api/detect at ${CONNECTIONS} connections\n`);

    // one-day requests over the newest 30 days of every country (the blocks the touch scored), in random order
    const rng = createRng(2025);
    const recent = countries.map((c) => ({ code: c.code, days: daysIn(Math.max(Date.parse(c.dataFrom), Date.parse(c.dataTo) - 30 * DAY_MS), Date.parse(c.dataTo)) }));
    const paths = Array.from({ length: 5000 }, () => {
      const c = recent[Math.floor(rng() * recent.length)];
      return `/api/detect?country=${c.code}&date=${dayParam(c.days[Math.floor(rng() * c.days.length)])}`;
    });
    await cannon(started.url, paths, 2, CONNECTIONS); // warm-up: JIT, sockets
    const answers0 = await answerStats(started.url);
    const cpu0 = cpuSecondsOf(pid);
    const http = await cannon(started.url, paths, HTTP_SECONDS, CONNECTIONS);
    const serverCpuMsPerRequest = round(((cpuSecondsOf(pid) - cpu0) * 1000) / Math.max(1, http.total), 3);
    const answers1 = await answerStats(started.url);
    // 24-hour windows starting at a random hour of the same month: each range new to the server (its kept answers miss)
    const windows = Array.from({ length: 40_000 }, () => {
      const c = recent[Math.floor(rng() * recent.length)];
      const from = c.days[Math.floor(rng() * (c.days.length - 1))] + (1 + Math.floor(rng() * 23)) * 3_600_000;
      return `/api/detect?country=${c.code}&from=${new Date(from).toISOString().slice(0, 13)}:00Z&to=${new Date(from + DAY_MS).toISOString().slice(0, 13)}:00Z`;
    });
    const cpu1 = cpuSecondsOf(pid);
    const fresh = await cannon(started.url, windows, HTTP_SECONDS, CONNECTIONS);
    const freshCpuMsPerRequest = round(((cpuSecondsOf(pid) - cpu1) * 1000) / Math.max(1, fresh.total), 3);
    const answers2 = await answerStats(started.url);
    const afterHttp = memoryOf(pid);

    // a day a year back in a few countries: a loaded country scoring a block it has not scored yet
    const coldMs: number[] = [];
    for (const c of countries.slice(0, COLD_BLOCK_PROBES)) {
      const day = Math.ceil((Date.parse(c.dataTo) - 365 * DAY_MS) / DAY_MS) * DAY_MS;
      if (day < Date.parse(c.dataFrom)) continue;
      coldMs.push((await getJson<unknown>(`${started.url}/api/detect?country=${c.code}&date=${dayParam(day)}`)).ms);
    }
    const end = await getJson<{ status: string; models: number; cache?: Record<string, unknown>; degraded?: unknown[] }>(`${started.url}/api/health`);
    const p99 = http.latency.p99;
    return {
      models: n,
      servedModels: countries.length,
      fleet: fleet.source,
      buildSeconds: round(buildSeconds, 1),
      readySeconds: round(readySeconds),
      healthAtReady: { status: health.body.status, models: health.body.models, cache: health.body.cache },
      rssMB: { atReady: atReady.rssMB, afterTouchingEveryCountry: afterTouch.rssMB, afterHttp: afterHttp.rssMB, peak: afterHttp.peakMB },
      touch: { countries: countries.length, concurrency: TOUCH_CONCURRENCY, seconds: round(touchSeconds, 1), failed, firstRequestMs: percentiles(firstMs) },
      overview30dAfterTouchMs: round(overview.ms, 1),
      http: { connections: CONNECTIONS, seconds: HTTP_SECONDS, days: 'a random one of the newest 30 full days of a random country', ...cannonSummary(http), serverCpuMsPerRequest, keptAnswers: answerDelta(answers0, answers1) },
      httpFreshRanges: { connections: CONNECTIONS, seconds: HTTP_SECONDS, ranges: '24 hours from a random hour of the newest 30 days of a random country (new ranges: kept answers mostly miss)', ...cannonSummary(fresh), serverCpuMsPerRequest: freshCpuMsPerRequest, keptAnswers: answerDelta(answers1, answers2) },
      coldBlockMs: coldMs.length ? percentiles(coldMs) : null,
      healthAtEnd: { status: end.body.status, models: end.body.models, cache: end.body.cache, degraded: end.body.degraded?.length ?? 0 },
      targets: { readySeconds: TARGET_READY_S, rssMB: TARGET_RSS_MB, p99Ms: TARGET_P99_MS },
      withinTarget: { ready: readySeconds <= TARGET_READY_S, rss: afterTouch.rssMB <= TARGET_RSS_MB && afterHttp.peakMB <= TARGET_RSS_MB, p99: p99 <= TARGET_P99_MS && http.non2xx === 0 && http.errors === 0 },
      loadAverage: { atStart: loadAtStart, atEnd: loadAverage() },
      log: path.relative(ROOT, logFile),
    };
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    fs.rmSync(root, { recursive: true, force: true });
  }
}

export const serveFleetBench: Bench = {
  name: 'serve-fleet',
  description: `\`radarwatch serve\` (a separate process) over ${FLEET} models (copies of one): seconds to ready (target ≤ ${TARGET_READY_S} s), RSS after a one-day request for every country (target ≤ ${TARGET_RSS_MB} MB), one-day GET /api/detect p99 at ${CONNECTIONS} connections for ${HTTP_SECONDS} s over the touched countries' newest month (target ≤ ${TARGET_P99_MS} ms; calendar days, which repeat and are answered from kept bodies once asked), and the same for 24-hour windows at random hours (new ranges: serialised per request).`,
  run: (cfg) => runServeFleet(cfg),
};

if (require.main === module) runStandalone(serveFleetBench, (cfg) => runServeFleet(cfg, Number(process.argv[2] ?? FLEET)));
