/**
 * Benchmark frames straight from the embedded generator, in process: the same columns a processed table has
 * (volumes on a max = 1 scale as MIN0_MAX stitching leaves them, bot share in percent, announced IPv4 /24s), gaps
 * where any endpoint has no point (linearly bridged and flagged), PIPELINE hours unreliable, and the injected labels.
 * Exact and fast: no mock server, no files.
 */
import type { GeneratorConfig } from '../../config/schema';
import { createGenerator } from '../../data/generator';
import { GENERATED_SERIES } from '../../data/generator/quality';
import { RADAR_SIGNAL_KINDS, RADAR_SIGNALS, type CountryFrame } from '../../data/types';
import { HOUR_MS } from '../../base/time';
import { labelKindPerHour } from '../../base/labels';

/** Which generated endpoint feeds each signal (its gaps are the signal's gaps). */
const SIGNAL_SERIES: Record<string, (typeof GENERATED_SERIES)[number]> = { http: 'http', netflows: 'netflows', l3: 'l3', l7: 'l7', bot_share: 'bot_class', bgp_ips: 'bgp_ips' };

/** Linearly bridges the rows flagged in `missing` (carrying the edge value at either end). */
function bridge(x: Float64Array, missing: Uint8Array): void {
  const n = x.length;
  for (let i = 0; i < n; i++) {
    if (!missing[i]) continue;
    let j = i;
    while (j < n && missing[j]) j++;
    const a = i > 0 ? x[i - 1] : j < n ? x[j] : 0;
    const b = j < n ? x[j] : a;
    for (let k = i; k < j; k++) x[k] = a + ((b - a) * (k - i + 1)) / (j - i + 1);
    i = j;
  }
}

/** One country's frame of `days` days from `fromMs` (UTC midnight) under generator settings `gen`. */
export function generatedFrame(gen: Partial<GeneratorConfig>, country: string, fromMs: number, days: number): CountryFrame {
  const g = createGenerator(gen);
  const toMs = fromMs + days * 24 * HOUR_MS;
  const sim = g.simulate(country, fromMs, toMs);
  const n = sim.timestamps.length;
  const scaled = (x: Float64Array) => {
    let max = 0;
    for (const v of x) if (v > max) max = v;
    return Float64Array.from(x, (v) => (max > 0 ? v / max : v));
  };
  const raw: Record<string, Float64Array> = {
    http: scaled(sim.httpRequests),
    netflows: scaled(sim.netflowBytes),
    l3: scaled(sim.l3TargetBytes),
    l7: scaled(sim.l7Requests),
    bot_share: Float64Array.from(sim.botShare),
    bgp_ips: Float64Array.from(sim.ipv4),
  };
  const gap = new Uint8Array(n);
  const signalGap: Record<string, Uint8Array> = {};
  for (const s of RADAR_SIGNALS) {
    const m = sim.missing[SIGNAL_SERIES[s]];
    bridge(raw[s], m);
    signalGap[s] = Uint8Array.from(m);
    for (let i = 0; i < n; i++) gap[i] |= m[i];
  }
  const timestamps = Array.from(sim.timestamps);
  const labels = g.labels(country, fromMs, toMs);
  return {
    id: country,
    timestamps,
    signalNames: [...RADAR_SIGNALS],
    signalKinds: { ...RADAR_SIGNAL_KINDS },
    signals: raw,
    gap,
    signalGap,
    unreliable: Uint8Array.from(sim.unreliable),
    labelKind: labelKindPerHour(timestamps, labels),
    labels,
  };
}
