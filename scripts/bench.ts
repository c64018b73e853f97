/**
 * `npm run bench`: named benchmarks, each writing results/benchmarks/<name>.json. Run all, or some by name:
 * `npm run bench -- train`. Timings are for this machine; every file records the backend and hardware.
 */
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { loadConfig } from '../src/config/load';
import { resultDirs } from '../src/data/paths';
import { countParams } from '../src/model/autoencoder';
import { initBackend } from '../src/model/backend';
import { trainCountry } from '../src/train/country';
import { writeJsonAtomic } from '../src/util/fsx';
import { cliBench } from './bench/cli';
import { detectBench } from './bench/detect';
import { overviewBench } from './bench/overview';
import { serveFleetBench } from './bench/serve-fleet';
import { fleetBench } from './bench/fleet';
import { BENCH_ROWS, benchFrame } from './bench/frame';
import { tuneBench } from './bench/tune';
import { runQualityBench } from './bench/quality';
import type { Bench } from './bench/types';

/** PyTorch (CPU, 2 threads) autoencoder of the seed's shape on this machine, µs per row-epoch (issue 16's measurement). */
const PYTORCH_US_PER_ROW_EPOCH = 47;

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
/** Mean epoch time per training row, µs. */
const usPerRowEpoch = (epochSeconds: number[], rows: number) => (1e6 * sum(epochSeconds)) / epochSeconds.length / rows;

const BENCHES: Bench[] = [
  {
    name: 'train',
    description: `Train one country on ${BENCH_ROWS} hourly rows with the models.yml settings (target ≤ 30 s); then another country from its weights (a fleet's warm start, train.warmStart) and from scratch.`,
    async run(cfg) {
      const cc = 'AT';
      const { frame, source } = await benchFrame(cfg, cc);
      const r = await trainCountry(frame, cfg, { progress: true });
      const perEpoch = r.history.map((h) => h.seconds);
      const weightsBytes = countParams(r.model) * 4;
      // A fleet trains every country but the warm-start base from the base's weights (train.warmStart): DE from AT's here.
      const weights = r.model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
      r.model.dispose();
      const de = (await benchFrame(cfg, 'DE')).frame;
      const w = await trainCountry(de, cfg, { progress: true, initialWeights: weights });
      w.model.dispose();
      const wEpochs = w.history.map((h) => h.seconds);
      const cold = cfg.train.warmStart === 'none' ? undefined : await trainCountry(de, { ...cfg, train: { ...cfg.train, warmStart: 'none' } }, { progress: true });
      cold?.model.dispose();
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
        featureSeconds: r.seconds - sum(perEpoch),
        secondsPerEpoch: sum(perEpoch) / perEpoch.length,
        // Per row-epoch against the issue's side-by-side PyTorch figure (CPU, 2 threads, same machine): 47 µs.
        microsecondsPerRowEpoch: usPerRowEpoch(perEpoch, r.fittedRows.train),
        pytorchMicrosecondsPerRowEpoch: PYTORCH_US_PER_ROW_EPOCH,
        ratioToPytorch: usPerRowEpoch(perEpoch, r.fittedRows.train) / PYTORCH_US_PER_ROW_EPOCH,
        peakRssMegabytes: Math.round(process.resourceUsage().maxRSS / 1024),
        modelBytes: weightsBytes,
        params: weightsBytes / 4,
        targetSeconds: 30,
        withinTarget: r.seconds <= 30,
        warmStart: {
          description: `DE trained from AT's weights above (batch ${cfg.train.warmBatchSize || cfg.train.batchSize}), and from scratch for comparison`,
          warmStarted: w.warmStarted,
          totalSeconds: w.seconds,
          epochs: w.history.length,
          bestEpoch: w.bestEpoch,
          bestValLoss: w.bestValLoss,
          microsecondsPerRowEpoch: usPerRowEpoch(wEpochs, w.fittedRows.train),
          ratioToPytorch: usPerRowEpoch(wEpochs, w.fittedRows.train) / PYTORCH_US_PER_ROW_EPOCH,
          ...(cold ? { fromScratch: { totalSeconds: cold.seconds, epochs: cold.history.length, bestEpoch: cold.bestEpoch, bestValLoss: cold.bestValLoss } } : {}),
        },
      };
    },
  },
  detectBench,
  overviewBench,
  serveFleetBench,
  fleetBench,
  tuneBench,
  cliBench,
  {
    name: 'quality',
    description: 'Detection quality of every registered detector on the generator (3 seeds, 3 shifted worlds, a Ramadan world), cloud-monitoring and NAB (flags after `--`: --quick, --datasets a,b, --detectors x,y, --seeds 7,8,9 to run the learned detectors once per training seed); also writes results/benchmarks/quality.md.',
    async run() {
      // The whole report (written as results/benchmarks/quality.json); the runner adds backend and hardware.
      const r = await runQualityBench(process.argv.slice(2));
      process.stdout.write(`${r.table}\n`);
      const { name: _n, ...rest } = r.report;
      return rest as unknown as Record<string, unknown>;
    },
  },
];

async function main(): Promise<void> {
  // Flags (--quick, --datasets a,b …) belong to the quality bench; names are the bare words.
  const args = process.argv.slice(2);
  const wanted = args.filter((a, i) => !a.startsWith('--') && !['--datasets', '--detectors', '--seeds'].includes(args[i - 1]));
  const unknown = wanted.filter((w) => !BENCHES.some((b) => b.name === w));
  if (unknown.length) {
    // a usage error: one line, no stack
    process.stderr.write(`bench: unknown bench ${unknown.map((u) => `"${u}"`).join(', ')}. Known: ${BENCHES.map((b) => b.name).join(', ')} (npm run bench -- NAME …; none runs all)\n`);
    process.exitCode = 2;
    return;
  }
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
    process.stdout.write(`${b.name}: ${b.name === 'quality' ? 'table above' : JSON.stringify(result)}\n→ ${file}\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
