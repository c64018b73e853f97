/**
 * `npm run bench -- fleet`: the fleet pipeline on the embedded default — fetch → preprocess → train → calibrate, each
 * a `radarwatch` process over a list of countries in a scratch folder — timing every step, its peak memory and each
 * model's early stopping — then `watch --once` twice over the fleet it trained (the first cycle seeds every country
 * from its table and scores a day; the next scores one new hour). `RADARWATCH_FLEET=world` runs every country Radar
 * covers (targets: fetch → calibrate ≤ 60 min on 2 cores, peak RSS ≤ 4 GB; a watch cycle ≤ 60 s); the default is a
 * sample of 16 spread over the list (other time zones, weekends and holidays), with the whole fleet's times
 * extrapolated per country. `RADARWATCH_FLEET_KEEP=DIR` keeps the scratch folder (tables, models, watch database) in
 * DIR for a look afterwards. Runnable alone: `npx tsx scripts/bench/fleet.ts`.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import type { Config } from '../../src/config/schema';
import { knownCountryCodes } from '../../src/util/countries';
import { memoryOf } from './proc';
import { runStandalone, type Bench } from './types';

const ROOT = path.resolve(__dirname, '..', '..');
/** Countries in the default sample. */
const SAMPLE = 16;
/** Steps of the pipeline the fleet target covers; the watch cycles after them have their own target. */
const PIPELINE = ['fetch', 'preprocess', 'train', 'calibrate'];
const TARGET_WORLD_MINUTES = 60;
const TARGET_PEAK_MB = 4096;
const TARGET_WATCH_SECONDS = 60;

/**
 * The countries to run: every known code for `world`, else `n` spread evenly over the sorted list — with the
 * warm-start series `base` (train.warmStart) first in place of the last, as the world run trains it first.
 */
export function fleetCountries(spec = process.env.RADARWATCH_FLEET, base?: string): string[] {
  const all = knownCountryCodes();
  if (spec?.trim().toLowerCase() === 'world') return all;
  const n = Math.max(1, Math.min(all.length, Number(spec) || SAMPLE));
  const spread = Array.from({ length: n }, (_, i) => all[Math.floor((i * all.length) / n)]);
  if (!base || base === 'none' || spread.includes(base) || !all.includes(base)) return spread;
  return [base, ...spread.slice(0, n - 1)];
}

interface StepResult {
  step: string;
  seconds: number;
  peakRssMB: number;
  exitCode: number | null;
}

/** Runs one `radarwatch` command (`step` names it) to its end, sampling the child's peak resident memory. */
function runStep(step: string, args: string[], env: NodeJS.ProcessEnv): Promise<StepResult> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'radarwatch.js'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let peak = 0;
    let tail = '';
    child.stderr.on('data', (d: Buffer) => (tail = (tail + d.toString()).slice(-4000)));
    const poll = setInterval(() => {
      try {
        // an exited, not yet reaped child has no memory lines (NaN): keep the last reading
        const m = memoryOf(child.pid!).peakMB;
        if (Number.isFinite(m)) peak = Math.max(peak, m);
      } catch {
        // exited between polls
      }
    }, 200);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      if (code !== 0) process.stderr.write(`fleet: ${args.join(' ').slice(0, 200)} exited ${code}\n${tail}\n`);
      resolve({ step, seconds: (performance.now() - t0) / 1000, peakRssMB: peak, exitCode: code });
    });
  });
}

/** Per model: epochs, best epoch and why training stopped (from each model's meta.json). */
function trainingOutcomes(resultsRoot: string, countries: string[]): { country: string; epochs: number; bestEpoch: number; stopReason: string; trainSeconds: number; bestValLoss: number; warmStart?: string }[] {
  return countries.flatMap((cc) => {
    const file = path.join(resultsRoot, 'models', cc, 'meta.json');
    if (!fs.existsSync(file)) return [];
    const m = JSON.parse(fs.readFileSync(file, 'utf8')) as { epochs: number; bestEpoch: number; stopReason: string; trainSeconds: number; bestValLoss: number; warmStart?: string };
    return [{ country: cc, epochs: m.epochs, bestEpoch: m.bestEpoch, stopReason: m.stopReason, trainSeconds: m.trainSeconds, bestValLoss: m.bestValLoss, warmStart: m.warmStart }];
  });
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

export async function runFleet(cfg: Config, countries = fleetCountries(undefined, cfg.train.warmStart)): Promise<Record<string, unknown>> {
  const keep = process.env.RADARWATCH_FLEET_KEEP;
  const root = keep ? path.resolve(keep) : fs.mkdtempSync(path.join(os.tmpdir(), 'rw-fleetrun-'));
  fs.mkdirSync(root, { recursive: true });
  try {
    const configFile = path.join(root, 'models.yml');
    fs.writeFileSync(configFile, YAML.stringify({ ...cfg, data: { ...cfg.data, rawDir: path.join(root, 'raw'), processedDir: path.join(root, 'processed') } }));
    const env = { ...process.env, RADARWATCH_RESULTS: path.join(root, 'results'), RADARWATCH_PROGRESS: '0' };
    const list = countries.join(',');
    // The watcher's simulated clock starts half a day after the tables end, so its first cycle seeds from them.
    const watchStart = new Date(Date.parse(cfg.dateRange.to) + 36 * 3_600_000).toISOString();
    const watch = ['watch', '--countries', list, '--once', '--source', 'synthetic', '--db', path.join(root, 'watch.db')];
    const steps: StepResult[] = [];
    for (const args of [
      ['fetch', '--source', 'synthetic', '--countries', list],
      ['preprocess', '--source', 'synthetic', '--countries', list],
      ['train', list],
      ['calibrate', list],
      [...watch, '--start', watchStart],
      watch,
    ]) {
      const name = args[0] === 'watch' ? (args.includes('--start') ? 'watch first cycle' : 'watch next cycle') : args[0];
      const r = await runStep(name, ['--config', configFile, ...args], env);
      steps.push(r);
      process.stderr.write(`fleet: ${name} of ${countries.length} countries in ${r.seconds.toFixed(1)} s, peak RSS ${r.peakRssMB} MB\n`);
      if (r.exitCode !== 0) break;
    }
    const pipeline = steps.filter((s) => PIPELINE.includes(s.step));
    const total = pipeline.reduce((a, s) => a + s.seconds, 0);
    const outcomes = trainingOutcomes(path.join(root, 'results'), countries);
    const world = knownCountryCodes().length;
    // Every step is per country and the workers stay busy, so the whole fleet scales with its size.
    const perWorld = (seconds: number) => (seconds / countries.length) * world;
    const worldMinutes = perWorld(total) / 60;
    const peakRssMB = Math.max(...pipeline.map((s) => s.peakRssMB));
    const cycles = steps.filter((s) => s.step.startsWith('watch'));
    const watchWorldSeconds = Object.fromEntries(cycles.map((c) => [c.step, perWorld(c.seconds)]));
    return {
      countries: countries.length,
      sample: countries.length < world ? countries : 'world',
      steps,
      totalSeconds: total,
      peakRssMB,
      [countries.length < world ? 'extrapolatedWorldMinutes' : 'worldMinutes']: worldMinutes,
      ...(countries.length < world ? { extrapolatedWatchWorldSeconds: watchWorldSeconds } : {}),
      models: outcomes.length,
      earlyStopped: outcomes.filter((o) => o.stopReason === 'patience').length,
      warmStarted: outcomes.filter((o) => o.warmStart).length,
      warmStartFrom: cfg.train.warmStart,
      epochs: { mean: mean(outcomes.map((o) => o.epochs)), warmMean: mean(outcomes.filter((o) => o.warmStart).map((o) => o.epochs)) },
      bestEpochs: outcomes.map((o) => o.bestEpoch),
      bestValLoss: { mean: mean(outcomes.map((o) => o.bestValLoss)) },
      atCap: outcomes.filter((o) => o.stopReason === 'maxEpochs').map((o) => `${o.country} (best ${o.bestEpoch} of ${o.epochs})`),
      failed: countries.filter((c) => !outcomes.some((o) => o.country === c)),
      epochCap: cfg.train.epochs,
      targets: { worldMinutes: TARGET_WORLD_MINUTES, peakRssMB: TARGET_PEAK_MB, watchCycleWorldSeconds: TARGET_WATCH_SECONDS },
      withinTarget: {
        time: worldMinutes <= TARGET_WORLD_MINUTES,
        memory: peakRssMB <= TARGET_PEAK_MB,
        earlyStopping: outcomes.length > 0 && outcomes.every((o) => o.stopReason !== 'maxEpochs'),
        watch: cycles.length === 2 && cycles.every((c) => c.exitCode === 0 && perWorld(c.seconds) <= TARGET_WATCH_SECONDS),
      },
      ...(keep ? { keptIn: root } : {}),
    };
  } finally {
    if (!keep) fs.rmSync(root, { recursive: true, force: true });
  }
}

export const fleetBench: Bench = {
  name: 'fleet',
  description: `fetch → preprocess → train → calibrate, then two watch --once cycles, on the embedded default for ${process.env.RADARWATCH_FLEET === 'world' ? 'every country' : `${SAMPLE} countries spread over the world list (RADARWATCH_FLEET=world for all, or a number)`}, as radarwatch processes; time, peak RSS, early stopping${process.env.RADARWATCH_FLEET === 'world' ? '' : '; the whole fleet extrapolated'}.`,
  run: (cfg) => runFleet(cfg),
};

if (require.main === module) runStandalone(fleetBench);
