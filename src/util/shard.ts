/**
 * Fleet sharding: `--shard i/n` gives shard i (0-based, the Kubernetes Indexed Job's completion index) of n the series
 * whose id hashes to i. The assignment depends on the id alone — not on the list, its order or the machine — so a
 * series always lands on the same shard, every series on exactly one, and shards' result folders merge by copying.
 */
import { InputError } from '../errors';

/** One shard of a fleet. */
export interface Shard {
  index: number;
  count: number;
}

/** Parses `i/n` (0 ≤ i < n, n ≥ 1); undefined → undefined. Throws InputError naming the accepted form. */
export function parseShard(value: string | undefined): Shard | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!(count >= 1 && index >= 0 && index < count)) {
    throw new InputError(`--shard must be i/n with 0 ≤ i < n (i is 0-based, e.g. the Kubernetes JOB_COMPLETION_INDEX), e.g. 0/4; got "${value}"`);
  }
  return { index, count };
}

/** FNV-1a 32-bit hash of a string: small, stable across platforms and Node versions. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The shard (0-based) a series id belongs to among `count`. */
export function shardOf(id: string, count: number): number {
  return fnv1a(id) % count;
}

/** The ids of `ids` that belong to `shard` (all of them without one), in their order. */
export function inShard(ids: readonly string[], shard: Shard | undefined): string[] {
  return shard ? ids.filter((id) => shardOf(id, shard.count) === shard.index) : [...ids];
}
