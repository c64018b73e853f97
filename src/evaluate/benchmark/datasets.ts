/**
 * The quality benchmark's data sets, in one frozen registry keyed by name: the embedded generator under three seeds,
 * three shifted configurations and a Ramadan world, the Microsoft cloud-monitoring series with expert labels, and NAB
 * at its native resolution. Public data sets live under `RADARWATCH_DATASETS` (default `../shared/datasets` from the project root);
 * a missing one loads as no series, with a warning.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { GeneratorConfig } from '../../config/schema';
import { DAY_MS } from '../../base/time';
import { ConfigError } from '../../errors';
import { log } from '../../util/log';
import { nabProbation } from '../nab';
import { gridSeries, parseTime, readSeriesCsv } from './csv';
import { generatedFrame } from './generated';
import type { BenchDataset, BenchSeries } from './types';

/** Root of the shared public data sets: $RADARWATCH_DATASETS, else ../shared/datasets next to the project root. */
export function datasetsRoot(): string {
  return process.env.RADARWATCH_DATASETS ?? path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'datasets');
}

/** Share of rows the detector may fit on (and where evaluation starts) for the generator and cloud-monitoring. */
export const FIT_SHARE = 0.8;
/** Shortest cloud-monitoring series the benchmark uses. */
export const MIN_CLOUD_DAYS = 14;

const GEN_FROM = Date.UTC(2023, 0, 1);
const GEN_DAYS = 730;
const QUICK_DAYS = 180;

/** A generator data set: `countries` for `days` days each under `gen`; the quick slice keeps the first country for 270 days. */
function generatorDataset(name: string, description: string, gen: Partial<GeneratorConfig>, countries: string[], inQuick = true, from = GEN_FROM): BenchDataset {
  return {
    name,
    description: `${description} Generator settings ${JSON.stringify(gen)}; ${countries.join(', ')}; ${GEN_DAYS} days from ${new Date(from).toISOString().slice(0, 10)} (quick: ${inQuick ? `${countries[0]}, ${QUICK_DAYS} days` : 'skipped'}).`,
    scoring: 'events',
    async load({ quick }) {
      if (quick && !inQuick) return [];
      const ccs = quick ? countries.slice(0, 1) : countries;
      return ccs.map((cc) => {
        const frame = generatedFrame(gen, cc, from, quick ? QUICK_DAYS : GEN_DAYS);
        const cut = Math.round(frame.timestamps.length * FIT_SHARE);
        return { dataset: name, name: cc, frame, fitEnd: cut, evalStart: cut };
      });
    },
  };
}

function missing(dir: string, name: string): boolean {
  if (fs.existsSync(dir)) return false;
  log.warn(`benchmark: data set "${name}" not found at ${dir}; skipped (set RADARWATCH_DATASETS to the folder holding nab/ and cloud-monitoring/).`);
  return true;
}

const CLOUD_QUICK = ['ecommerce-api-incoming-rps/api-01.csv', 'application-crash-rate-1/app1-02.csv'];

/** Every cloud-monitoring CSV with at least MIN_CLOUD_DAYS of data, its Label column's runs of 1 as windows. */
const cloudDataset: BenchDataset = {
  name: 'cloud-monitoring',
  description: `Microsoft cloud-monitoring series with at least ${MIN_CLOUD_DAYS} days of data, expert labels (runs of Label = 1); fit on the first ${FIT_SHARE * 100} %, scored on the rest (quick: ${CLOUD_QUICK.join(', ')}).`,
  scoring: 'events',
  async load({ quick }) {
    const root = path.join(datasetsRoot(), 'cloud-monitoring', 'data');
    if (missing(root, 'cloud-monitoring')) return [];
    const files = fs
      .readdirSync(root)
      .sort()
      .flatMap((d) => (fs.statSync(path.join(root, d)).isDirectory() ? fs.readdirSync(path.join(root, d)).filter((f) => f.endsWith('.csv')).sort().map((f) => `${d}/${f}`) : []));
    const out: BenchSeries[] = [];
    for (const rel of quick ? files.filter((f) => CLOUD_QUICK.includes(f)) : files) {
      const raw = readSeriesCsv(path.join(root, rel), 1, 2);
      const g = gridSeries(rel.replace(/\.csv$/, ''), raw);
      const n = g.frame.timestamps.length;
      if (n * (g.frame.stepMs ?? 0) < MIN_CLOUD_DAYS * DAY_MS) continue;
      const cut = Math.round(n * FIT_SHARE);
      out.push({ dataset: 'cloud-monitoring', name: g.frame.id, frame: g.frame, fitEnd: cut, evalStart: cut });
    }
    return out;
  },
};

const NAB_QUICK = ['artificialWithAnomaly/art_daily_jumpsup.csv', 'realKnownCause/nyc_taxi.csv', 'realAWSCloudwatch/ec2_cpu_utilization_825cc2.csv'];

/** NAB v1.1, every file at its native resolution; fit on the probation rows, every later row scored. */
const nabDataset: BenchDataset = {
  name: 'nab',
  description: `Numenta Anomaly Benchmark v1.1 (58 files, labels/combined_windows.json); fit on each file's probation (15 % of rows, at most 750), scored on every later row, plus the NAB score (quick: ${NAB_QUICK.length} files).`,
  scoring: 'nab',
  async load({ quick }) {
    const root = path.join(datasetsRoot(), 'nab');
    if (missing(root, 'nab')) return [];
    const windows = JSON.parse(fs.readFileSync(path.join(root, 'labels', 'combined_windows.json'), 'utf8')) as Record<string, [string, string][]>;
    const out: BenchSeries[] = [];
    for (const rel of Object.keys(windows).sort()) {
      if (quick && !NAB_QUICK.includes(rel)) continue;
      const file = path.join(root, 'data', rel);
      if (!fs.existsSync(file)) {
        log.warn(`benchmark: NAB file ${file} is missing; skipped.`);
        continue;
      }
      const wins = windows[rel].map(([a, b]) => ({ start: parseTime(a), end: parseTime(b) }));
      const raw = readSeriesCsv(file, 1);
      // Windows are inclusive of their end timestamp: on the grid they end one step later.
      const pre = gridSeries(rel, raw);
      const step = pre.frame.stepMs!;
      const g = gridSeries(rel.replace(/\.csv$/, ''), raw, wins.map((w) => ({ start: w.start, end: w.end + step })));
      const ts = g.source.timestamps;
      const rowWindows: [number, number][] = wins.map((w) => {
        let a = ts.findIndex((t) => t >= w.start);
        let b = -1;
        for (let i = ts.length - 1; i >= 0; i--) if (ts[i] <= w.end) {
          b = i;
          break;
        }
        if (a < 0) a = ts.length;
        return [a, b] as [number, number];
      }).filter(([a, b]) => b >= a);
      const prob = nabProbation(ts.length);
      const fitEnd = prob > 0 ? g.row[Math.min(ts.length - 1, Math.ceil(prob))] : 0;
      out.push({ dataset: 'nab', name: g.frame.id, frame: g.frame, fitEnd, evalStart: fitEnd, nab: { timestamps: ts, row: g.row, windows: rowWindows } });
    }
    return out;
  },
};

/** Every data set the quality benchmark knows, by name. */
export const BENCH_DATASETS: Readonly<Record<string, BenchDataset>> = Object.freeze({
  'gen-s1': generatorDataset('gen-s1', 'Embedded generator, seed 1, default settings.', { seed: 1 }, ['US', 'AT', 'ZA', 'JP']),
  'gen-s2': generatorDataset('gen-s2', 'Embedded generator, seed 2, default settings.', { seed: 2 }, ['BR', 'DE', 'SA', 'IN'], false),
  'gen-s3': generatorDataset('gen-s3', 'Embedded generator, seed 3, default settings.', { seed: 3 }, ['AT', 'US', 'IN', 'JP'], false),
  'gen-shifted': generatorDataset(
    'gen-shifted',
    'Embedded generator shifted away from the default: countries outside models.yml (Friday–Saturday weekends in EG and IL, other time zones), twice the noise, 3× burstier attack backgrounds, anomalies twice as long and 40 % shallower.',
    { seed: 4, noise: 0.06, attackBurstiness: 3, anomalyDuration: 2, anomalyDepth: 0.6 },
    ['EG', 'IL', 'MX', 'ID'],
  ),
  // Two more worlds, added after every default was chosen and first measured as they were: no setting was tuned on them.
  'gen-noisy-long': generatorDataset(
    'gen-noisy-long',
    'Embedded generator, another held-out world: TR, NG, AR, VN (other time zones and holidays), 1.5× the noise, 2× burstier attack backgrounds, anomalies 1.5× as long and 20 % shallower.',
    { seed: 11, noise: 0.045, attackBurstiness: 2, anomalyDuration: 1.5, anomalyDepth: 0.8 },
    ['TR', 'NG', 'AR', 'VN'],
    false,
  ),
  'gen-short-shallow': generatorDataset(
    'gen-short-shallow',
    'Embedded generator, another held-out world: SE, KE, PK, CL, default noise and backgrounds, anomalies 0.6× as long and 30 % shallower.',
    { seed: 12, anomalyDuration: 0.6, anomalyDepth: 0.7 },
    ['SE', 'KE', 'PK', 'CL'],
    false,
  ),
  // Added with the fasting-month calendar (the seasonal rule's fasting offsets and shift days were designed on it).
  'gen-ramadan': generatorDataset(
    'gen-ramadan',
    'Embedded generator with the fasting month\'s daily rhythm (iftar dip, busier nights and suhoor, quieter mornings) in four countries that observe Ramadan; the fitted part holds Ramadan 2024, the scored part Ramadan 2025 and Eid al-Fitr.',
    { seed: 21, ramadan: 1 },
    ['EG', 'ID', 'TR', 'PK'],
    false,
    Date.UTC(2023, 5, 1),
  ),
  'cloud-monitoring': cloudDataset,
  nab: nabDataset,
});

/** The data set registered under `name`; throws ConfigError listing the valid names. */
export function benchDataset(name: string): BenchDataset {
  const d = BENCH_DATASETS[name];
  if (!d) throw new ConfigError(`Unknown data set "${name}". Valid: ${Object.keys(BENCH_DATASETS).join(', ')}`);
  return d;
}
