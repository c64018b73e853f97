/**
 * `npm run bench -- fleet`: the fleet pipeline on the embedded default — fetch → preprocess → train → calibrate, each
 * a `radarwatch` process over a list of countries in a scratch folder — timing every step, its peak memory and each
 * model's early stopping. `RADARWATCH_FLEET=world` runs every country Radar covers (the issue's target: ≤ 60 min on
 * 2 cores, peak RSS ≤ 4 GB); the default is a sample of 16 spread over the list (other time zones, weekends and
 * holidays), with the whole fleet's time extrapolated per country. Runnable alone: `npx tsx scripts/bench/fleet.ts`.
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

/** The countries to run: every known code for `world`, else `n` spread evenly over the sorted list. */
export function fleetCountries(spec = process.env.RADARWATCH_FLEET): string[] {
  const all = knownCountryCodes();
  if (spec?.trim().toLowerCase() === 'world') return all;
  const n = Math.max(1, Math.min(all.length, Number(spec) || SAMPLE));
  return Array.from({ length: n }, (_, i) => all[Math.floor((i * all.length) / n)]);
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
        peak = Math.max(peak, memoryOf(child.pid!).peakMB);
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
function trainingOutcomes(resultsRoot: string, countries: string[]): { country: string; epochs: number; bestEpoch: number; stopReason: string; trainSeconds: number }[] {
  return countries.flatMap((cc) => {
    const file = path.join(resultsRoot, 'models', cc, 'meta.json');
    if (!fs.existsSync(file)) return [];
    const m = JSON.parse(fs.readFileSync(file, 'utf8')) as { epochs: number; bestEpoch: number; stopReason: string; trainSeconds: number };
    return [{ country: cc, epochs: m.epochs, bestEpoch: m.bestEpoch, stopReason: m.stopReason, trainSeconds: m.trainSeconds }];
  });
}

export async function runFleet(cfg: Config, countries = fleetCountries()): Promise<Record<string, unknown>> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-fleetrun-'));
  try {
    const configFile = path.join(root, 'models.yml');
    fs.writeFileSync(configFile, YAML.stringify({ ...cfg, data: { ...cfg.data, rawDir: path.join(root, 'raw'), processedDir: path.join(root, 'processed') } }));
    const env = { ...process.env, RADARWATCH_RESULTS: path.join(root, 'results'), RADARWATCH_PROGRESS: '0' };
    const list = countries.join(',');
    const steps: StepResult[] = [];
    for (const args of [
      ['fetch', '--source', 'synthetic', '--countries', list],
      ['preprocess', '--source', 'synthetic', '--countries', list],
      ['train', list],
      ['calibrate', list],
    ]) {
      const r = await runStep(args[0], ['--config', configFile, ...args], env);
      steps.push(r);
      process.stderr.write(`fleet: ${args[0]} of ${countries.length} countries in ${r.seconds.toFixed(1)} s, peak RSS ${r.peakRssMB} MB\n`);
      if (r.exitCode !== 0) break;
    }
    const total = steps.reduce((a, s) => a + s.seconds, 0);
    const outcomes = trainingOutcomes(path.join(root, 'results'), countries);
    const world = knownCountryCodes().length;
    // Every step is per country and the workers stay busy, so the whole fleet scales with its size.
    const worldMinutes = ((total / countries.length) * world) / 60;
    const peakRssMB = Math.max(...steps.map((s) => s.peakRssMB));
    return {
      countries: countries.length,
      sample: countries.length < world ? countries : 'world',
      steps,
      totalSeconds: total,
      peakRssMB,
      extrapolatedWorldMinutes: worldMinutes,
      models: outcomes.length,
      earlyStopped: outcomes.filter((o) => o.stopReason === 'patience').length,
      bestEpochs: outcomes.map((o) => o.bestEpoch),
      atCap: outcomes.filter((o) => o.stopReason === 'maxEpochs').map((o) => `${o.country} (best ${o.bestEpoch} of ${o.epochs})`),
      epochCap: cfg.train.epochs,
      targets: { worldMinutes: 60, peakRssMB: 4096 },
      withinTarget: { time: worldMinutes <= 60, memory: peakRssMB <= 4096, earlyStopping: outcomes.length > 0 && outcomes.every((o) => o.stopReason !== 'maxEpochs') },
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

export const fleetBench: Bench = {
  name: 'fleet',
  description: `fetch → preprocess → train → calibrate on the embedded default for ${process.env.RADARWATCH_FLEET === 'world' ? 'every country' : `${SAMPLE} countries spread over the world list (RADARWATCH_FLEET=world for all, or a number)`}, as radarwatch processes; time, peak RSS, early stopping; the whole fleet extrapolated.`,
  run: (cfg) => runFleet(cfg),
};

if (require.main === module) runStandalone(fleetBench);
