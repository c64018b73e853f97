/**
 * Evidence streams of the hybrid detector: per signal, the autoencoder's reconstruction error and the seasonal rule's
 * robust z, each averaged over a few trailing windows (so a long, shallow anomaly counts as much as a short, deep one).
 * Every stream is mapped to −log10 of its tail probability among held-out normal rows, and a row's evidence is the
 * largest signal's (the network's evidence on a signal capped a little above the rule's, AE_CAP_DECADES): one
 * signal's anomaly carries the row, no matter how many signals are quiet.
 */
import { HOUR_MS, stepsIn } from '../base/time';
import { DataError } from '../errors';
import type { FeatureSet } from '../features/types';
import type { Reconstruction } from '../model/autoencoder';
import { fitTail, tailEvidence, checkTail, type TailSketch } from '../calibrate/tail';
import type { SeasonalZ } from './seasonal';
import { rollingMedianPrev } from '../features/rolling';
import { brownEvidence } from '../util/stats';

/** Trailing windows of the streams, in time (deduplicated once converted to rows). */
export const EVIDENCE_WINDOWS_MS = [0, HOUR_MS, 3 * HOUR_MS, 12 * HOUR_MS] as const;

/** Signals whose drops are no anomaly (less attack traffic is good news): only their rises count. */
export const RISE_ONLY_SIGNALS: readonly string[] = ['l3', 'l7'];

/** Window lengths in rows for a step (1 row at least). */
export function evidenceWindows(stepMs: number): number[] {
  return [...new Set(EVIDENCE_WINDOWS_MS.map((ms) => stepsIn(ms, stepMs, 1)))].sort((a, b) => a - b);
}

/** One evidence stream's identity (plain JSON). */
export interface StreamKey {
  source: 'autoencoder' | 'seasonal';
  signal: string;
  /** Trailing window in rows. */
  window: number;
  /** Seasonal streams: the rule's reference for the signal. */
  reference?: string;
}

/** A stream in words: source/signal[/reference]/window. */
export function streamName(k: StreamKey): string {
  return [k.source, k.signal, ...(k.reference ? [k.reference] : []), k.window].join('/');
}

/** Whether two stream keys name the same stream. */
export function sameStream(a: StreamKey, b: StreamKey): boolean {
  return a.source === b.source && a.signal === b.signal && a.window === b.window && (a.reference ?? '') === (b.reference ?? '');
}

/** Raw stream values of a row range: higher = more anomalous; NaN where the stream has no value yet. */
export interface Streams {
  keys: StreamKey[];
  /** One column per key, each [rows]. */
  values: Float64Array[];
  /** Per signal, the seasonal rule's trailing mean z with the largest magnitude (sign = direction), [rows]. */
  direction: Record<string, Float64Array>;
}

/** Trailing mean over `w` rows of the finite values (NaN when fewer than half are finite). */
function trailingMean(x: Float64Array, w: number): Float64Array {
  const n = x.length;
  const out = new Float64Array(n);
  let sum = 0;
  let cnt = 0;
  for (let t = 0; t < n; t++) {
    if (Number.isFinite(x[t])) {
      sum += x[t];
      cnt++;
    }
    if (t >= w && Number.isFinite(x[t - w])) {
      sum -= x[t - w];
      cnt--;
    }
    out[t] = cnt * 2 >= Math.min(w, t + 1) && cnt > 0 ? sum / cnt : NaN;
  }
  return out;
}

/**
 * Per-signal mean squared reconstruction error per row over the signal's instantaneous features (its level and
 * seasonal residual), [rows] per signal, NaN on warm-up rows. Rolling-window features are left out: they still hold
 * an anomaly for a day after it ended, and their errors would keep the row "anomalous" all that time.
 */
export function signalErrors(fs: FeatureSet, recon: Reconstruction): Record<string, Float64Array> {
  const nCont = fs.contNames.length;
  const out: Record<string, Float64Array> = {};
  const count: Record<string, number> = {};
  const cols: number[] = [];
  fs.contNames.forEach((name, j) => {
    if (!/\.(level|resid)$/.test(name)) return;
    const s = fs.contSignal[j];
    out[s] ??= new Float64Array(fs.rows);
    count[s] = (count[s] ?? 0) + 1;
    cols.push(j);
  });
  for (let r = 0; r < fs.rows; r++) {
    const o = r * nCont;
    for (const j of cols) {
      const d = fs.cont[o + j] - recon.contRecon[o + j];
      out[fs.contSignal[j]][r] += d * d;
    }
  }
  for (const [s, col] of Object.entries(out)) for (let r = 0; r < fs.rows; r++) col[r] = fs.warmup[r] ? NaN : col[r] / count[s];
  return out;
}

/**
 * Trailing evidence over `w` rows that ends when the anomaly ends: the trailing mean over w, but no larger than the
 * trailing mean over the last quarter of it, and 0 when the two disagree in sign. A long window alone would keep an
 * event "anomalous" for w rows after it ended (most false alarms of a plain trailing mean fall there).
 */
function sustained(x: Float64Array, w: number, signed: boolean): Float64Array {
  if (w === 1) return x;
  const long = trailingMean(x, w);
  const short = trailingMean(x, Math.max(1, Math.ceil(w / 4)));
  return long.map((a, i) => {
    const b = short[i];
    if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
    if (!signed) return Math.min(a, b);
    return a > 0 && b > 0 ? Math.min(a, b) : a < 0 && b < 0 ? Math.max(a, b) : 0;
  });
}

/**
 * Stream values for rows of one window of a series: `errors` from signalErrors (autoencoder; optional) and `seasonal`
 * from applySeasonalRule, both over the same rows. Clipped z (±50) keeps one absurd row from owning a 12-hour mean.
 * Autoencoder errors are compared as ln(error): higher is worse, so their sustained window needs no sign test.
 */
export function computeStreams(seasonal: SeasonalZ, errors: Record<string, Float64Array> | null, windows: number[], aeLevelRows = 0): Streams {
  // The network already sees recent hours through its rolling features; averaging its errors over half a day mostly
  // measures how far traffic has drifted from its training months, so its streams stop at the 3-hour window.
  const aeMaxWindow = Math.max(1, ...windows.filter((w) => w <= Math.max(1, windows[windows.length - 2] ?? 1)));
  const keys: StreamKey[] = [];
  const values: Float64Array[] = [];
  const direction: Record<string, Float64Array> = {};
  seasonal.signals.forEach((signal, k) => {
    const reference = seasonal.references[k];
    const z = seasonal.z[k].map((v) => (Number.isFinite(v) ? Math.max(-50, Math.min(50, v)) : NaN));
    const dir = new Float64Array(z.length);
    const rise = RISE_ONLY_SIGNALS.includes(signal);
    // A count is a state (announced address space): it moves in steps, and a step's sustained residual says nothing
    // its onset did not — while every normal re-announcement would keep a long window "anomalous" for days.
    for (const w of seasonal.kinds[k] === 'count' ? [1] : windows) {
      const m = sustained(z, w, true);
      keys.push({ source: 'seasonal', signal, window: w, reference });
      values.push(m.map((v) => (rise ? Math.max(0, v) : Math.abs(v))));
      for (let i = 0; i < m.length; i++) if (Math.abs(m[i]) > Math.abs(dir[i])) dir[i] = m[i];
    }
    direction[signal] = dir;
  });
  if (errors) {
    // Counts (announced address space) are states: after a step the network's error stays high until its rolling
    // level catches up, weeks of "anomaly" the step's onset already told. The seasonal rule carries their onsets.
    const counts = new Set(seasonal.signals.filter((_, k) => seasonal.kinds[k] === 'count'));
    for (const [signal, e] of Object.entries(errors)) {
      if (counts.has(signal)) continue;
      const raw = e.map((v) => (Number.isFinite(v) ? Math.log(v + 1e-6) : NaN));
      // Relative to the error's own rolling median: a network's errors drift as traffic moves away from its training
      // months, and that drift is no anomaly (the seasonal rule's rolling scale does the same for its residuals).
      const level = aeLevelRows > 0 ? rollingMedianPrev(raw, aeLevelRows, Math.min(aeLevelRows, 24)) : null;
      const l = level ? raw.map((v, i) => v - level[i]) : raw;
      for (const w of windows.filter((x) => x <= aeMaxWindow)) {
        keys.push({ source: 'autoencoder', signal, window: w });
        values.push(sustained(l, w, false));
      }
    }
  }
  return { keys, values, direction };
}

/** The fitted evidence combiner (plain JSON, part of calibration.json). */
export interface EvidenceModel {
  windows: number[];
  /**
   * Trailing rows of the online part of the calibration (four weeks): the combined evidence's tail probability pools
   * the held-out rows with the rows just before, and the novelty rule ranks each level among them.
   */
  onlineRows: number;
  /** Rolling window (rows) of the median the autoencoder's log errors are taken relative to (0 = raw errors). */
  aeLevelRows?: number;
  /** Decades the autoencoder's evidence may exceed the seasonal rule's on the same signal (AE_CAP_DECADES when fitted). */
  aeCapDecades: number;
  streams: (StreamKey & { tail: TailSketch })[];
  /** Tail of the combined evidence (max over streams) on normal held-out rows. */
  combined: TailSketch;
  /**
   * Labelled rows before this time (epoch ms; the end of the calibration rows) are known anomalies: no noise for the
   * seasonal rule's scale, no history for the drift check and the novelty rule. Absent = no labels known.
   */
  labelsKnownTo?: number;
  /** Streams left out at calibration for lack of values (streamName); scoring skips them. */
  skipped?: string[];
}

/** Combined evidence per row and each signal's part in it. */
export interface CombinedEvidence {
  /** max over streams of −log10 p, [rows]; NaN where no stream has a value. */
  evidence: Float64Array;
  /** Per signal, its largest stream evidence, [rows]. */
  bySignal: Record<string, Float64Array>;
}

/**
 * How far, in decades of evidence, a signal's autoencoder streams may go beyond the seasonal rule's streams on the
 * same signal and row. The network flags what the rule cannot see (a bot surge whose shape is wrong while its level
 * is within range), but alone, where the rule sees nothing at all, its errors were mostly noise: measured on every
 * benchmark data set, capping them 2 decades above the rule (an error the rule does not corroborate can reach
 * about 1 % tail probability, not the budget's 0.3 %) raised precision on all six data sets (gen-shifted 64 → 82 %)
 * without losing an event at the fixed false-positive budgets on the generator or NAB.
 */
export const AE_CAP_DECADES = 2;

/**
 * Evidence per row of `streams` under fitted tails (`tails[i]` belongs to `streams.keys[i]`). Per signal: its largest
 * seasonal stream evidence, and its largest autoencoder stream evidence capped at `aeCapDecades` above that (uncapped
 * where the rule has no value, or when there is no seasonal stream at all: the autoencoder-only ablation); a signal's
 * evidence is the larger of the two and a row's the largest signal's.
 */
export function combineStreams(streams: Streams, tails: TailSketch[], aeCapDecades: number): CombinedEvidence {
  const rows = streams.values[0]?.length ?? 0;
  const best: Record<StreamKey['source'], Record<string, Float64Array>> = { seasonal: {}, autoencoder: {} };
  streams.keys.forEach((k, i) => {
    const col = (best[k.source][k.signal] ??= new Float64Array(rows).fill(NaN));
    const v = streams.values[i];
    for (let r = 0; r < rows; r++) {
      const e = tailEvidence(tails[i], v[r]);
      if (!(e <= col[r]) && !Number.isNaN(e)) col[r] = e;
    }
  });
  const evidence = new Float64Array(rows).fill(NaN);
  const bySignal: Record<string, Float64Array> = {};
  for (const signal of new Set([...Object.keys(best.seasonal), ...Object.keys(best.autoencoder)])) {
    const se = best.seasonal[signal];
    const ae = best.autoencoder[signal];
    // the seasonal column (built here) becomes the signal's, raised where the capped network says more
    const col = (bySignal[signal] = se ?? new Float64Array(rows).fill(NaN));
    if (ae) {
      for (let r = 0; r < rows; r++) {
        const s = se ? se[r] : NaN;
        const a = Number.isNaN(s) ? ae[r] : Math.min(ae[r], Math.max(0, s) + aeCapDecades);
        if (!(a <= col[r]) && !Number.isNaN(a)) col[r] = a;
      }
    }
    for (let r = 0; r < rows; r++) if (!(col[r] <= evidence[r]) && !Number.isNaN(col[r])) evidence[r] = col[r];
  }
  return { evidence, bySignal };
}

/**
 * How strongly a row's two sources — the streams' drift-corrected tail probability and the novelty rule's p — are
 * taken to depend on each other when they are joined: the correlation of their −ln p on normal rows that Brown's
 * method (brownEvidence) corrects Fisher's combination for. Both look at the same levels, so they agree more often than
 * chance would: a routine one-hour attack burst is both far above its expected level and among the month's highest.
 * Fisher's method itself (ρ = 0) called such bursts anomalies (measured with the rules alone, the generator's event F1
 * fell to 0.810 / 0.852 / 0.739 on gen-s2, gen-s3 and the shifted generator). Estimated per series instead (their
 * Pearson correlation on the normal calibration rows: 0.23–0.37 on the generator, anywhere from 0 to 1 on NAB's and
 * cloud-monitoring's few hundred held-out rows, median about 0.45), it cost NAB 2.8 points against one value for every
 * series; at 0.3 the generator kept part of Fisher's false alarms.
 */
export const JOINT_RHO = 0.5;

/**
 * Tests a row's evidence is the best of: the two sources joined, or either alone. A source alone counts with this
 * Bonferroni factor, so a join that dilutes a strong source (an outage to a level that is ordinary at night, where
 * the novelty rule sees nothing) loses it log10 3 = 0.48 decades instead of a third of its evidence.
 */
const JOINT_TESTS = 3;

/**
 * A row's evidence in decades from the streams' `streams` = −log10 p and the novelty rule's `novelty`: the two joined
 * by Brown's method at JOINT_RHO, or the stronger alone counted for JOINT_TESTS tests, whichever is larger. Where the
 * novelty rule has no value (no seasonal rule — the autoencoder alone — or fewer than NOVELTY_MIN_VALUES levels of
 * history), there is one test and the streams' evidence stands as it is. Two sources that each see a moderate
 * anomaly outrank one that alone sees a slightly stronger one. Measured with the rules alone on every benchmark data
 * set against the stronger of the two as before: cloud-monitoring R@0.25/0.5/1 % 76.6/78.1/84.4 → 84.4/90.6/90.6 %
 * (F1 0.600 → 0.631), NAB 58.2 → 59.0 (F1 0.540 → 0.575), the shifted generator R@1 % 90 → 95 % and F1 0.850 → 0.895
 * (with the novelty rule abstaining on holidays, seasonalNovelty), gen-s3 F1 0.958 → 0.979, gen-noisy-long 0.982 →
 * 1.000, gen-short-shallow 0.806 → 0.893; gen-s2 lost one event at 1 % (100 → 94.4 %) and F1 0.919 → 0.895 (attack
 * bursts both sources see). The join alone, without the single sources, missed the first hours of a 20 % drop that
 * only the seasonal rule sees (test/detect/hybrid).
 */
export function jointEvidence(streams: number, novelty: number): number {
  if (Number.isNaN(novelty)) return streams;
  return Math.max(brownEvidence(streams, novelty, JOINT_RHO), Math.max(streams, novelty) - Math.log10(JOINT_TESTS));
}

/**
 * Smallest tail scale per source, in stream units: one robust z for the seasonal rule, a quarter of a log unit (a 28 %
 * larger error) for the autoencoder; below it, values past the held-out maximum would gain evidence implausibly fast.
 */
const MIN_BETA: Record<StreamKey['source'], number> = { seasonal: 1, autoencoder: 0.25 };

/** Fewest normal rows with a value a stream's tail is fitted on. */
const MIN_STREAM_ROWS = 20;

/**
 * Fits one tail per stream on the rows where `normal` is 1 — seasonal streams on every row, autoencoder streams only
 * on rows from `heldOutFrom` on (the network was fitted on the rows before) — then the tail of their combination on
 * the held-out rows (on every row when there is no autoencoder stream). `streams` and `normal` cover the same rows.
 */
export function fitEvidenceModel(streams: Streams, normal: Uint8Array, heldOutFrom: number, windows: number[], onlineRows: number, aeLevelRows = 0): EvidenceModel {
  const pick = (v: Float64Array, from: number) => v.filter((x, i) => i >= from && normal[i] === 1 && Number.isFinite(x));
  // A stream with too few values to calibrate (a long window over a gappy, irregular series) is left out and named.
  const fitted: { key: StreamKey; values: Float64Array; tail: TailSketch }[] = [];
  const skipped: string[] = [];
  streams.values.forEach((v, i) => {
    const kept = pick(v, streams.keys[i].source === 'autoencoder' ? heldOutFrom : 0);
    if (kept.length < MIN_STREAM_ROWS) skipped.push(streamName(streams.keys[i]));
    else fitted.push({ key: streams.keys[i], values: v, tail: fitTail(kept, MIN_BETA[streams.keys[i].source]) });
  });
  if (fitted.length === 0) throw new DataError(`No evidence stream has ${MIN_STREAM_ROWS} normal rows with a value (${skipped.join(', ')}); expected a longer series or validation part.`);
  const used: Streams = { keys: fitted.map((f) => f.key), values: fitted.map((f) => f.values), direction: streams.direction };
  const aeCapDecades = AE_CAP_DECADES;
  const { evidence } = combineStreams(used, fitted.map((f) => f.tail), aeCapDecades);
  const combinedFrom = used.keys.some((k) => k.source === 'autoencoder') ? heldOutFrom : 0;
  // Evidence is −log10 of a calibrated tail probability, so beyond the held-out maximum the combined tail falls by a
  // factor of 10 per unit at most (an exponential tail of scale 1/ln 10); a short validation part must not make it
  // fall faster and call every new maximum a certain anomaly.
  return { windows, onlineRows, aeLevelRows, aeCapDecades, streams: fitted.map((f) => ({ ...f.key, tail: f.tail })), ...(skipped.length ? { skipped } : {}), combined: fitTail(pick(evidence, combinedFrom), 1 / Math.LN10) };
}

/** Checks a parsed evidence model; throws DataError naming what is damaged. */
export function checkEvidenceModel(m: EvidenceModel, what: string): void {
  if (!m || !Array.isArray(m.windows) || !m.windows.every((w) => Number.isInteger(w) && w >= 1) || !Array.isArray(m.streams) || m.streams.length === 0) {
    throw new DataError(`${what}: evidence model is missing or damaged (expected windows and streams). Re-run radarwatch calibrate.`);
  }
  if (!(Number.isFinite(m.aeCapDecades) && m.aeCapDecades >= 0)) {
    throw new DataError(`${what}: evidence model lacks aeCapDecades (${JSON.stringify(m.aeCapDecades)}; written by an older radarwatch, whose evidence combined differently). Re-run radarwatch calibrate.`);
  }
  if (!(Number.isInteger(m.onlineRows) && m.onlineRows >= 1)) {
    throw new DataError(`${what}: evidence model lacks onlineRows (${JSON.stringify(m.onlineRows)}; written by an older radarwatch, calibrated on held-out rows alone). Re-run radarwatch calibrate.`);
  }
  if (m.labelsKnownTo !== undefined && !(typeof m.labelsKnownTo === 'number' && Number.isFinite(m.labelsKnownTo))) {
    throw new DataError(`${what}: evidence model has a damaged labelsKnownTo (${JSON.stringify(m.labelsKnownTo)}; expected epoch ms). Re-run radarwatch calibrate.`);
  }
  m.streams.forEach((s) => checkTail(s.tail, `${what}: stream ${streamName(s)}`));
  checkTail(m.combined, `${what}: combined evidence`);
}
