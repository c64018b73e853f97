/** Test fixture: a seeded hourly frame with diurnal, weekly and trend structure for the six Radar signals (not the project generator). */
import { RADAR_SIGNALS, RADAR_SIGNAL_KINDS, type CountryFrame, type SignalKind } from '../../src/data/types';
import { HOUR_MS } from '../../src/base/time';
import { createRng } from '../../src/util/random';

/** Builds `hours` rows from `startIso` for `id`; weekends (ISO 6–7) carry less traffic so the weekly profile is visible. */
export function makeFrame(id: string, hours: number, startIso = '2023-01-02T00:00:00Z', seed = 1): CountryFrame {
  const rng = createRng(seed);
  const t0 = Date.parse(startIso);
  const timestamps = Array.from({ length: hours }, (_, i) => t0 + i * HOUR_MS);
  const signals: Record<string, Float64Array> = {};
  for (const s of RADAR_SIGNALS) signals[s] = new Float64Array(hours);
  for (let i = 0; i < hours; i++) {
    const d = new Date(timestamps[i]);
    const h = d.getUTCHours();
    const dow = d.getUTCDay();
    const diurnal = 1 + 0.5 * Math.sin(((h - 8) / 24) * 2 * Math.PI);
    const weekly = dow === 0 || dow === 6 ? 0.8 : 1;
    const trend = 1 + 0.1 * (i / 8760);
    const noise = () => 1 + 0.03 * rng.normal();
    signals.http[i] = 0.5 * diurnal * weekly * trend * noise();
    signals.netflows[i] = 0.4 * diurnal * weekly * trend * noise();
    signals.l3[i] = rng() < 0.02 ? rng() * 0.8 : 0.001 * rng();
    signals.l7[i] = 0.1 * diurnal * noise() + (rng() < 0.01 ? 0.5 : 0);
    signals.bot_share[i] = 30 + 5 * Math.sin((h / 24) * 2 * Math.PI) + rng.normal();
    signals.bgp_ips[i] = Math.round(12000 + 20 * rng.normal());
  }
  const signalKinds: Record<string, SignalKind> = { ...RADAR_SIGNAL_KINDS };
  return {
    id,
    timestamps,
    signalNames: [...RADAR_SIGNALS],
    signalKinds,
    signals,
    gap: new Uint8Array(hours),
    unreliable: new Uint8Array(hours),
    labelKind: new Array<string>(hours).fill(''),
    labels: [],
  };
}

/** Deep copy of a frame's mutable columns, so a test can alter one copy. */
export function cloneFrame(f: CountryFrame): CountryFrame {
  const signals: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(f.signals)) signals[k] = Float64Array.from(v);
  return { ...f, timestamps: [...f.timestamps], signals, gap: Uint8Array.from(f.gap), unreliable: Uint8Array.from(f.unreliable), labelKind: [...f.labelKind], labels: [...f.labels] };
}
