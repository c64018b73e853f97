/**
 * The hybrid detector's scoring pass: autoencoder reconstruction errors and the seasonal rule's robust z, per signal,
 * combined into one calibrated anomaly probability per row (see evidence.ts). Shared by calibration, detection,
 * the benchmark and the watcher, so every consumer sees the same numbers.
 */
import type * as tf from '@tensorflow/tfjs';
import { knownLabelRows, reliableRows, sliceFrame } from '../data/frame';
import type { CountryFrame } from '../data/types';
import { stepsIn, DAY_MS } from '../base/time';
import { DataError } from '../errors';
import { computeFeatures } from '../features/build';
import type { FeatureSpec } from '../features/spec';
import { reconstruct } from '../model/autoencoder';
import { driftCorrectedTailProbs } from '../calibrate/tail';
import { combineStreams, computeStreams, jointEvidence, sameStream, signalErrors, streamName, type CombinedEvidence, type EvidenceModel, type Streams } from './evidence';
import { applySeasonalRule, scaleWindowRows, type SeasonalRule } from './seasonal';
import { seasonalNovelty } from './novelty';
import { censoredRuns } from '../features/rolling';
import { scoreRows, type RowScores } from './score';
import { probabilityOf } from './probability';

/** Evidence sources a detector combines: `hybrid` = both, the others one alone (for ablations and references). */
export const DETECTOR_SOURCES = ['hybrid', 'autoencoder', 'seasonal'] as const;
export type DetectorSource = (typeof DETECTOR_SOURCES)[number];

/** The autoencoder part, when the detector has one. */
export interface NetworkPart {
  model: tf.LayersModel;
  spec: FeatureSpec;
  weights: { contWeight: number; catWeight: number };
  /** Temperature of the categorical heads for the raw reconstruction score. */
  T: number;
}

/** Per-row output of a scoring pass over rows [start, end) of a frame. */
export interface HybridScores {
  rows: number;
  timestamps: number[];
  /** Calibrated anomaly probability, [rows]; NaN where the row is not scorable (warm-up). */
  probability: Float64Array;
  /** Combined evidence: −log10 of the row's tail probability (the `p` of probabilityOf). */
  evidence: Float64Array;
  /** Per signal, its strongest stream's evidence, [rows]. */
  bySignal: Record<string, Float64Array>;
  /** Per signal, the seasonal trailing z with the largest magnitude (negative = below normal). */
  direction: Record<string, Float64Array>;
  /** 1 where every source had its history. */
  scorable: Uint8Array;
  /** The autoencoder's raw reconstruction scores (null without a network). */
  raw: RowScores | null;
  /** Raw stream values (to fit an evidence model). */
  streams: Streams;
}

/** Rows of history the seasonal rule needs before a row: its longest reference lag plus the rolling scale window. */
export function seasonalHistoryRows(rule: SeasonalRule): number {
  // similar days look back 28 days and compare the day before them; `local` needs two hours
  const lagMs = rule.signals.some((s) => s.reference === 'similar') ? 30 * DAY_MS : DAY_MS / 12;
  return stepsIn(lagMs, rule.stepMs, 3) + rule.scaleRows;
}

/** Rows of history a scoring pass needs before its first row (`onlineRows`: the evidence model's online window). */
export function hybridHistoryRows(net: NetworkPart | null, rule: SeasonalRule | null, windows: number[], aeLevelRows = 0, onlineRows = 0): number {
  const w = Math.max(1, ...windows) - 1;
  // the online window, and the day before it that decides which of its rows are censored (ONLINE_CENSOR_Z)
  const online = onlineRows ? onlineRows + onlineCensorRows(onlineRows) : 0;
  return Math.max(net ? net.spec.warmupRows + aeLevelRows : 0, rule ? seasonalHistoryRows(rule) : 0) + w + online;
}

/**
 * Rows whose seasonal |z| exceeds this on some signal are no history for the drift check and the novelty rule (runs
 * of up to onlineCensorRows): a past event must not make the next one look ordinary. Measured with the rules alone on
 * every benchmark data set (with a one-sided novelty p, before it was made two-sided): without it NAB scored 50.1
 * instead of 53.6 and the generator's F1 was 0.01–0.02 higher (events then raise the drift factor, which also quiets
 * the false alarms after them); with an earlier design of the online calibration (ranking rows among the last four
 * weeks) it was what kept the generator's events at the 0.25–0.5 % budgets, and 8 beat the rule's own level of 5 on
 * NAB (55.9 against 53.3) at no cost elsewhere.
 */
export const ONLINE_CENSOR_Z = 8;

/** 1 on rows where some column's |z| exceeds `limit`. */
function farOff(z: Float64Array[], limit: number): Uint8Array {
  const n = z[0]?.length ?? 0;
  const out = new Uint8Array(n);
  for (const col of z) for (let i = 0; i < n; i++) if (Math.abs(col[i]) > limit) out[i] = 1;
  return out;
}

/**
 * Rows that are no history for the drift check and the novelty rule: runs of rows the seasonal rule finds far off
 * (ONLINE_CENSOR_Z, at most onlineCensorRows each), and every labelled row before the end of the rows the model was
 * calibrated on (`known`, from labelsKnownTo): a known outage is no drift. Labels after it are not used (they were not known when
 * the model was fitted, and the benchmark's test labels must not reach the scores). Measured with the rules alone:
 * cloud-monitoring, whose series are 5–26 % labelled, F1 0.487 → 0.537 and R@0.5 % 70.3 → 75.0 %; every other data set
 * unchanged but for 0.03 points of gen-s2's FPR. The rule's scale leaves the same rows out (applySeasonalRule).
 */
function onlineCensored(rows: number, z: Float64Array[], onlineRows: number, known: Uint8Array | undefined): Uint8Array {
  const out = known ? known.slice() : new Uint8Array(rows);
  if (z.length) censoredRuns(farOff(z, ONLINE_CENSOR_Z), onlineCensorRows(onlineRows)).forEach((c, i) => (out[i] |= c));
  return out;
}

/** Longest run of anomalous rows the online window leaves out: a day of its four weeks (a longer run is the new normal). */
export function onlineCensorRows(onlineRows: number): number {
  return Math.max(1, Math.round(onlineRows / 28));
}

/** Rows of the rolling median behind the autoencoder's relative errors: the rule's scale window, else 4 weeks capped at `fitRows`. */
export function aeLevelRowsOf(rule: SeasonalRule | null, stepMs: number, fitRows: number): number {
  return rule ? rule.scaleRows : Math.max(8, Math.min(scaleWindowRows(stepMs), fitRows));
}

/**
 * Computes every stream on rows [from, end) of `frame` (from = start − history, clamped at 0) and returns rows
 * [start, end). Rows without enough history are marked not scorable. `model` = null returns streams only (fitting).
 */
export function scoreHybrid(frame: CountryFrame, net: NetworkPart | null, rule: SeasonalRule | null, windows: number[], start: number, end: number, model: EvidenceModel | null, budget: number, aeLevelRows = model?.aeLevelRows ?? 0, labelsKnownTo = model?.labelsKnownTo): HybridScores {
  if (!net && !rule) throw new DataError('A detector needs at least one evidence source (an autoencoder or a seasonal rule).');
  const history = hybridHistoryRows(net, rule, windows, aeLevelRows, model?.onlineRows ?? 0);
  const from = Math.max(0, start - history);
  const win = from === 0 && end === frame.timestamps.length ? frame : sliceFrame(frame, from, end);
  const off = start - from;
  const rows = end - start;
  let raw: RowScores | null = null;
  let errors: Record<string, Float64Array> | null = null;
  if (net) {
    const fs = computeFeatures(win, net.spec);
    const recon = reconstruct(net.model, fs);
    errors = signalErrors(fs, recon);
    // A filled signal's reconstruction error is no evidence (its value was made up); the other signals' still are. On
    // Radar-unreliable rows (PIPELINE annotations: a source under-reported) no signal's is, as for the seasonal rule:
    // the network read those dips as outages and alarmed on 15–55 % of them.
    for (const [signal, e] of Object.entries(errors)) {
      const ok = reliableRows(win, signal);
      for (let i = 0; i < e.length; i++) if (!ok[i]) e[i] = NaN;
    }
    const full = scoreRows(fs, recon, net.weights, net.T);
    raw = sliceRowScores(full, off, off + rows);
  }
  // labelled rows the calibration saw, once for the rule's scale and the online history
  const known = knownLabelRows(win, labelsKnownTo);
  const seasonal = rule ? applySeasonalRule(rule, win, known) : { signals: [], references: [], kinds: [], z: [], levels: [], dayType: new Uint8Array(win.timestamps.length), shift: new Uint8Array(win.timestamps.length) };
  const all = computeStreams(seasonal, errors, windows, aeLevelRows);
  const streams: Streams = {
    keys: all.keys,
    values: all.values.map((v) => v.slice(off, off + rows)),
    direction: Object.fromEntries(Object.entries(all.direction).map(([k, v]) => [k, v.slice(off, off + rows)])),
  };
  // A row is scorable once some stream has a value (the rule's scale and the network's warm-up have history); rows
  // `history` or more after the start of the data score exactly as they would in one pass over the whole table.
  const scorable = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) scorable[r] = streams.values.some((v) => Number.isFinite(v[r])) ? 1 : 0;
  const probability = new Float64Array(rows).fill(NaN);
  let evidence: Float64Array = new Float64Array(rows).fill(NaN);
  let bySignal: Record<string, Float64Array> = {};
  if (model) {
    const censored = onlineCensored(win.timestamps.length, seasonal.z, model.onlineRows, known);
    const novelty = rule ? seasonalNovelty(rule, seasonal, off, censored) : {};
    ({ evidence, bySignal } = calibratedEvidence(all, model, off, rows, novelty, censored));
    for (let r = 0; r < rows; r++) {
      if (!scorable[r] || Number.isNaN(evidence[r])) {
        scorable[r] = 0;
        continue;
      }
      probability[r] = probabilityOf(Math.pow(10, -evidence[r]), budget);
    }
  }
  return { rows, timestamps: frame.timestamps.slice(start, end), probability, evidence, bySignal, direction: streams.direction, scorable, raw, streams };
}

/**
 * Evidence of rows [off, off + rows) of a pass's streams (`all`, over the whole pass) under a fitted model, in decades
 * (−log10 p): the streams' combination (combineStreams) takes its tail probability on held-out rows, corrected for
 * drift over the `onlineRows` rows before (driftCorrectedTailProbs; rows the seasonal rule finds far off, `censored`,
 * are no history); the most novel signal's novelty (already a p-value, with a Bonferroni factor for the signals) joins
 * it (jointEvidence). Per signal (for the likely cause), its streams' evidence only: a near-constant count such as
 * announced address space has a tiny interquartile range, and its novelty led the attribution of outages that withdrew
 * routes (the demo's cause accuracy fell from 91 % to 86.7 % with it).
 */
function calibratedEvidence(all: Streams, model: EvidenceModel, off: number, rows: number, novelty: Record<string, Float64Array>, censored: Uint8Array): CombinedEvidence {
  const from = Math.max(0, off - model.onlineRows);
  const skipped = new Set(model.skipped ?? []);
  const idx = all.keys.map((_, i) => i).filter((i) => !skipped.has(streamName(all.keys[i])));
  const tails = idx.map((i) => {
    const s = model.streams.find((m) => sameStream(m, all.keys[i]));
    if (!s) throw new DataError(`Calibration has no evidence stream ${streamName(all.keys[i])}; it was fitted for another detector or step. Re-run radarwatch calibrate.`);
    return s.tail;
  });
  const part = (v: Float64Array) => v.subarray(from, off + rows);
  const combined = combineStreams({ keys: idx.map((i) => all.keys[i]), values: idx.map((i) => part(all.values[i])), direction: {} }, tails, model.aeCapDecades);
  const lead = off - from;
  const p = driftCorrectedTailProbs(model.combined, combined.evidence, model.onlineRows, lead, censored.subarray(from, off + rows));
  const evidence = new Float64Array(rows);
  const bySignal: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(combined.bySignal)) bySignal[k] = v.slice(lead, lead + rows);
  const signals = Object.keys(novelty);
  for (let r = 0; r < rows; r++) {
    let best = -Infinity;
    let count = 0;
    for (const k of signals) {
      const e = novelty[k][off + r];
      if (!Number.isFinite(e)) continue;
      count++;
      if (e > best) best = e;
    }
    // NaN where the streams have no value; the novelty alone never makes a row scorable
    evidence[r] = jointEvidence(-Math.log10(p[lead + r]), count ? best - Math.log10(count) : NaN);
  }
  return { evidence, bySignal };
}

/** Rows [a, b) of RowScores. */
function sliceRowScores(s: RowScores, a: number, b: number): RowScores {
  const S = s.signalNames.length;
  const direction: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(s.direction)) direction[k] = v.slice(a, b);
  return {
    rows: b - a,
    score: s.score.slice(a, b),
    contMse: s.contMse.slice(a, b),
    catCe: s.catCe.slice(a, b),
    signalNames: s.signalNames,
    signalShare: s.signalShare.slice(a * S, b * S),
    direction,
  };
}

