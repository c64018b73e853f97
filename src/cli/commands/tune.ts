/** `radarwatch tune`: per-country Optuna studies (TPE + pruning) over tune.space, resumable, writing results/tuning/<CC>/best.json. */
import type { Command } from 'commander';
import { InputError } from '../../errors';
import { PRUNER_NAMES, type PrunerName } from '../../tune/pruners';
import { log } from '../../util/log';
import { formatTable } from '../../util/table';
import { COUNTRY_HELP, eachCountry, positiveInt, type CliContext } from '../context';

// Library code loads when the command runs, not at start, so `radarwatch --help` stays fast (see cli/main.ts).
const lib = () => require('../../tune/tune') as typeof import('../../tune/tune');

function fmt(v: number | undefined): string {
  return v === undefined ? '-' : Math.abs(v) >= 1e-3 ? v.toFixed(5) : v.toExponential(3);
}

/** Registers `tune`. */
export function registerTune(program: Command, ctx: CliContext): void {
  program
    .command('tune')
    .description(
      'Tune each country\'s autoencoder with Optuna (TPE sampler, seeded; pruning on the per-epoch validation loss) over tune.space in models.yml. ' +
        'Trains on the train split, scores on the validation split, never touches the test split. The study lives in ' +
        'results/tuning/<CC>/study.db and resumes: running --trials 10 twice gives 20 trials (open it with `optuna-dashboard sqlite:///results/tuning/<CC>/study.db`). ' +
        'The best parameters go to results/tuning/<CC>/best.json, which the next `radarwatch train` of that country uses. ' +
        'Needs Python with Optuna: --python, $RADARWATCH_PYTHON, tune.python, else /usr/bin/python3, python3 or python.',
    )
    .argument('[countries]', COUNTRY_HELP)
    .option('--countries <list>', 'same as the positional argument')
    .option('--trials <n>', 'trials to run now, added to the study (default: models.yml tune.trials)')
    .option('--pruner <name>', `${PRUNER_NAMES.join(' | ')} (default: models.yml tune.pruner)`)
    .option('--timeout <seconds>', 'stop starting new trials after this many seconds per country, 0 = no limit (default: models.yml tune.timeoutSeconds)')
    .option('--python <path>', 'Python interpreter with Optuna (default: $RADARWATCH_PYTHON, tune.python, or the first of /usr/bin/python3, python3, python that has it)')
    .action(async (positional: string | undefined, o: { countries?: string; trials?: string; pruner?: string; timeout?: string; python?: string }) => {
      const cfg = ctx.config();
      if (o.pruner !== undefined && !PRUNER_NAMES.includes(o.pruner as PrunerName)) throw new InputError(`Unknown --pruner "${o.pruner}". Expected one of: ${PRUNER_NAMES.join(', ')}`);
      const trials = positiveInt('--trials', o.trials, 1);
      const timeoutSeconds = positiveInt('--timeout', o.timeout, 0);
      const { results: done, failure } = await eachCountry(ctx.targets(positional, o.countries), { step: 'tune', what: 'tuning' }, async (cc) => {
        const s = await lib().tuneCountry(cc, cfg, {
          trials,
          timeoutSeconds,
          pruner: o.pruner as PrunerName | undefined,
          python: o.python,
          onTrial: (r, i, n) => log.info(`${cc} trial ${r.number} (${i}/${n}) ${r.state}${r.value !== null ? ` ${fmt(r.value)}` : ''} after ${r.epochs} epochs, ${r.seconds.toFixed(1)} s`),
        });
        if (s.best) ctx.out(`${cc} best trial ${s.best.trial}: ${JSON.stringify(s.best.params)}${s.bestFile ? ` → ${s.bestFile}` : ''}`);
        else log.warn(`${cc}: no trial completed yet, best.json not written`);
        return s;
      });
      if (done.length) {
        ctx.out(
          formatTable(
            ['country', 'pruner', 'ran', 'complete', 'pruned', 'failed', 'study trials', 'best trial', `best ${done[0].objective}`, 'seconds'],
            done.map((s) => [s.country, s.pruner, s.ran.total, s.ran.complete, s.ran.pruned, s.ran.fail, s.totals.trials, s.best?.trial ?? '-', fmt(s.best?.value), s.seconds.toFixed(1)]),
          ),
        );
      }
      if (failure) throw failure;
    });
}
