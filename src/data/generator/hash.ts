/**
 * Counter-based random numbers for the generator: every draw is a pure function of (stream key, integer
 * index), so any hour of any window can be computed on its own and a sub-range equals a slice of a longer run.
 */
import { hashSeed } from '../../util/random';

/** 32-bit avalanche mix (lowbias32 by Chris Wellons): consecutive inputs give unrelated outputs. */
function mix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** A stream key for `(seed, country, stream name)`; hash it once, then draw per index. */
export function streamKey(seed: number, country: string, stream: string): number {
  return hashSeed(seed, country, stream);
}

/** Uniform in (0, 1) for draw `i` of stream `key`; `i` may be negative (hours before 1970). */
export function uniformAt(key: number, i: number): number {
  const h = mix(mix(key ^ 0x9e3779b9) ^ (i | 0)) ^ mix(Math.floor(i / 4294967296) + 0x632be5ab);
  return (mix(h) + 0.5) / 4294967296;
}

/** Standard normal for draw `i` of stream `key` (Box–Muller on two independent uniforms). */
export function gaussAt(key: number, i: number): number {
  const u = uniformAt(key, 2 * i);
  const v = uniformAt(key ^ 0x5bd1e995, 2 * i + 1);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Unit-variance AR(1) noise over indices `[from, from + n)`, with coefficient `rho`. The filter starts
 * `warmup` draws before `from` from zero state, so the output depends only on the indices (ρ^warmup ≈ 0),
 * never on where a caller's window begins — as long as callers use the same `from` grid (the generator
 * always computes whole months).
 */
export function ar1(key: number, from: number, n: number, rho: number, warmup = 48): Float64Array {
  const out = new Float64Array(n);
  const innov = Math.sqrt(1 - rho * rho);
  let x = 0;
  for (let i = from - warmup; i < from; i++) x = rho * x + innov * gaussAt(key, i);
  // After the warm-up the state's variance is 1 − ρ^(2·warmup) ≈ 1, so the first kept values are already stationary.
  for (let k = 0; k < n; k++) {
    x = rho * x + innov * gaussAt(key, from + k);
    out[k] = x;
  }
  return out;
}
