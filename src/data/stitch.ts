/**
 * Puts separately fetched MIN0_MAX chunks of one series on one scale. Radar rescales every response
 * to its own max (radar-api.md §2), so two windows of the same series differ by an unknown factor;
 * the hours where consecutive windows overlap carry both scales and reveal that factor.
 */
import { log } from '../util/log';
import { medianOf } from '../util/stats';
import { HOUR_MS } from '../base/time';

/** One chunk: epoch ms ascending and values on the chunk's own scale (NaN = missing point). */
export interface Chunk {
  timestamps: number[];
  values: ArrayLike<number>;
}

export interface StitchOptions {
  /**
   * A value counts as "clearly > 0" above this, on its own chunk's 0–1 scale (default 1e-4): Radar
   * rounds to 6 decimals, so smaller values carry > 0.5 % rounding error. Absolute rather than
   * relative to the chunk max, because one huge attack spike must not disqualify the whole overlap.
   */
  minValue?: number;
  /** Hours of valid data on each side used by the level fallback (default 24: one daily cycle). */
  levelHours?: number;
  /** Name used in warnings (e.g. `AT http`). */
  label?: string;
}

export interface StitchResult {
  /** Union of all chunk timestamps, ascending. */
  timestamps: number[];
  /** Values on one MIN0_MAX scale: max 1 over the whole range (all zeros stays zeros). */
  values: number[];
  /** Factor that multiplied each chunk onto the first chunk's scale (before the final max-1 rescale). */
  factors: number[];
  /** Indexes of chunks whose factor came from the level fallback instead of overlap ratios. */
  fallbacks: number[];
}

/**
 * Stitches chunks (in time order; each may overlap the previous by some hours) onto one scale:
 * 1. chunk 0 keeps factor 1; chunk k gets factor = median over overlap hours of (stitched so far / chunk k),
 *    using hours where both values are clearly > 0 and, of those, the ones within a decade of the
 *    largest (the least rounding error); the median shrugs off revised hours and outliers;
 * 2. if an overlap has no usable pair (a total outage across it, a missing chunk), it falls back to
 *    the ratio of robust levels: the median of the last `levelHours` positive stitched values before
 *    the chunk over the median of its first `levelHours` positive values. Both medians span one
 *    daily cycle, so the diurnal shape cancels; a level shift in between becomes a scale error, hence the warning;
 * 3. on overlap hours the later chunk's values win (Radar revises recent hours);
 * 4. everything is divided by the overall max, as if Radar had answered one request for the whole range.
 */
export function stitchChunks(chunks: Chunk[], opts: StitchOptions = {}): StitchResult {
  const minValue = opts.minValue ?? 1e-4;
  const levelHours = opts.levelHours ?? 24;
  // Per hour: the value on chunk 0's scale and the raw value on its own chunk's scale (for precision checks).
  const acc = new Map<number, { v: number; raw: number }>();
  const factors: number[] = [];
  const fallbacks: number[] = [];
  chunks.forEach((c, k) => {
    if (c.timestamps.length !== c.values.length) throw new RangeError(`stitchChunks: chunk ${k} has ${c.timestamps.length} timestamps and ${c.values.length} values`);
    let factor = 1;
    if (k > 0 && acc.size > 0) {
      const pairs: { ratio: number; precision: number }[] = [];
      for (let i = 0; i < c.timestamps.length; i++) {
        const prev = acc.get(c.timestamps[i]);
        const v = c.values[i];
        if (prev && prev.raw > minValue && prev.v > 0 && Number.isFinite(v) && v > minValue) pairs.push({ ratio: prev.v / v, precision: Math.min(prev.raw, v) });
      }
      // Rounding error shrinks with the value, so keep the pairs within one decade of the most precise one.
      const best = pairs.reduce((m, p) => Math.max(m, p.precision), 0);
      const ratios = pairs.filter((p) => p.precision >= 0.1 * best).map((p) => p.ratio);
      if (ratios.length > 0) factor = medianOf(ratios);
      else {
        factor = levelFactor(acc, c, minValue, levelHours) ?? factors[k - 1];
        fallbacks.push(k);
        log.warn(
          `${opts.label ? opts.label + ': ' : ''}chunk ${k} (from ${new Date(c.timestamps[0] ?? 0).toISOString()}) has no overlap hours with traffic on both sides; ` +
            `scaled by the ratio of ${levelHours}-hour median levels instead (${factor.toPrecision(4)}). Check the series around this date.`,
        );
      }
    }
    factors.push(factor);
    for (let i = 0; i < c.timestamps.length; i++) {
      const v = c.values[i];
      if (Number.isFinite(v)) acc.set(c.timestamps[i], { v: v * factor, raw: v });
      else if (!acc.has(c.timestamps[i])) acc.set(c.timestamps[i], { v: NaN, raw: NaN });
    }
  });
  const timestamps = [...acc.keys()].sort((a, b) => a - b);
  let max = 0;
  for (const t of timestamps) {
    const v = acc.get(t)!.v;
    if (v > max) max = v;
  }
  const values = timestamps.map((t) => {
    const v = acc.get(t)!.v;
    return max > 0 && Number.isFinite(v) ? v / max : v;
  });
  return { timestamps, values, factors, fallbacks };
}

/** Ratio of robust levels around a chunk boundary; undefined when either side has no positive value. */
function levelFactor(acc: Map<number, { v: number; raw: number }>, c: Chunk, minValue: number, levelHours: number): number | undefined {
  const start = c.timestamps[0];
  const before = [...acc.entries()]
    .filter(([t, e]) => t < start && e.raw > minValue)
    .sort((a, b) => b[0] - a[0])
    .slice(0, levelHours)
    .map(([, e]) => e.v);
  // The chunk's own hours inside the overlap are excluded: they are the ones without usable traffic.
  let lastPrev = start - HOUR_MS;
  for (const [t, e] of acc) if (Number.isFinite(e.v) && t > lastPrev) lastPrev = t;
  const after: number[] = [];
  for (let i = 0; i < c.timestamps.length && after.length < levelHours; i++) {
    if (c.timestamps[i] > lastPrev && Number.isFinite(c.values[i]) && c.values[i] > minValue) after.push(c.values[i]);
  }
  if (before.length === 0 || after.length === 0) return undefined;
  return medianOf(before) / medianOf(after);
}
