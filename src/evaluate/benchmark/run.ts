/**
 * The quality benchmark: every selected detector on every series of every selected data set, measured the same way —
 * event recall at fixed false-positive budgets (threshold-free), event precision / recall / F1 and median time to
 * detect at the detector's own calibrated threshold, per kind, and for NAB the NAB score under its three profiles.
 * One set of defaults for every data set; nothing is tuned per data set.
 */
import * as os from 'os';
import * as path from 'path';
import type { Config } from '../../config/schema';
import { resultDirs } from '../../data/paths';
import { frameStep } from '../../data/types';
import { observedRows } from '../../data/frame';
import { HOUR_MS, stepsIn } from '../../base/time';
import { writeFileAtomic, writeJsonAtomic } from '../../util/fsx';
import { log } from '../../util/log';
import { FPR_BUDGETS, labelRows, poolBudgets, recallAtBudgets, type BudgetCounts } from '../budget';
import { computeMetrics, type Metrics, type PredictedWindow } from '../metrics';
import { scoreNab, scoreNabProfiles, type NabFile, type NabResult } from '../nab';
import { BENCH_DATASETS, benchDataset, datasetsRoot } from './datasets';
import { BENCH_DETECTORS, benchDetector } from './detectors';
import { ConfigError } from '../../errors';
import type { BenchDetector, BenchSeries, DetectorRun } from './types';

export interface QualityOptions {
  /** Data set names (default: all). */
  datasets?: string[];
  /** Detector names (default: all registered). */
  detectors?: string[];
  /** The small CI slice of every data set. */
  quick?: boolean;
  /**
   * Training seeds (train.seed) of the detectors that train a network: each runs once per seed, as `name` for the
   * config's own seed and `name (seed N)` for the others, so a margin can be read against how much a network's seed
   * moves it. Default: the config's seed alone.
   */
  seeds?: number[];
}

/** Training seeds from a comma-separated option's items; throws ConfigError on anything but integers. */
export function seedList(items: string[]): number[] {
  return items.map((x) => {
    if (!/^-?\d+$/.test(x) || !Number.isSafeInteger(Number(x))) throw new ConfigError(`--seeds: expected comma-separated integer training seeds, got "${x}"`);
    return Number(x);
  });
}

/** Distinct training seeds of `seeds` (undefined when none); throws ConfigError on anything but safe integers. */
function distinctSeeds(seeds: number[] | undefined): number[] | undefined {
  if (!seeds?.length) return undefined;
  const bad = seeds.find((x) => !Number.isSafeInteger(x));
  if (bad !== undefined) throw new ConfigError(`--seeds: expected integer training seeds, got ${bad}`);
  return [...new Set(seeds)];
}

/** The runs of `det` under `seeds`: a report name and the config of each (non-learned detectors run once). */
export function seedRuns(det: Pick<BenchDetector, 'name' | 'learned'>, cfg: Config, seeds: number[] | undefined): { name: string; cfg: Config }[] {
  const distinct = det.learned ? distinctSeeds(seeds) : undefined;
  if (!distinct) return [{ name: det.name, cfg }];
  return distinct.map((seed) => ({ name: seed === cfg.train.seed ? det.name : `${det.name} (seed ${seed})`, cfg: { ...cfg, train: { ...cfg.train, seed } } }));
}

/** Counts at the detector's own threshold (rates recomputed after pooling). */
export interface ThresholdCounts {
  events: number;
  detected: number;
  normalRows: number;
  falsePositiveRows: number;
  predictedEvents: number;
  truePredictedEvents: number;
  perKind: Record<string, { events: number; detected: number }>;
  /** Hours from each detected window's first evaluated row to its first flag. */
  delaysHours: number[];
  /** Rows after evalStart that Radar marks unreliable and no label covers (not evaluated above), and those flagged: alarms a user would get on data known to be wrong. */
  unreliableRows: number;
  unreliableFlaggedRows: number;
}

export interface SeriesResult {
  series: string;
  rows: number;
  stepMinutes: number;
  evaluatedRows: number;
  seconds: number;
  /** Set when the detector failed on the series; it then counts as never firing. */
  error?: string;
  info?: Record<string, unknown>;
  budgets: BudgetCounts[];
  atThreshold: ThresholdCounts;
}

/** Pooled rates of one detector on one data set. */
export interface PooledResult {
  series: number;
  failedSeries: number;
  seconds: number;
  events: number;
  /** Event recall at each hourly false-positive budget (threshold chosen per series on its normal evaluated rows). */
  recallAtFpr: Record<string, number>;
  perKindRecallAtFpr: Record<string, Record<string, number>>;
  /** At the detector's own calibrated threshold. */
  precision: number;
  recall: number;
  f1: number;
  hourlyFpr: number;
  /** Share of the unreliable, unlabelled rows the own threshold flags (counts.unreliableFlaggedRows / unreliableRows). */
  unreliableFlaggedShare: number;
  medianTimeToDetectHours: number | null;
  perKindRecall: Record<string, { events: number; detected: number; recall: number }>;
  counts: ThresholdCounts;
  /** NAB data sets: the NAB score per profile, threshold optimised over the corpus on the raw scores, and at the detector's own flags. */
  nab?: Record<string, NabResult>;
  /** The same on the raw per-row scores, without the alert transform (every flagged row of a plateau counts). */
  nabRawScores?: Record<string, NabResult>;
  nabAtOwnThreshold?: Record<string, NabResult>;
}

export interface QualityReport {
  name: 'quality';
  quick: boolean;
  datasetsRoot: string;
  budgets: number[];
  datasets: { name: string; description: string; series: number }[];
  detectors: { name: string; description: string }[];
  /** Training seeds of the detectors that train a network (QualityOptions.seeds); absent = the config's seed alone. */
  seeds?: number[];
  results: Record<string, Record<string, { pooled: PooledResult; series: SeriesResult[] }>>;
  protocol: string[];
  config: Config;
  machine: { node: string; cpu?: string; cores: number; platform: string };
  seconds: number;
  createdAt: string;
}

const PROTOCOL = [
  'One set of defaults (models.yml) for every data set; nothing is tuned per data set (a tuned result would be reported separately, labelled "tuned").',
  'Each detector fits on rows [0, fitEnd) only and scores every row causally; metrics use rows [evalStart, n) that are not unreliable and have at least one observed signal (rows where every signal was filled are left out).',
  'Generator and cloud-monitoring: fitEnd = evalStart = 80 % of rows. NAB: fitEnd = evalStart = the probation (15 % of rows, at most 750).',
  'The calibrated detectors (seasonal, autoencoder, hybrid) score a row by the log-odds of its anomaly probability (log10 budget + evidence): the probability\'s order and scale, without its floating-point saturation at 1; their own threshold is the product\'s (probability > 0.5, confirmed).',
  'Recall at an FPR budget b: per series, the threshold is the score above which at most floor(b·N) of its N evaluated normal rows lie; a labelled window is detected when one of its evaluated rows scores above it; recall is pooled over series.',
  'At the own threshold: flagged rows merge into events when at most detect.eventGapHours apart; precision = events touching a label / events; recall = labelled windows with a flagged row / windows; F1 of the two; time to detect from the first evaluated row of a window to its first flag.',
  'NAB: the published scoring (scaled sigmoid per window, A_FN per miss, A_FP per false row, probation), one threshold per profile optimised over the corpus; normalised so never firing scores 0 and a perfect detector 100. Scores are mapped back to each file\'s own rows. NAB scores alerts, not states: every detector\'s per-row score goes through the same alert transform (a row keeps its score only when it beats every score of the previous 12 h; see alertScores); `nabRawScores` holds the score without it.',
  'Detectors that train a network train each data set as a fleet (train.warmStart: pooled, src/train/pool.ts): every series whose network trains on at least a week starts from a base fitted on the training rows of every series of the data set with the same network inputs, before that series\' first scored row only; train.warmStart: none trains every series from scratch.',
  'A detector that fails on a series (e.g. cannot train) counts as never firing there.',
];

/** Flagged rows → predicted events (ISO windows), merged across gaps of at most eventGapHours, at least minEventHours long. */
function rowEvents(ts: number[], step: number, flagged: Uint8Array, evaluated: Uint8Array, cfg: Config['detect']): PredictedWindow[] {
  const gap = stepsIn(cfg.eventGapHours * HOUR_MS, step, 0);
  const minRows = stepsIn(cfg.minEventHours * HOUR_MS, step);
  const out: PredictedWindow[] = [];
  let start = -1;
  let last = -1;
  let count = 0;
  const flush = () => {
    if (start >= 0 && count >= minRows) out.push({ start: new Date(ts[start]).toISOString(), end: new Date(ts[last] + step).toISOString() });
    start = -1;
    count = 0;
  };
  for (let i = 0; i < flagged.length; i++) {
    if (!flagged[i] || !evaluated[i]) continue;
    if (start >= 0 && i - last > gap + 1) flush();
    if (start < 0) start = i;
    last = i;
    count++;
  }
  flush();
  return out;
}

function thresholdCounts(m: Metrics): Omit<ThresholdCounts, 'unreliableRows' | 'unreliableFlaggedRows'> {
  const perKind: ThresholdCounts['perKind'] = {};
  for (const [k, v] of Object.entries(m.perKind)) perKind[k] = { events: v.events, detected: v.detected };
  return {
    events: m.labeledEvents,
    detected: m.detectedEvents,
    normalRows: m.normalHours,
    falsePositiveRows: m.falsePositiveHours,
    predictedEvents: m.predictedEvents,
    truePredictedEvents: m.truePredictedEvents,
    perKind,
    delaysHours: m.detected.map((d) => d.delayHours),
  };
}

/** Rows from evalStart that Radar marks unreliable and no label covers (never evaluated), and how many are flagged. */
function unreliableCounts(s: BenchSeries, flagged: Uint8Array): Pick<ThresholdCounts, 'unreliableRows' | 'unreliableFlaggedRows'> {
  const f = s.frame;
  let rows = 0;
  let hit = 0;
  for (let i = s.evalStart; i < f.timestamps.length; i++) {
    if (!f.unreliable[i] || f.labelKind[i]) continue;
    rows++;
    hit += flagged[i];
  }
  return { unreliableRows: rows, unreliableFlaggedRows: hit };
}

/** Measures one detector run on one series. */
export function measureSeries(s: BenchSeries, run: DetectorRun, cfg: Config): Omit<SeriesResult, 'seconds' | 'error' | 'info'> {
  const f = s.frame;
  const n = f.timestamps.length;
  const step = frameStep(f);
  const observed = observedRows(f);
  const evaluated = Uint8Array.from({ length: n }, (_, i) => (i >= s.evalStart && observed[i] ? 1 : 0));
  const windows = labelRows(f);
  const budgets = recallAtBudgets(run.score, evaluated, windows, FPR_BUDGETS);
  const events = rowEvents(f.timestamps, step, run.flagged, evaluated, cfg.detect);
  const m = computeMetrics({ timestamps: f.timestamps, flagged: run.flagged, evaluated, labels: f.labels, events, stepMs: step });
  const atThreshold = { ...thresholdCounts(m), ...unreliableCounts(s, run.flagged) };
  return { series: s.name, rows: n, stepMinutes: step / 60_000, evaluatedRows: evaluated.reduce((a, b) => a + b, 0), budgets, atThreshold };
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);
function medianOf(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Pools series results of one detector on one data set. */
export function poolSeries(rows: SeriesResult[]): PooledResult {
  const b = poolBudgets(rows.map((r) => r.budgets));
  const c: ThresholdCounts = { events: 0, detected: 0, normalRows: 0, falsePositiveRows: 0, predictedEvents: 0, truePredictedEvents: 0, perKind: {}, delaysHours: [], unreliableRows: 0, unreliableFlaggedRows: 0 };
  for (const r of rows) {
    const a = r.atThreshold;
    c.events += a.events;
    c.detected += a.detected;
    c.normalRows += a.normalRows;
    c.falsePositiveRows += a.falsePositiveRows;
    c.unreliableRows += a.unreliableRows;
    c.unreliableFlaggedRows += a.unreliableFlaggedRows;
    c.predictedEvents += a.predictedEvents;
    c.truePredictedEvents += a.truePredictedEvents;
    c.delaysHours.push(...a.delaysHours);
    for (const [k, v] of Object.entries(a.perKind)) {
      const p = (c.perKind[k] ??= { events: 0, detected: 0 });
      p.events += v.events;
      p.detected += v.detected;
    }
  }
  const recall = ratio(c.detected, c.events);
  const precision = ratio(c.truePredictedEvents, c.predictedEvents);
  const f1 = recall + precision > 0 ? (2 * recall * precision) / (recall + precision) : 0;
  const perKindRecallAtFpr: PooledResult['perKindRecallAtFpr'] = {};
  for (const x of b) for (const [k, v] of Object.entries(x.perKind)) (perKindRecallAtFpr[k] ??= {})[String(x.budget)] = ratio(v.detected, v.events);
  return {
    series: rows.length,
    failedSeries: rows.filter((r) => r.error).length,
    seconds: rows.reduce((a, r) => a + r.seconds, 0),
    events: c.events,
    recallAtFpr: Object.fromEntries(b.map((x) => [String(x.budget), ratio(x.detected, x.events)])),
    perKindRecallAtFpr,
    precision,
    recall,
    f1: Number.isFinite(f1) ? f1 : 0,
    hourlyFpr: ratio(c.falsePositiveRows, c.normalRows),
    unreliableFlaggedShare: ratio(c.unreliableFlaggedRows, c.unreliableRows),
    medianTimeToDetectHours: medianOf(c.delaysHours),
    perKindRecall: Object.fromEntries(Object.entries(c.perKind).map(([k, v]) => [k, { ...v, recall: ratio(v.detected, v.events) }])),
    counts: c,
  };
}

/** A NAB file from a series and per-row frame values (scores or flags), mapped onto the file's own rows. */
function nabFile(s: BenchSeries, perRow: ArrayLike<number>): NabFile {
  const nab = s.nab!;
  return { name: s.name, score: Array.from(nab.row, (r) => perRow[r]), windows: nab.windows };
}

/** How long an alert holds: a row is a new alert only if its score beats every score of the previous 12 hours. */
export const ALERT_HOLD_MS = 12 * 3_600_000;

/**
 * Alert scores from per-row scores: NAB rewards the first detection of an anomaly and charges every later flagged row
 * outside its window, so it scores alerts, not states. A row keeps its score only when it is higher than every score
 * of the previous `holdMs` (causal: a rising anomaly raises new alerts as it deepens; a plateau raises none); other
 * rows score −∞, never a detection whatever the threshold (a score may be negative). Applied to every detector alike,
 * so the comparison stays fair.
 */
export function alertScores(score: ArrayLike<number>, timestamps: number[], holdMs = ALERT_HOLD_MS): Float64Array {
  const n = score.length;
  const out = new Float64Array(n);
  const q: number[] = []; // indices of a monotone deque of the window maximum
  let head = 0;
  for (let t = 0; t < n; t++) {
    while (head < q.length && timestamps[q[head]] < timestamps[t] - holdMs) head++;
    const v = Number.isFinite(score[t]) ? score[t] : -Infinity;
    const prevMax = head < q.length ? (Number.isFinite(score[q[head]]) ? score[q[head]] : -Infinity) : -Infinity;
    out[t] = v > prevMax ? v : Number.isNaN(score[t]) ? NaN : -Infinity;
    while (q.length > head && !(v < (Number.isFinite(score[q[q.length - 1]]) ? score[q[q.length - 1]] : -Infinity))) q.pop();
    q.push(t);
  }
  return out;
}

/** Runs the benchmark. Progress goes to the log; nothing is written (see writeQuality). */
export async function runQuality(cfg: Config, opts: QualityOptions = {}): Promise<QualityReport> {
  const t0 = performance.now();
  const dsNames = opts.datasets?.length ? opts.datasets : Object.keys(BENCH_DATASETS);
  const detNames = opts.detectors?.length ? opts.detectors : Object.keys(BENCH_DETECTORS);
  const datasets = dsNames.map(benchDataset);
  const detectors = detNames.map(benchDetector);
  // every (detector, seed) run, checked before any data set loads
  const seeds = distinctSeeds(opts.seeds);
  const runs = detectors.flatMap((det) => seedRuns(det, cfg, seeds).map((r) => ({ det, ...r })));
  const report: QualityReport = {
    name: 'quality',
    quick: !!opts.quick,
    datasetsRoot: datasetsRoot(),
    budgets: [...FPR_BUDGETS],
    datasets: [],
    detectors: detectors.map((d) => ({ name: d.name, description: d.description })),
    ...(seeds ? { seeds } : {}),
    results: {},
    protocol: PROTOCOL,
    config: cfg,
    machine: { node: process.version, cpu: os.cpus()[0]?.model, cores: os.availableParallelism(), platform: `${os.platform()} ${os.arch()}` },
    seconds: 0,
    createdAt: new Date().toISOString(),
  };
  for (const ds of datasets) {
    const series = await ds.load({ quick: !!opts.quick, cfg });
    report.datasets.push({ name: ds.name, description: ds.description, series: series.length });
    if (!series.length) continue;
    const byDet: QualityReport['results'][string] = {};
    for (const { det, name, cfg: runCfg } of runs) {
      const rows: SeriesResult[] = [];
      const nabScores: NabFile[] = [];
      const nabRaw: NabFile[] = [];
      const nabFlags: NabFile[] = [];
      for (const s of series) {
        const ts = performance.now();
        let run: DetectorRun;
        let error: string | undefined;
        try {
          run = await det.run(s, runCfg, series);
        } catch (e) {
          error = (e as Error).message.split('\n')[0].slice(0, 300);
          const n = s.frame.timestamps.length;
          run = { score: new Float64Array(n).fill(NaN), flagged: new Uint8Array(n), seconds: (performance.now() - ts) / 1000 };
        }
        const r: SeriesResult = { ...measureSeries(s, run, cfg), seconds: run.seconds, error, info: run.info };
        rows.push(r);
        if (ds.scoring === 'nab' && s.nab) {
          const alerts = alertScores(run.score, s.frame.timestamps);
          nabScores.push(nabFile(s, alerts));
          nabRaw.push(nabFile(s, run.score));
          nabFlags.push(nabFile(s, Float64Array.from(alerts, (a, i) => (run.flagged[i] && a > -Infinity ? 1 : 0))));
        }
        log.info(`quality ${ds.name} ${name} ${s.name}: ${error ? `failed (${error})` : `${run.seconds.toFixed(1)} s`}`);
      }
      const pooled = poolSeries(rows);
      if (ds.scoring === 'nab') {
        pooled.nab = scoreNabProfiles(nabScores);
        pooled.nabRawScores = scoreNabProfiles(nabRaw);
        pooled.nabAtOwnThreshold = {
          standard: scoreNab(nabFlags, 'standard', 0.5),
          reward_low_FP_rate: scoreNab(nabFlags, 'reward_low_FP_rate', 0.5),
          reward_low_FN_rate: scoreNab(nabFlags, 'reward_low_FN_rate', 0.5),
        };
      }
      byDet[name] = { pooled, series: rows };
    }
    report.results[ds.name] = byDet;
  }
  report.seconds = (performance.now() - t0) / 1000;
  return report;
}

const pct = (x: number, d = 1) => (Number.isFinite(x) ? `${(100 * x).toFixed(d)} %` : '–');
const num = (x: number | null | undefined, d = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));

/** The markdown tables: one row per data set × detector, then recall per kind at the own threshold. */
/** Column heads of the recall-at-budget columns: R@0.25% … */
const budgetHeads = (r: QualityReport): string[] => r.budgets.map((x) => `R@${(x * 100).toFixed(2).replace(/0$/, '')}%`);

export function qualityTable(r: QualityReport): string {
  const b = budgetHeads(r);
  const head = ['data set', 'detector', 'series (failed)', 'events', ...b, 'precision', 'recall', 'F1', 'hourly FPR', 'flagged unreliable', 'median TTD h', 'NAB std / lowFP / lowFN', 'seconds'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  const kinds = new Set<string>();
  for (const [ds, byDet] of Object.entries(r.results)) {
    for (const [det, { pooled: p }] of Object.entries(byDet)) {
      Object.keys(p.perKindRecall).forEach((k) => kinds.add(k));
      const nab = p.nab ? `${num(p.nab.standard.score)} / ${num(p.nab.reward_low_FP_rate.score)} / ${num(p.nab.reward_low_FN_rate.score)}` : '';
      lines.push(
        `| ${ds} | ${det} | ${p.series}${p.failedSeries ? ` (${p.failedSeries})` : ''} | ${p.events} | ${r.budgets.map((x) => pct(p.recallAtFpr[String(x)])).join(' | ')} | ${pct(p.precision)} | ${pct(p.recall)} | ${num(p.f1, 3)} | ${pct(p.hourlyFpr, 2)} | ${p.counts.unreliableRows ? `${p.counts.unreliableFlaggedRows} / ${p.counts.unreliableRows}` : ''} | ${num(p.medianTimeToDetectHours)} | ${nab} | ${num(p.seconds, 0)} |`,
      );
    }
  }
  const ks = [...kinds].sort();
  const kh = ['data set', 'detector', ...ks];
  const kl = [`| ${kh.join(' | ')} |`, `|${kh.map(() => '---').join('|')}|`];
  for (const [ds, byDet] of Object.entries(r.results)) {
    for (const [det, { pooled: p }] of Object.entries(byDet)) {
      kl.push(`| ${ds} | ${det} | ${ks.map((k) => (p.perKindRecall[k] ? `${pct(p.perKindRecall[k].recall, 0)} (${p.perKindRecall[k].events})` : '')).join(' | ')} |`);
    }
  }
  return [
    `Quality benchmark${r.quick ? ' (quick slice)' : ''}${r.seeds ? ` (learned detectors at training seeds ${r.seeds.join(', ')})` : ''}: ${r.detectors.map((d) => d.name).join(', ')} on ${r.datasets.map((d) => `${d.name} (${d.series})`).join(', ')} — ${num(r.seconds, 0)} s on ${r.machine.cores} cores. One set of defaults for every data set (nothing tuned).`,
    '',
    `R@b = event recall at hourly false-positive budget b (threshold per series); precision / recall / F1 / FPR / TTD at the detector's own calibrated threshold; flagged unreliable = rows Radar marks unreliable (not evaluated, no label) that the own threshold flags / all such rows; NAB = normalised NAB score (null 0, perfect 100).`,
    '',
    ...lines,
    '',
    'Event recall by kind at the own threshold (events):',
    '',
    ...kl,
    ...seedSpread(r),
  ].join('\n');
}

/**
 * With several training seeds: per data set and learned detector, the range over seeds of R@b and F1, beside the
 * strongest single-run detector's (the largest R@b, F1) — whether a margin is more than a seed's luck.
 */
function seedSpread(r: QualityReport): string[] {
  if (!r.seeds || r.seeds.length < 2) return [];
  const head = ['data set', 'detector', 'runs', ...budgetHeads(r), 'F1', 'NAB std'];
  const out = ['', `Spread over training seeds ${r.seeds.join(', ')} (min – max; "best reference" = the largest value of the detectors that train nothing):`, '', `| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  const range = (xs: number[], f: (x: number) => string) => (Math.min(...xs) === Math.max(...xs) ? f(xs[0]) : `${f(Math.min(...xs))} – ${f(Math.max(...xs))}`);
  for (const [ds, byDet] of Object.entries(r.results)) {
    // each detector's runs, named as runQuality named them (seedRuns)
    const groups = new Map(r.detectors.map((d) => [d.name, seedRuns({ name: d.name, learned: true }, r.config, r.seeds).filter((x) => byDet[x.name]).map((x) => byDet[x.name].pooled)]));
    const refs = [...groups.values()].filter((g) => g.length === 1).map((g) => g[0]);
    const nab = (ps: PooledResult[]) => (ps.every((p) => p.nab) ? ps.map((p) => p.nab!.standard.score) : null);
    const row = (label: string, ps: PooledResult[]) => {
      const n = nab(ps);
      return `| ${ds} | ${label} | ${ps.length} | ${r.budgets.map((x) => range(ps.map((p) => p.recallAtFpr[String(x)]), (v) => pct(v))).join(' | ')} | ${range(ps.map((p) => p.f1), (v) => num(v, 3))} | ${n ? range(n, (v) => num(v)) : ''} |`;
    };
    for (const [name, ps] of groups) if (ps.length > 1) out.push(row(name, ps));
    if (refs.length && [...groups.values()].some((g) => g.length > 1)) {
      const best = r.budgets.map((x) => Math.max(...refs.map((p) => p.recallAtFpr[String(x)])));
      const n = nab(refs);
      out.push(`| ${ds} | best reference | ${refs.length} detector${refs.length === 1 ? '' : 's'} | ${best.map((v) => pct(v)).join(' | ')} | ${num(Math.max(...refs.map((p) => p.f1)), 3)} | ${n ? num(Math.max(...n)) : ''} |`);
    }
  }
  return out;
}

/** Writes results/benchmarks/quality.json and quality.md (atomically); returns their paths. */
export function writeQuality(r: QualityReport): { json: string; md: string } {
  const dir = resultDirs.benchmarks();
  const json = path.join(dir, 'quality.json');
  const md = path.join(dir, 'quality.md');
  writeJsonAtomic(json, r);
  writeFileAtomic(md, qualityTable(r) + '\n');
  return { json, md };
}
