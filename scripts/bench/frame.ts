/** The frame every bench trains or tunes on: three years of one country, from its processed table or the generator. */
import * as fs from 'fs';
import type { Config } from '../../src/config/schema';
import { sliceFrame } from '../../src/data/frame';
import { createGenerator } from '../../src/data/generator';
import { processedPaths } from '../../src/data/paths';
import { readProcessed } from '../../src/data/processed';
import { RADAR_SIGNALS, RADAR_SIGNAL_KINDS, type CountryFrame } from '../../src/data/types';
import { HOUR_MS } from '../../src/base/time';
import { labelKindPerHour } from '../../src/base/labels';

/** Three years of hourly data, as the issue specifies. */
export const BENCH_ROWS = 26_280;

/** A frame straight from the embedded generator (no Radar round trip), for machines without processed data. */
function generatorFrame(cfg: Config, cc: string, rows: number): CountryFrame {
  const from = Date.UTC(2023, 0, 1);
  const to = from + rows * HOUR_MS;
  const gen = createGenerator(cfg.generator);
  const sim = gen.simulate(cc, from, to);
  const timestamps = Array.from(sim.timestamps);
  const signals: Record<string, Float64Array> = {
    http: sim.httpRequests,
    netflows: sim.netflowBytes,
    l3: sim.l3TargetBytes,
    l7: sim.l7Requests,
    bot_share: sim.botShare,
    bgp_ips: sim.ipv4.map((v, i) => v + sim.ipv6[i]),
  };
  const labels = gen.labels(cc, from, to);
  return {
    id: cc,
    timestamps,
    signalNames: [...RADAR_SIGNALS],
    signalKinds: { ...RADAR_SIGNAL_KINDS },
    signals,
    gap: new Uint8Array(rows),
    unreliable: Uint8Array.from(sim.unreliable),
    labelKind: labelKindPerHour(timestamps, labels),
    labels,
  };
}

/** The last BENCH_ROWS hours of a processed table when there is one, else a generated frame. Shared with scripts/bench/*.ts. */
export async function benchFrame(cfg: Config, cc: string): Promise<{ frame: CountryFrame; source: string }> {
  if (fs.existsSync(processedPaths(cfg.data.processedDir, cc).csv)) {
    const full = await readProcessed(cfg.data.processedDir, cc);
    if (full.timestamps.length >= BENCH_ROWS) return { frame: sliceFrame(full, full.timestamps.length - BENCH_ROWS, full.timestamps.length), source: `processed ${cc}.csv` };
  }
  return { frame: generatorFrame(cfg, cc, BENCH_ROWS), source: 'embedded generator' };
}
