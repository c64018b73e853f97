/** Temperature scaling of the categorical heads: one scalar T fitted by negative log-likelihood on validation rows. */
import { crossEntropy } from '../model/loss';

/** Logits of one categorical head: `rows × card` row-major, with the true class per row. */
export interface CategoricalBatch {
  logits: Float32Array | Float64Array | number[];
  card: number;
  labels: ArrayLike<number>;
}

export interface Temperature {
  T: number;
  nllBefore: number;
  nllAfter: number;
  eceBefore: number;
  eceAfter: number;
  n: number;
}

/** Mean negative log-likelihood of the true classes under softmax(logits / T), averaged over rows and heads. */
export function categoricalNll(heads: CategoricalBatch[], T = 1): number {
  let sum = 0;
  let n = 0;
  for (const h of heads) {
    const rows = h.labels.length;
    for (let r = 0; r < rows; r++) {
      sum += crossEntropy(h.logits, r * h.card, h.card, h.labels[r], T);
      n++;
    }
  }
  return n ? sum / n : NaN;
}

/** One equal-width confidence bin of the top-1 prediction: [lo, hi), rows in it, mean confidence and accuracy (NaN when empty). */
export interface ReliabilityBin {
  lo: number;
  hi: number;
  count: number;
  confidence: number;
  accuracy: number;
}

/** Reliability bins of the top-1 prediction of categorical heads at temperature T (pooled over heads, equal-width bins). */
export function reliabilityBins(heads: CategoricalBatch[], T = 1, bins = 10): ReliabilityBin[] {
  const conf = new Float64Array(bins);
  const acc = new Float64Array(bins);
  const cnt = new Float64Array(bins);
  for (const h of heads) {
    for (let r = 0; r < h.labels.length; r++) {
      const o = r * h.card;
      let max = -Infinity;
      let arg = 0;
      for (let c = 0; c < h.card; c++) {
        const v = h.logits[o + c] / T;
        if (v > max) {
          max = v;
          arg = c;
        }
      }
      let z = 0;
      for (let c = 0; c < h.card; c++) z += Math.exp(h.logits[o + c] / T - max);
      const p = 1 / z;
      const b = Math.min(bins - 1, Math.floor(p * bins));
      conf[b] += p;
      acc[b] += arg === h.labels[r] ? 1 : 0;
      cnt[b]++;
    }
  }
  return Array.from(cnt, (n, b) => ({ lo: b / bins, hi: (b + 1) / bins, count: n, confidence: n ? conf[b] / n : NaN, accuracy: n ? acc[b] / n : NaN }));
}

/** Expected calibration error of the top-1 prediction (equal-width confidence bins), pooled over heads. */
export function expectedCalibrationError(heads: CategoricalBatch[], T = 1, bins = 15): number {
  const rb = reliabilityBins(heads, T, bins);
  const total = rb.reduce((n, b) => n + b.count, 0);
  let ece = 0;
  for (const b of rb) if (b.count) ece += (b.count / total) * Math.abs(b.accuracy - b.confidence);
  return ece;
}

/**
 * Fits T > 0 minimising validation NLL by golden-section search on log T in [1/20, 20]
 * (NLL is unimodal in T for a fixed set of logits, so a 1-D search is exact enough and needs no gradients).
 */
export function fitTemperature(heads: CategoricalBatch[]): Temperature {
  const f = (logT: number) => categoricalNll(heads, Math.exp(logT));
  let a = Math.log(1 / 20);
  let b = Math.log(20);
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < 60 && b - a > 1e-5; i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  const T = Math.exp((a + b) / 2);
  const n = heads.reduce((s, h) => s + h.labels.length, 0);
  return {
    T,
    nllBefore: categoricalNll(heads, 1),
    nllAfter: categoricalNll(heads, T),
    eceBefore: expectedCalibrationError(heads, 1),
    eceAfter: expectedCalibrationError(heads, T),
    n,
  };
}
