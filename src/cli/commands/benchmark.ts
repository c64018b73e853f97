/** `radarwatch benchmark`: the quality benchmark — every registered detector on the generator, cloud-monitoring and NAB. */
import type { Command } from 'commander';
import { log } from '../../util/log';
import type { CliContext } from '../context';

// The registries (detectors pull in TensorFlow.js, data sets the generator) load only when the command runs or its
// --help is shown, so `radarwatch --help` stays fast (see cli/main.ts).
const lib = {
  datasets: () => require('../../evaluate/benchmark/datasets') as typeof import('../../evaluate/benchmark/datasets'),
  detectors: () => require('../../evaluate/benchmark/detectors') as typeof import('../../evaluate/benchmark/detectors'),
  run: () => require('../../evaluate/benchmark/run') as typeof import('../../evaluate/benchmark/run'),
  backend: () => require('../../model/backend') as typeof import('../../model/backend'),
};

const list = (v: string | undefined) => (v ? v.split(',').map((x) => x.trim()).filter(Boolean) : undefined);

/** Registers `benchmark`. */
export function registerBenchmark(program: Command, ctx: CliContext): void {
  program
    .command('benchmark')
    .description(
      'Quality benchmark: event recall at 0.25 / 0.5 / 1 % hourly false-positive budgets, precision / recall / F1 and time to detect at each detector\'s own threshold, ' +
        'per kind, and the NAB score on NAB. Writes results/benchmarks/quality.json and quality.md and prints the table. ' +
        'Public data sets are read from $RADARWATCH_DATASETS (default ../shared/datasets); missing ones are skipped with a warning.',
    )
    .option('--quick', 'the small CI slice of every data set (about 2 min)', false)
    .option('--datasets <list>', 'comma-separated data sets (default all; listed below)')
    .option('--detectors <list>', 'comma-separated detectors (default all; listed below)')
    .option('--seeds <list>', 'comma-separated training seeds: the detectors that train a network run once per seed (default: train.seed alone)')
    .addHelpText('after', () => `\nData sets: ${Object.keys(lib.datasets().BENCH_DATASETS).join(', ')}\nDetectors: ${Object.keys(lib.detectors().BENCH_DETECTORS).join(', ')}`)
    .option('--json', 'print the report as JSON instead of the table', false)
    .action(async (o: { quick: boolean; datasets?: string; detectors?: string; seeds?: string; json: boolean }) => {
      const cfg = ctx.config();
      await lib.backend().initBackend();
      const { qualityTable, runQuality, seedList, writeQuality } = lib.run();
      const seeds = list(o.seeds);
      const report = await runQuality(cfg, { quick: o.quick, datasets: list(o.datasets), detectors: list(o.detectors), seeds: seeds && seedList(seeds) });
      const files = writeQuality(report);
      ctx.out(o.json ? JSON.stringify(report, null, 2) : qualityTable(report));
      log.info(`wrote ${files.json} and ${files.md}`);
    });
}
