/** `radarwatch train`: fit and save one detector per country, in parallel worker threads, and print a summary table. */
import type { Command } from 'commander';
import { WARM_START_RULE } from '../../config/schema';
import { InputError, RadarwatchError } from '../../errors';
// type-only: the fleet (TensorFlow.js) loads when the command runs, so `radarwatch --help` stays fast
import type * as Fleet from '../../train/fleet';
import type { CountrySummary } from '../../train/fleet';
import { COUNTRY_HELP, positiveInt, type CliContext } from '../context';

/** The summary table `train` prints. */
export function formatTrainTable(rows: CountrySummary[]): string[] {
  const header = ['country', 'epochs', 'best', 'val loss', 'seconds', 'model KB', 'status'];
  const body = rows.map((s) =>
    s.ok
      ? [s.country, String(s.epochs), String(s.bestEpoch), s.bestValLoss!.toFixed(5), s.seconds!.toFixed(1), (s.modelBytes! / 1024).toFixed(1), s.stopReason ?? 'ok']
      : [s.country, '-', '-', '-', '-', '-', `FAILED: ${s.error}`],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...body.filter((r) => r[i] !== undefined && i < header.length - 1).map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(header), ...body.map(line)];
}

/** The train-config patch of `--split` and `--train-fraction`; throws InputError naming the flag and the accepted forms. */
export function parseSplitFlags(o: { split?: string; trainFraction?: string }): Record<string, unknown> {
  if (o.split !== undefined && o.trainFraction !== undefined) throw new InputError('Give either --split or --train-fraction, not both');
  if (o.trainFraction !== undefined) {
    const f = Number(o.trainFraction);
    if (!(f > 0 && f < 1)) throw new InputError(`--train-fraction must be a number between 0 and 1 (exclusive), e.g. 0.15; got "${o.trainFraction}"`);
    return { trainFraction: f };
  }
  if (o.split === undefined) return {};
  const parts = o.split.split(',').map((s) => s.trim());
  const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?Z?)?$/;
  if (parts.length === 2 && parts.every((p) => DATE.test(p))) {
    if (!(parts[0] < parts[1])) throw new InputError(`--split dates must be in order (validation start, then test start); got "${o.split}"`);
    return { splitDates: { validation: parts[0], test: parts[1] } };
  }
  const shares = parts.map(Number);
  if (parts.length === 3 && shares.every((x) => x > 0 && x < 1) && Math.abs(shares[0] + shares[1] + shares[2] - 1) < 1e-6) {
    return { split: { train: shares[0], validation: shares[1], test: shares[2] } };
  }
  throw new InputError(`--split must be three shares that sum to 1 (train,validation,test, e.g. 0.6,0.2,0.2) or two UTC dates (validation start,test start, e.g. 2024-03-01,2024-04-01); got "${o.split}"`);
}

/** Registers `train`. */
export function registerTrain(program: Command, ctx: CliContext): void {
  program
    .command('train')
    .description(
      'Train one detector per country on <processed-dir>/<CC>.csv and save it to results/models/<CC>/ ' +
        '(weights, feature spec, resolved config, meta, history). Countries train in parallel worker threads.',
    )
    .argument('<countries>', COUNTRY_HELP)
    .option('--epochs <n>', 'maximum epochs (default: models.yml train.epochs)')
    .option('--workers <n>', 'worker threads (default: models.yml train.workers, 0 = one per core)')
    .option('--processed-dir <dir>', 'folder of processed tables (default: models.yml data.processedDir)')
    .option('--split <split>', 'chronological split: three shares train,validation,test (e.g. 0.6,0.2,0.2) or two UTC dates validation-start,test-start (default: models.yml train.split)')
    .option('--train-fraction <f>', 'NAB-style: learn from the first fraction of rows only (70 % train, 30 % calibrate) and test on every later row, e.g. 0.15')
    .option('--warm-start <base>', 'series whose weights start every other model, pooled (a base fitted on every target\'s training rows starts each of them), or none (default: models.yml train.warmStart)')
    .option('--no-tuned', 'ignore results/tuning/<CC>/best.json')
    .action(async (arg: string, o: { epochs?: string; workers?: string; processedDir?: string; tuned: boolean; split?: string; trainFraction?: string; warmStart?: string }) => {
      const warmStart = o.warmStart;
      if (warmStart !== undefined && !WARM_START_RULE.test(warmStart)) throw new InputError(`--warm-start must be a series id such as US, pooled, or none; got "${warmStart}"`);
      const loaded = ctx.config();
      const cfg = warmStart ? { ...loaded, train: { ...loaded.train, warmStart } } : loaded;
      const split = parseSplitFlags(o);
      const countries = ctx.targets(arg, undefined, o.processedDir);
      const epochs = positiveInt('--epochs', o.epochs);
      const workers = positiveInt('--workers', o.workers, 0);
      const patch = { ...(epochs ? { epochs } : {}), ...(warmStart ? { warmStart } : {}), ...split };
      const summaries = await (require('../../train/fleet') as typeof Fleet).trainCountries(countries, cfg, {
        workers,
        cliPatch: Object.keys(patch).length ? { train: patch } : undefined,
        useTuned: o.tuned,
        processedDir: o.processedDir,
      });
      for (const line of formatTrainTable(summaries)) ctx.out(line);
      const failed = summaries.filter((s) => !s.ok);
      if (failed.length) throw new RadarwatchError(`${failed.length} of ${summaries.length} countries failed to train: ${failed.map((s) => s.country).join(', ')} (see the table above)`);
    });
}
