/**
 * Cold start of the installed CLI, as a user meets it: `radarwatch --help` (target ≤ 0.5 s) and `radarwatch detect -d
 * DAY CC` (target ≤ 1.0 s), each a fresh `node bin/radarwatch.js …` child process timed end to end, median of RUNS.
 * Builds dist/ first when it is stale (what `npm ci` leaves a user), and records which code the bin ran.
 * Needs a trained, calibrated model: the first country of the config with results/models/<CC>/calibration.json
 * (override with RADARWATCH_BENCH_COUNTRY / RADARWATCH_BENCH_DAY=YYYY-MM-DD). Runnable alone: `npx tsx scripts/bench/cli.ts`.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Config } from '../../src/config/schema';
import { processedPaths, resultDirs } from '../../src/data/paths';
import { build } from '../build';
import { runStandalone, type Bench } from './types';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'radarwatch.js');
/** Timed runs per command (after one untimed run that warms the OS file cache, as any second call would). */
const RUNS = Number(process.env.RADARWATCH_BENCH_RUNS ?? 7);
const TARGET_HELP_S = 0.5;
const TARGET_DETECT_S = 1.0;

interface Timing {
  command: string;
  runs: number;
  /** Wall time, end to end: what the target is about. */
  medianSeconds: number;
  /** CPU time (user + system) of the child, median: less inflated than wall time when other work shares the cores. */
  medianCpuSeconds: number;
  /** Runs that ran the compiled dist/ (the rest ran the sources: a source changed during the bench). */
  distRuns: number;
  minSeconds: number;
  maxSeconds: number;
  targetSeconds: number;
  withinTarget: boolean;
}

/** Runs `radarwatch args…` through the bin once; throws with its stderr when it fails. Returns wall seconds. */
function runBin(args: string[], env: NodeJS.ProcessEnv = {}): { seconds: number; cpuSeconds: number; stderr: string } {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: process.cwd(), env: { ...process.env, RADARWATCH_PROGRESS: '0', RADARWATCH_TRACE_BIN: '1', ...env }, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`radarwatch ${args.join(' ')} exited ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const cpuMs = Number(r.stderr.match(/radarwatch-bin: cpu (\d+) ms/)?.[1] ?? NaN);
  return { seconds, cpuSeconds: cpuMs / 1000, stderr: r.stderr };
}

function time(args: string[], target: number): Timing {
  runBin(args);
  const runs = Array.from({ length: RUNS }, () => runBin(args));
  const s = runs.map((r) => r.seconds).sort((a, b) => a - b);
  const cpu = runs.map((r) => r.cpuSeconds).sort((a, b) => a - b);
  const median = s[Math.floor(s.length / 2)];
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  return { command: `radarwatch ${args.join(' ')}`, runs: RUNS, medianSeconds: r3(median), medianCpuSeconds: r3(cpu[Math.floor(cpu.length / 2)]), distRuns: runs.filter((r) => /radarwatch-bin: dist /.test(r.stderr)).length, minSeconds: r3(s[0]), maxSeconds: r3(s[s.length - 1]), targetSeconds: target, withinTarget: median <= target };
}

/** The country and day to detect: a calibrated model whose processed table covers the day. */
function pickTarget(cfg: Config): { country: string; day: string } {
  const candidates = process.env.RADARWATCH_BENCH_COUNTRY ? [process.env.RADARWATCH_BENCH_COUNTRY] : cfg.countries;
  const country = candidates.find((cc) => fs.existsSync(path.join(resultDirs.model(cc), 'calibration.json')) && fs.existsSync(processedPaths(cfg.data.processedDir, cc).meta));
  if (!country) {
    throw new Error(
      `bench cli times \`radarwatch detect\`, which needs a trained, calibrated model and its processed table; none of ${candidates.join(', ')} has ` +
        `${path.join(resultDirs.model('<CC>'), 'calibration.json')}. Make one with \`npm run demo\`, or \`radarwatch fetch --countries AT && radarwatch preprocess --countries AT && radarwatch train AT && radarwatch calibrate AT\`.`,
    );
  }
  if (process.env.RADARWATCH_BENCH_DAY) return { country, day: process.env.RADARWATCH_BENCH_DAY };
  // the day before the table's last day: deep inside the data, with all its feature history
  const meta = JSON.parse(fs.readFileSync(processedPaths(cfg.data.processedDir, country).meta, 'utf8')) as { to: string };
  const day = new Date(Date.parse(`${meta.to}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  return { country, day };
}

export const cliBench: Bench = {
  name: 'cli',
  description: `Cold start through bin/radarwatch.js, median of ${RUNS} runs: \`radarwatch --help\` (target ≤ ${TARGET_HELP_S} s) and \`radarwatch detect -d DAY CC\` (target ≤ ${TARGET_DETECT_S} s).`,
  async run(cfg) {
    const { country, day } = pickTarget(cfg);
    // what a user has after `npm ci`: a fresh build (type errors do not change the emitted JavaScript)
    if (build({ ifStale: true, allowTypeErrors: true }) !== 0) throw new Error('bench cli: `npm run build` failed; see above');
    const ran = runBin(['--help']).stderr.match(/radarwatch-bin: ((dist|source).*)/)?.[1] ?? 'unknown';
    const help = time(['--help'], TARGET_HELP_S);
    const detect = time(['detect', '-d', day, country], TARGET_DETECT_S);
    return {
      bin: ran,
      help,
      detect,
      country,
      day,
      loadAverage1m: Math.round(os.loadavg()[0] * 100) / 100,
      withinTarget: help.withinTarget && detect.withinTarget,
    };
  },
};

if (require.main === module) runStandalone(cliBench);
