/**
 * `npm run bench`: named benchmarks, each writing results/benchmarks/<name>.json. Run all, or some by name:
 * `npm run bench -- train`. Timings are for this machine; every file records the backend and hardware.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { loadConfig } from '../src/config/load';
import type { Config } from '../src/config/schema';
import { sliceFrame } from '../src/data/frame';
import { createGenerator } from '../src/data/generator';
import { resultDirs } from '../src/data/paths';
import { readProcessed } from '../src/data/processed';
import { HOUR_MS, RADAR_SIGNALS, RADAR_SIGNAL_KINDS, type CountryFrame } from '../src/data/types';
import { countParams } from '../src/model/autoencoder';
import { initBackend } from '../src/model/backend';
import { labelKindPerHour } from '../src/radar/labels';
import { trainCountry } from '../src/train/country';
import { writeJsonAtomic } from '../src/util/fsx';

/** Three years of hourly data, as the issue specifies. */
const BENCH_ROWS = 26_280;

import { detectBench } from './bench/detect';
import { tuneBench } from './bench/tune';
import type { Bench } from './bench/types';

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
  if (fs.existsSync(path.join(cfg.data.processedDir, `${cc}.csv`))) {
    const full = await readProcessed(cfg.data.processedDir, cc);
    if (full.timestamps.length >= BENCH_ROWS) return { frame: sliceFrame(full, full.timestamps.length - BENCH_ROWS, full.timestamps.length), source: `processed ${cc}.csv` };
  }
  return { frame: generatorFrame(cfg, cc, BENCH_ROWS), source: 'embedded generator' };
}

const BENCHES: Bench[] = [
  {
    name: 'train',
    description: `Train one country on ${BENCH_ROWS} hourly rows with the models.yml settings (target ≤ 30 s).`,
    async run(cfg) {
      const cc = 'AT';
      const { frame, source } = await benchFrame(cfg, cc);
      const r = await trainCountry(frame, cfg, { progress: true });
      const perEpoch = r.history.map((h) => h.seconds);
      const weightsBytes = countParams(r.model) * 4;
      r.model.dispose();
      return {
        country: cc,
        source,
        rows: frame.timestamps.length,
        fittedRows: r.fittedRows,
        features: { continuous: r.features.contNames.length, categorical: r.features.catCardinalities },
        epochs: r.history.length,
        bestEpoch: r.bestEpoch,
        stopReason: r.stopReason,
        bestValLoss: r.bestValLoss,
        totalSeconds: r.seconds,
        featureSeconds: r.seconds - perEpoch.reduce((a, b) => a + b, 0),
        secondsPerEpoch: perEpoch.reduce((a, b) => a + b, 0) / perEpoch.length,
        modelBytes: weightsBytes,
        params: weightsBytes / 4,
        targetSeconds: 30,
        withinTarget: r.seconds <= 30,
      };
    },
  },
  detectBench,
  tuneBench,
];

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !BENCHES.some((b) => b.name === w));
  if (unknown.length) throw new Error(`Unknown bench ${unknown.join(', ')}. Known: ${BENCHES.map((b) => b.name).join(', ')}`);
  const cfg = loadConfig();
  const backend = await initBackend();
  for (const b of BENCHES.filter((x) => !wanted.length || wanted.includes(x.name))) {
    process.stderr.write(`bench ${b.name}: ${b.description}\n`);
    const result = await b.run(cfg);
    const file = path.join(resultDirs.benchmarks(), `${b.name}.json`);
    writeJsonAtomic(file, {
      name: b.name,
      description: b.description,
      ...result,
      backend,
      tfjs: tf.version.tfjs,
      node: process.version,
      cpu: os.cpus()[0]?.model,
      cores: os.availableParallelism(),
      createdAt: new Date().toISOString(),
    });
    process.stdout.write(`${b.name}: ${JSON.stringify(result)}\n→ ${file}\n`);
  }
}

// only as the entry point: scripts/bench/*.ts import benchFrame from here
if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  });
}
