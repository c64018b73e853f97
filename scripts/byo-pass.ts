/**
 * Bring-your-own-data pass over the public data sets, through the compiled CLI as a user runs it (issue 13): every CSV
 * of NAB v1.1 and every Microsoft cloud-monitoring series spanning at least 14 days goes through
 *   radarwatch import <csv> --id <id> [--labels <windows.csv>] → train <id> → calibrate <id> → detect <id> --from --to --json
 * each a fresh `node dist/cli/main.js …` child process with the defaults (no --epochs/--step/…), in a temporary
 * folder: a copy of models.yml whose data.rawDir/processedDir point there, RADARWATCH_CONFIG selecting it,
 * RADARWATCH_RESULTS for the models, RADARWATCH_PROGRESS=0, and the temporary folder as working directory, so
 * nothing is written into the project except the report.
 *
 * Per file it records id, rows, step, seconds per command, ok/failed with the failing command and the error's first
 * line, and for detect the rows returned vs the rows of the imported table (and the native rows of the CSV), the
 * step between returned rows, and how many rows are `scorable: false`. The report is rewritten after every file.
 *
 *   npx tsx scripts/byo-pass.ts [--datasets nab,cloud] [--limit N] [--only SUBSTR] [--out results/benchmarks/byo-pass.json]
 *                               [--config-base models.yml|schema] [--timeout-min 30] [--keep] [--no-build] [--no-snapshot]
 *
 * --limit N        the first N files of each data set (a smoke run)
 * --only SUBSTR    only files whose relative path contains SUBSTR (comma-separated list: any of them)
 * --config-base    models.yml (default: the project's config, what `radarwatch` run in the project uses) or schema
 *                  (schema defaults, only the folders set: what test/cli/byo.test.ts uses)
 * --keep           keep the temporary folder (its path is printed and stored in the report)
 * --no-build       use dist/ as it is (it must hold a stamped build); by default a stale dist/ is rebuilt first
 * --no-snapshot    run dist/cli/main.js in place; by default the pass runs a copy of dist/ taken at its start, so a
 *                  rebuild by someone else during the pass cannot change the code under test
 *
 * Data sets are read from $RADARWATCH_DATASETS (default ../shared/datasets from the project root), never copied.
 * Builds dist/ first when it is stale, then runs a copy of it (see --no-snapshot); the build stamp is recorded.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isCountryCode, isSeriesId } from '../src/util/series-id';
import { build } from './build';

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const STAMP = path.join(ROOT, 'dist', '.build-stamp.json');
const DAY_MS = 86_400_000;
const MIN_CLOUD_DAYS = 14;

type DatasetName = 'nab' | 'cloud';
type Stage = 'import' | 'train' | 'calibrate' | 'detect';

interface Args {
  datasets: DatasetName[];
  limit: number;
  only: string[];
  out: string;
  configBase: 'models.yml' | 'schema';
  timeoutMs: number;
  keep: boolean;
  build: boolean;
  snapshot: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { datasets: ['nab', 'cloud'], limit: Infinity, only: [], out: path.join(ROOT, 'results', 'benchmarks', 'byo-pass.json'), configBase: 'models.yml', timeoutMs: 30 * 60_000, keep: false, build: true, snapshot: true };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${k} needs a value`);
      return x;
    };
    if (k === '--datasets') {
      const list = v().split(',').map((s) => s.trim()).filter(Boolean);
      for (const d of list) if (d !== 'nab' && d !== 'cloud') throw new Error(`--datasets: unknown data set "${d}" (nab, cloud)`);
      a.datasets = list as DatasetName[];
    } else if (k === '--limit') {
      a.limit = Number(v());
      if (!(a.limit > 0)) throw new Error('--limit needs a positive number');
    } else if (k === '--only') a.only = v().split(',').filter(Boolean);
    else if (k === '--out') a.out = path.resolve(v());
    else if (k === '--config-base') {
      const b = v();
      if (b !== 'models.yml' && b !== 'schema') throw new Error('--config-base: models.yml or schema');
      a.configBase = b;
    } else if (k === '--timeout-min') a.timeoutMs = Number(v()) * 60_000;
    else if (k === '--keep') a.keep = true;
    else if (k === '--no-build') a.build = false;
    else if (k === '--no-snapshot') a.snapshot = false;
    else if (k === '--help' || k === '-h') {
      process.stdout.write(fs.readFileSync(__filename, 'utf8').split('*/')[0] + '*/\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${k}`);
  }
  return a;
}

// ---------------------------------------------------------------------------------------------------------------
// Input files

function datasetsRoot(): string {
  return process.env.RADARWATCH_DATASETS ?? path.resolve(ROOT, '..', 'shared', 'datasets');
}

/** Epoch ms of a NAB / cloud-monitoring time: `2014-04-01 00:02:00[.000000]`, `"2018-03-15T00:00:00Z"`; no zone = UTC. */
function parseTime(text: string): number {
  let t = text.trim().replace(/^"|"$/g, '').replace(' ', 'T');
  if (!/(Z|[+-]\d\d:?\d\d)$/.test(t)) t += 'Z';
  t = t.replace(/(\.\d{3})\d+/, '$1');
  return Date.parse(t);
}

/** What the CSV holds before import: data rows, distinct timestamps, first/last and the median spacing. */
interface CsvFacts {
  dataRows: number;
  distinctTimestamps: number;
  firstMs: number;
  lastMs: number;
  medianStepMs: number;
  spanDays: number;
  timestamps: Set<number>;
  /** The time of every data row, in file order (duplicates kept). */
  rowTimes: number[];
}

export function csvFacts(file: string): CsvFacts {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/).slice(1).filter((l) => l.trim() !== '');
  const ts = lines.map((l) => parseTime(l.split(',')[0]));
  const bad = ts.findIndex((t) => !Number.isFinite(t));
  if (bad >= 0) throw new Error(`${file}: row ${bad + 1} has no parseable time ("${lines[bad].split(',')[0]}")`);
  const uniq = [...new Set(ts)].sort((a, b) => a - b);
  const diffs = uniq.slice(1).map((t, i) => t - uniq[i]).sort((a, b) => a - b);
  const medianStepMs = diffs.length ? diffs[Math.floor(diffs.length / 2)] : 0;
  const firstMs = uniq[0];
  const lastMs = uniq[uniq.length - 1];
  return { dataRows: lines.length, distinctTimestamps: uniq.length, firstMs, lastMs, medianStepMs, spanDays: (lastMs - firstMs + medianStepMs) / DAY_MS, timestamps: new Set(uniq), rowTimes: ts };
}

/** An id by the project's rule (letters, digits, _ and -, 1–64 chars, not a country code), unique in `taken`. */
function makeId(prefix: string, rel: string, taken: Set<string>): string {
  let id = `${prefix}_${rel.replace(/\.csv$/, '').replace(/\//g, '_')}`.replace(/[^A-Za-z0-9_-]/g, '_');
  if (id.length > 64) id = id.slice(0, 64);
  let n = 2;
  const base = id;
  while (taken.has(id) || isCountryCode(id)) id = `${base.slice(0, 60)}_${n++}`;
  if (!isSeriesId(id)) throw new Error(`id "${id}" made for ${rel} breaks the series-id rule`);
  taken.add(id);
  return id;
}

interface Job {
  dataset: DatasetName;
  rel: string;
  file: string;
  id: string;
  facts: CsvFacts;
  /** NAB: anomaly windows [start, end] inclusive, from labels/combined_windows.json. */
  windows?: [number, number][];
}

interface Skipped {
  dataset: DatasetName;
  rel: string;
  why: string;
  spanDays?: number;
}

function listCsv(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .sort()
    .flatMap((d) => (fs.statSync(path.join(dir, d)).isDirectory() ? fs.readdirSync(path.join(dir, d)).filter((f) => f.endsWith('.csv')).sort().map((f) => `${d}/${f}`) : []));
}

function collectJobs(args: Args): { jobs: Job[]; skipped: Skipped[] } {
  const jobs: Job[] = [];
  const skipped: Skipped[] = [];
  const taken = new Set<string>();
  const wanted = (rel: string) => args.only.length === 0 || args.only.some((s) => rel.includes(s));
  if (args.datasets.includes('nab')) {
    const root = path.join(datasetsRoot(), 'nab');
    const windows = JSON.parse(fs.readFileSync(path.join(root, 'labels', 'combined_windows.json'), 'utf8')) as Record<string, [string, string][]>;
    let n = 0;
    for (const rel of listCsv(path.join(root, 'data'))) {
      if (!wanted(rel) || n >= args.limit) continue;
      n++;
      const file = path.join(root, 'data', rel);
      jobs.push({ dataset: 'nab', rel, file, id: makeId('nab', rel, taken), facts: csvFacts(file), windows: (windows[rel] ?? []).map(([a, b]) => [parseTime(a), parseTime(b)]) });
      if (!(rel in windows)) process.stderr.write(`byo-pass: ${rel} has no entry in combined_windows.json\n`);
    }
  }
  if (args.datasets.includes('cloud')) {
    const root = path.join(datasetsRoot(), 'cloud-monitoring', 'data');
    let n = 0;
    for (const rel of listCsv(root)) {
      if (!wanted(rel) || n >= args.limit) continue;
      const file = path.join(root, rel);
      const facts = csvFacts(file);
      if (facts.spanDays < MIN_CLOUD_DAYS) {
        skipped.push({ dataset: 'cloud', rel, why: `spans ${facts.spanDays.toFixed(2)} days (< ${MIN_CLOUD_DAYS})`, spanDays: +facts.spanDays.toFixed(3) });
        continue;
      }
      n++;
      jobs.push({ dataset: 'cloud', rel, file, id: makeId('cm', rel, taken), facts });
    }
  }
  return { jobs, skipped };
}

// ---------------------------------------------------------------------------------------------------------------
// The CLI

interface Run {
  status: number | null;
  seconds: number;
  /** CPU seconds (user + system, all threads) of the child: less inflated than wall time when others share the cores. */
  cpuSeconds: number | null;
  stdout: string;
  stderr: string;
  signal: string | null;
  spawnError?: string;
}

/** The compiled CLI the pass runs: dist/cli/main.js, or its snapshot (see snapshotDist). */
let CLI = path.join(DIST, 'cli', 'main.js');

/**
 * Copies dist/ (and package.json) into `dir`, with node_modules a link to the project's, so a rebuild of dist/ by
 * someone else during a pass of half an hour cannot change (or half-replace) the code under test. Returns main.js.
 */
function snapshotDist(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.cpSync(DIST, path.join(dir, 'dist'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const stamp = path.join(dir, 'dist', '.build-stamp.json');
  if (!fs.existsSync(stamp)) throw new Error('dist/ changed while it was copied (no build stamp in the copy); run again');
  return path.join(dir, 'dist', 'cli', 'main.js');
}

/** Preloaded into every child (node -r): prints its CPU time to stderr on exit, as scripts/bench/cli.ts reads it from the bin. */
const CPU_PRELOAD = `process.on('exit', () => { const c = process.cpuUsage(); process.stderr.write('\\nbyo-pass-cpu-ms ' + Math.round((c.user + c.system) / 1000) + '\\n'); });\n`;
let cpuPreload = '';

function cli(args: string[], env: NodeJS.ProcessEnv, cwd: string, timeoutMs: number): Run {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...(cpuPreload ? ['-r', cpuPreload] : []), CLI, ...args], { cwd, env, encoding: 'utf8', maxBuffer: 1 << 30, timeout: timeoutMs });
  let stderr = r.stderr ?? '';
  const m = stderr.match(/\n?byo-pass-cpu-ms (\d+)\n?/);
  if (m) stderr = stderr.replace(m[0], '');
  return { status: r.status, seconds: Number(process.hrtime.bigint() - t) / 1e9, cpuSeconds: m ? Number(m[1]) / 1000 : null, stdout: r.stdout ?? '', stderr, signal: r.signal, spawnError: r.error?.message };
}

/** The error's first line: the CLI's `radarwatch: …` line, else the first line that is not the backend notice. */
function firstErrorLine(r: Run): string {
  if (r.spawnError && r.signal) return `${r.spawnError} (signal ${r.signal})`;
  const lines = r.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const cli = lines.find((l) => l.startsWith('radarwatch:'));
  return cli ?? lines.find((l) => !/^tfjs backend:/.test(l)) ?? `exit ${r.status}${r.signal ? ` (signal ${r.signal})` : ''}, no message`;
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const iso = (ms: number) => new Date(ms).toISOString();

function fmtStep(ms: number): string {
  if (ms % DAY_MS === 0) return `${ms / DAY_MS}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}

interface DetectFacts {
  rowsReturned: number;
  rowsInTable: number;
  rowsMatch: boolean;
  /** The spacing of the returned rows (all equal to the table's step when `uniformStep`). */
  stepMs: number;
  uniformStep: boolean;
  scorableFalse: number;
  /** Scorable rows whose score is not a finite number in [0, 1] (should be 0). */
  badScores: number;
  anomalyRows: number;
  events: number;
  firstTimestamp: string;
  lastTimestamp: string;
  /** Distinct timestamps of the CSV that are a returned row's timestamp (native resolution: all on a regular series). */
  csvTimestampsReturned: number;
  csvDistinctTimestamps: number;
}

/**
 * How NAB's own rows map onto the rows detect returned (the grid at the series' step): each CSV row belongs to the
 * returned row whose step holds its time. NAB scores every row after its probation (15 % of the rows, at most 750),
 * so the figures that matter are rows after the probation whose step is `scorable: false`, and rows that share a step
 * with another row (they get one score between them).
 */
export interface NabRowFacts {
  csvRows: number;
  probationRows: number;
  /** CSV rows whose time is exactly a returned row's timestamp. */
  rowsOnAReturnedTimestamp: number;
  /** CSV rows whose step also holds another CSV row (repeated timestamps, irregular spacing). */
  rowsSharingAStep: number;
  /** CSV rows outside every returned step (should be 0). */
  rowsWithoutAStep: number;
  /** Returned rows that hold no CSV row (filled gaps on an irregular series). */
  returnedRowsWithoutACsvRow: number;
  /** CSV rows after the probation whose step is `scorable: false`: NAB rows without a score. */
  rowsAfterProbationUnscorable: number;
  /** The first CSV row (0-based, file order) whose step is scorable. */
  firstScorableCsvRow: number | null;
}

export function nabRowFacts(rowTimes: number[], returned: number[], stepMs: number, scorable: boolean[]): NabRowFacts {
  const n = rowTimes.length;
  const probationRows = Math.min(Math.floor(0.15 * n), 750);
  const stepOf = (t: number): number => {
    let lo = 0;
    let hi = returned.length - 1;
    if (hi < 0 || t < returned[0] || t >= returned[hi] + stepMs) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (returned[mid] <= t) lo = mid;
      else hi = mid - 1;
    }
    return t < returned[lo] + stepMs ? lo : -1;
  };
  const idx = rowTimes.map(stepOf);
  const perStep = new Map<number, number>();
  for (const i of idx) if (i >= 0) perStep.set(i, (perStep.get(i) ?? 0) + 1);
  const onTs = new Set(returned);
  let firstScorable: number | null = null;
  idx.forEach((i, r) => {
    if (firstScorable === null && i >= 0 && scorable[i]) firstScorable = r;
  });
  return {
    csvRows: n,
    probationRows,
    rowsOnAReturnedTimestamp: rowTimes.filter((t) => onTs.has(t)).length,
    rowsSharingAStep: idx.filter((i) => i >= 0 && perStep.get(i)! > 1).length,
    rowsWithoutAStep: idx.filter((i) => i < 0).length,
    returnedRowsWithoutACsvRow: returned.length - perStep.size,
    rowsAfterProbationUnscorable: idx.filter((i, r) => r >= probationRows && i >= 0 && !scorable[i]).length,
    firstScorableCsvRow: firstScorable,
  };
}

interface FileResult {
  dataset: DatasetName;
  file: string;
  id: string;
  csvRows: number;
  csvSpanDays: number;
  rows?: number;
  step?: string;
  stepMs?: number;
  labels?: number;
  seconds: Partial<Record<Stage, number>>;
  totalSeconds: number;
  cpuSeconds: Partial<Record<Stage, number>>;
  totalCpuSeconds: number;
  /** 1-minute load average when the file finished (2 cores: above 2 means waiting for a core). */
  loadAverage1m?: number;
  status: 'ok' | 'failed';
  failedAt?: Stage;
  command?: string;
  exitCode?: number | null;
  error?: string;
  /** stderr lines of the failing command (last 20), for diagnosis. */
  stderrTail?: string[];
  warnings?: string[];
  train?: { epochs: number; best: number; valLoss: number; status: string };
  detect?: DetectFacts;
  /** NAB only: its rows against the returned rows (see NabRowFacts). */
  nabRows?: NabRowFacts;
}

/** One file: import → train → calibrate → detect --json over the whole series. */
function runJob(job: Job, work: string, env: NodeJS.ProcessEnv, timeoutMs: number): FileResult {
  const res: FileResult = { dataset: job.dataset, file: job.rel, id: job.id, csvRows: job.facts.dataRows, csvSpanDays: round(job.facts.spanDays, 3), seconds: {}, totalSeconds: 0, cpuSeconds: {}, totalCpuSeconds: 0, status: 'ok' };
  const warnings: string[] = [];
  const step = (stage: Stage, args: string[]): Run | undefined => {
    const r = cli(args, env, work, timeoutMs);
    res.seconds[stage] = round(r.seconds);
    res.totalSeconds = round(res.totalSeconds + r.seconds);
    if (r.cpuSeconds !== null) {
      res.cpuSeconds[stage] = round(r.cpuSeconds);
      res.totalCpuSeconds = round(res.totalCpuSeconds + r.cpuSeconds);
    }
    for (const l of r.stderr.split('\n')) if (/warn/i.test(l) && !warnings.includes(l.trim())) warnings.push(l.trim());
    if (r.status === 0) return r;
    res.status = 'failed';
    res.failedAt = stage;
    res.command = `radarwatch ${args.map((a) => (a.includes(' ') ? JSON.stringify(a) : a)).join(' ')}`;
    res.exitCode = r.status;
    res.error = firstErrorLine(r);
    res.stderrTail = r.stderr.trim().split('\n').slice(-20);
    return undefined;
  };
  const finish = () => {
    res.loadAverage1m = round(os.loadavg()[0]);
    if (warnings.length) res.warnings = warnings.slice(0, 20);
    return res;
  };

  // import (NAB: its windows as a labels CSV, the inclusive end moved one native step later, since end is exclusive)
  const importArgs = ['import', job.file, '--id', job.id];
  if (job.windows && job.windows.length) {
    const labels = path.join(work, 'labels', `${job.id}.labels.csv`);
    fs.mkdirSync(path.dirname(labels), { recursive: true });
    fs.writeFileSync(labels, ['start,end', ...job.windows.map(([a, b]) => `${iso(a)},${iso(b + job.facts.medianStepMs)}`)].join('\n') + '\n');
    importArgs.push('--labels', labels);
  }
  if (!step('import', importArgs)) return finish();
  const processed = path.join(work, 'processed');
  const meta = JSON.parse(fs.readFileSync(path.join(processed, `${job.id}.meta.json`), 'utf8')) as { rows: number; stepMs?: number; labelCount?: number; notes?: string[] };
  res.rows = meta.rows;
  res.stepMs = meta.stepMs;
  res.step = meta.stepMs ? fmtStep(meta.stepMs) : undefined;
  res.labels = meta.labelCount;
  const table = fs.readFileSync(path.join(processed, `${job.id}.csv`), 'utf8').trimEnd().split('\n');
  const firstMs = Date.parse(table[1].split(',')[0]);
  const lastMs = Date.parse(table[table.length - 1].split(',')[0]);

  // train and calibrate with the defaults
  const tr = step('train', ['train', job.id]);
  if (!tr) return finish();
  const row = tr.stdout.split('\n').find((l) => l.startsWith(`${job.id} `));
  if (row) {
    const c = row.trim().split(/\s+/);
    res.train = { epochs: Number(c[1]), best: Number(c[2]), valLoss: Number(c[3]), status: c[c.length - 1] };
  }
  if (!step('calibrate', ['calibrate', job.id])) return finish();

  // detect over the whole series: [first row, last row + one step)
  const det = step('detect', ['detect', job.id, '--from', iso(firstMs), '--to', iso(lastMs + (meta.stepMs ?? 3_600_000)), '--json']);
  if (!det) return finish();
  let out: { hours: { timestamp: string; scorable?: boolean; score: number | null; anomaly?: boolean }[]; events?: unknown[] };
  try {
    out = JSON.parse(det.stdout);
  } catch (e) {
    res.status = 'failed';
    res.failedAt = 'detect';
    res.error = `detect --json printed no valid JSON: ${(e as Error).message}`;
    return finish();
  }
  const h = out.hours;
  const ts = h.map((x) => Date.parse(x.timestamp));
  const gaps = ts.slice(1).map((t, i) => t - ts[i]);
  const stepMs = gaps.length ? gaps[0] : 0;
  res.detect = {
    rowsReturned: h.length,
    rowsInTable: meta.rows,
    rowsMatch: h.length === meta.rows,
    stepMs,
    uniformStep: gaps.every((g) => g === stepMs) && stepMs === meta.stepMs,
    scorableFalse: h.filter((x) => x.scorable === false).length,
    badScores: h.filter((x) => x.scorable !== false && !(typeof x.score === 'number' && Number.isFinite(x.score) && x.score >= 0 && x.score <= 1)).length,
    anomalyRows: h.filter((x) => x.anomaly).length,
    events: out.events?.length ?? 0,
    firstTimestamp: h[0]?.timestamp ?? '',
    lastTimestamp: h[h.length - 1]?.timestamp ?? '',
    csvTimestampsReturned: ts.filter((t) => job.facts.timestamps.has(t)).length,
    csvDistinctTimestamps: job.facts.distinctTimestamps,
  };
  if (job.dataset === 'nab') res.nabRows = nabRowFacts(job.facts.rowTimes, ts, stepMs, h.map((x) => x.scorable !== false));
  if (!res.detect.rowsMatch || !res.detect.uniformStep || res.detect.badScores > 0) {
    res.status = 'failed';
    res.failedAt = 'detect';
    res.error = `detect output check: ${h.length} rows returned vs ${meta.rows} in the table, step ${fmtStep(stepMs)} vs ${res.step}${res.detect.uniformStep ? '' : ' (not uniform)'}, ${res.detect.badScores} scorable rows without a score in [0,1]`;
  }
  return finish();
}

// ---------------------------------------------------------------------------------------------------------------
// Report

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return round(s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2);
}

/** The file that needed the most CPU time (wall time also counts waiting for a core when others share the machine). */
function cpuMax(results: FileResult[]) {
  const x = [...results].sort((a, b) => b.totalCpuSeconds - a.totalCpuSeconds)[0];
  return x ? { dataset: x.dataset, file: x.file, id: x.id, rows: x.rows, step: x.step, totalCpuSeconds: x.totalCpuSeconds, cpuSeconds: x.cpuSeconds, totalSeconds: x.totalSeconds } : null;
}

function summarize(results: FileResult[], skipped: Skipped[], planned: Record<string, number>) {
  const per: Record<string, unknown> = {};
  for (const ds of Object.keys(planned)) {
    const r = results.filter((x) => x.dataset === ds);
    const slow = [...r].sort((a, b) => b.totalSeconds - a.totalSeconds)[0];
    per[ds] = {
      planned: planned[ds],
      done: r.length,
      ok: r.filter((x) => x.status === 'ok').length,
      failed: r.filter((x) => x.status === 'failed').length,
      skippedShorterThan14Days: skipped.filter((s) => s.dataset === ds).length,
      rows: r.reduce((a, x) => a + (x.rows ?? 0), 0),
      csvRows: r.reduce((a, x) => a + x.csvRows, 0),
      medianSeconds: median(r.map((x) => x.totalSeconds)),
      medianCpuSeconds: median(r.map((x) => x.totalCpuSeconds)),
      medianSecondsPerStage: Object.fromEntries((['import', 'train', 'calibrate', 'detect'] as Stage[]).map((s) => [s, median(r.flatMap((x) => (x.seconds[s] === undefined ? [] : [x.seconds[s]!])))])),
      slowest: slow ? { file: slow.file, id: slow.id, rows: slow.rows, step: slow.step, totalSeconds: slow.totalSeconds, seconds: slow.seconds, totalCpuSeconds: slow.totalCpuSeconds } : null,
      mostCpu: cpuMax(r),
      scorableFalseRows: r.reduce((a, x) => a + (x.detect?.scorableFalse ?? 0), 0),
      nativeResolution: r.filter((x) => x.detect?.rowsMatch && x.detect.uniformStep).length,
      ...(ds === 'nab'
        ? {
            nabRowsAfterProbationUnscorable: r.reduce((a, x) => a + (x.nabRows?.rowsAfterProbationUnscorable ?? 0), 0),
            nabFilesWithUnscoredRowsAfterProbation: r.filter((x) => (x.nabRows?.rowsAfterProbationUnscorable ?? 0) > 0).length,
            nabRowsSharingAStep: r.reduce((a, x) => a + (x.nabRows?.rowsSharingAStep ?? 0), 0),
            nabRowsWithoutAStep: r.reduce((a, x) => a + (x.nabRows?.rowsWithoutAStep ?? 0), 0),
          }
        : {}),
    };
  }
  const slow = [...results].sort((a, b) => b.totalSeconds - a.totalSeconds)[0];
  return {
    files: results.length,
    ok: results.filter((x) => x.status === 'ok').length,
    failed: results.filter((x) => x.status === 'failed').length,
    medianSeconds: median(results.map((x) => x.totalSeconds)),
    medianCpuSeconds: median(results.map((x) => x.totalCpuSeconds)),
    totalSeconds: round(results.reduce((a, x) => a + x.totalSeconds, 0)),
    slowest: slow ? { dataset: slow.dataset, file: slow.file, id: slow.id, rows: slow.rows, step: slow.step, totalSeconds: slow.totalSeconds, seconds: slow.seconds, totalCpuSeconds: slow.totalCpuSeconds, loadAverage1m: slow.loadAverage1m } : null,
    mostCpu: cpuMax(results),
    perDataset: per,
    failures: results.filter((x) => x.status === 'failed').map((x) => ({ dataset: x.dataset, file: x.file, id: x.id, failedAt: x.failedAt, command: x.command, exitCode: x.exitCode, error: x.error })),
  };
}

function readStamp(): unknown {
  try {
    return JSON.parse(fs.readFileSync(STAMP, 'utf8'));
  } catch {
    return null;
  }
}

function gitCommit(): string | null {
  const r = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Files under src/ that differ from the commit (the build under test holds them as they were at its start). */
function srcChanges(): number | null {
  const r = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n').filter(Boolean).length : null;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  // dist/ current: the pass is about the compiled CLI
  if (args.build) {
    if (build({ ifStale: true }) !== 0) throw new Error('`npm run build` failed (see above); the pass needs a complete build of src/');
  }
  const stampAtStart = readStamp();
  const srcChangesAtStart = srcChanges();
  const commitAtStart = gitCommit();
  if (!stampAtStart || !fs.existsSync(CLI)) throw new Error('dist/ holds no stamped build; run `npm run build`');

  const { jobs, skipped } = collectJobs(args);
  const planned: Record<string, number> = Object.fromEntries(args.datasets.map((d) => [d, jobs.filter((j) => j.dataset === d).length]));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-byo-pass-'));
  if (args.snapshot) CLI = snapshotDist(path.join(work, 'cli'));
  cpuPreload = path.join(work, 'cpu-preload.js');
  fs.writeFileSync(cpuPreload, CPU_PRELOAD);
  const cfgFile = path.join(work, 'models.yml');
  const dirs = { rawDir: path.join(work, 'raw'), processedDir: path.join(work, 'processed') };
  if (args.configBase === 'schema') {
    fs.writeFileSync(cfgFile, `countries: [AT]\ndateRange: { from: "2024-01-01", to: "2024-12-31" }\ndata:\n  rawDir: ${dirs.rawDir}\n  processedDir: ${dirs.processedDir}\n`);
  } else {
    const text = fs.readFileSync(path.join(ROOT, 'models.yml'), 'utf8');
    const patched = text.replace(/^(\s+rawDir:).*$/m, `$1 ${dirs.rawDir}`).replace(/^(\s+processedDir:).*$/m, `$1 ${dirs.processedDir}`);
    if (!patched.includes(dirs.rawDir) || !patched.includes(dirs.processedDir)) throw new Error('models.yml: could not set data.rawDir / data.processedDir in the copy');
    fs.writeFileSync(cfgFile, patched);
  }
  const env: NodeJS.ProcessEnv = { ...process.env, RADARWATCH_CONFIG: cfgFile, RADARWATCH_RESULTS: path.join(work, 'results'), RADARWATCH_PROGRESS: '0' };

  const startedAt = new Date().toISOString();
  const t0 = Date.now();
  const results: FileResult[] = [];
  const write = (done: boolean) => {
    const report = {
      name: 'byo-pass',
      description:
        'Every NAB v1.1 CSV and every cloud-monitoring series spanning >= 14 days through the compiled CLI with the defaults: import → train → calibrate → detect --json over the whole series, one child process per command.',
      complete: done,
      startedAt,
      finishedAt: done ? new Date().toISOString() : null,
      wallSeconds: round((Date.now() - t0) / 1000),
      environment: {
        node: process.version,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        loadAverage1m: round(os.loadavg()[0]),
        gitCommitAtStart: commitAtStart,
        srcFilesChangedSinceCommitAtStart: srcChangesAtStart,
        cli: args.snapshot ? 'a copy of dist/ taken at the start (dist/cli/main.js)' : path.relative(ROOT, CLI),
        buildStamp: stampAtStart,
        ...(args.snapshot ? {} : { buildStampNow: readStamp() }),
        config: args.configBase === 'schema' ? 'schema defaults (only data folders set)' : 'models.yml of the project (data.rawDir/processedDir moved to the temporary folder)',
        datasetsRoot: datasetsRoot(),
        workDir: args.keep ? work : '(temporary, removed)',
      },
      options: { datasets: args.datasets, limit: Number.isFinite(args.limit) ? args.limit : null, only: args.only, timeoutMinutes: args.timeoutMs / 60_000 },
      summary: summarize(results, skipped, planned),
      skipped,
      files: results,
    };
    fs.mkdirSync(path.dirname(args.out), { recursive: true });
    fs.writeFileSync(args.out + '.tmp', JSON.stringify(report, null, 2) + '\n');
    fs.renameSync(args.out + '.tmp', args.out);
    return report;
  };

  process.stdout.write(`byo-pass: ${jobs.length} files (${Object.entries(planned).map(([k, v]) => `${k} ${v}`).join(', ')}; ${skipped.length} cloud series under ${MIN_CLOUD_DAYS} days skipped) in ${work}\n`);
  try {
    jobs.forEach((job, i) => {
      const r = runJob(job, work, env, args.timeoutMs);
      results.push(r);
      const s = r.seconds;
      process.stdout.write(
        `[${i + 1}/${jobs.length}] ${r.status.padEnd(6)} ${job.dataset} ${job.rel} id=${r.id} rows=${r.rows ?? '-'} step=${r.step ?? '-'} ` +
          `import ${s.import ?? '-'}s train ${s.train ?? '-'}s calibrate ${s.calibrate ?? '-'}s detect ${s.detect ?? '-'}s total ${r.totalSeconds}s (cpu ${r.totalCpuSeconds}s, load ${r.loadAverage1m})` +
          (r.detect ? ` returned ${r.detect.rowsReturned}/${r.detect.rowsInTable} unscorable ${r.detect.scorableFalse}` : '') +
          (r.status === 'failed' ? `\n    ${r.failedAt}: ${r.error}` : '') +
          '\n',
      );
      write(false);
    });
  } finally {
    const report = write(true);
    if (!args.keep) fs.rmSync(work, { recursive: true, force: true });
    const sm = report.summary;
    process.stdout.write(
      `byo-pass: ${sm.ok} ok, ${sm.failed} failed of ${sm.files}; median ${sm.medianSeconds}s; slowest ${sm.slowest?.file} ${sm.slowest?.totalSeconds}s; wall ${report.wallSeconds}s\n` +
        Object.entries(sm.perDataset).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`).join('\n') +
        `\nwrote ${path.relative(process.cwd(), args.out)}\n`,
    );
  }
}

if (require.main === module) {
  try {
    main();
  } catch (e) {
    process.stderr.write(`byo-pass: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
