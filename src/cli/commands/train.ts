/** `radarwatch train`: fit and save one detector per country, in parallel worker threads, and print a summary table. */
import type { Command } from 'commander';
import { InputError, RadarwatchError } from '../../errors';
import { trainCountries, type CountrySummary } from '../../train/fleet';
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
    .option('--no-tuned', 'ignore results/tuning/<CC>/best.json')
    .action(async (arg: string, o: { epochs?: string; workers?: string; processedDir?: string; tuned: boolean }) => {
      const cfg = ctx.config();
      const countries = ctx.countries(arg);
      const epochs = positiveInt('--epochs', o.epochs);
      const workers = positiveInt('--workers', o.workers, 0);
      const summaries = await trainCountries(countries, cfg, {
        workers,
        cliPatch: epochs ? { train: { epochs } } : undefined,
        useTuned: o.tuned,
        processedDir: o.processedDir,
      });
      for (const line of formatTrainTable(summaries)) ctx.out(line);
      const failed = summaries.filter((s) => !s.ok);
      if (failed.length) throw new RadarwatchError(`${failed.length} of ${summaries.length} countries failed to train: ${failed.map((s) => s.country).join(', ')} (see the table above)`);
    });
}
