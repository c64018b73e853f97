/** `radarwatch analyze <what> <countries>`: HTML analyses under results/analysis/<CC>/; one registered subcommand per analysis. */
import type { Command } from 'commander';
import { RadarwatchError } from '../../errors';
import { writeTuningReport } from '../../report/tuning';
import { log } from '../../util/log';
import { COUNTRY_HELP, type CliContext } from '../context';

/** Adds one `analyze <name>` subcommand. */
export type RegisterAnalysis = (analyze: Command, ctx: CliContext) => void;

/** Runs `fn` per country, printing each written file; collects typed failures so one bad country does not hide the others. */
async function perCountry(ctx: CliContext, countries: string[], what: string, fn: (cc: string) => Promise<string>): Promise<void> {
  const failures: string[] = [];
  for (const cc of countries) {
    try {
      ctx.out(`${cc} ${what} → ${await fn(cc)}`);
    } catch (e) {
      if (!(e instanceof RadarwatchError)) throw e;
      failures.push(`${cc}: ${e.message}`);
      log.error(`analyze ${what} ${cc}: ${e.message}`);
    }
  }
  if (failures.length) throw new RadarwatchError(`analyze ${what} failed for ${failures.length} of ${countries.length}: ${failures.join('; ')}`);
}

const analyzeTuning: RegisterAnalysis = (analyze, ctx) => {
  analyze
    .command('tuning')
    .description(
      'Plot a country\'s Optuna study: optimisation history with best-so-far, parameter importances (fANOVA, or η² without scikit-learn), ' +
        'and per-trial validation curves with pruned trials dashed. Writes results/analysis/<CC>/tuning.html (plotly inlined, opens offline).',
    )
    .argument('[countries]', COUNTRY_HELP)
    .option('--python <path>', 'Python interpreter with Optuna (default: $RADARWATCH_PYTHON, tune.python, or one that has it)')
    .action(async (positional: string | undefined, o: { python?: string }) => {
      const cfg = ctx.config();
      await perCountry(ctx, ctx.targets(positional), 'tuning', async (cc) => {
        const r = await writeTuningReport(cc, { python: o.python, configPython: cfg.overrides[cc]?.tune?.python ?? cfg.tune.python });
        return `${r.file} (${r.trials} trials: ${r.complete} complete, ${r.pruned} pruned; importances: ${r.importances.method})`;
      });
    });
};

/** The analyses, in pipeline order; `training` and `testing` register here too. */
export const ANALYSES: RegisterAnalysis[] = [analyzeTuning];

/** Registers `analyze` and its subcommands. */
export function registerAnalyze(program: Command, ctx: CliContext): void {
  const analyze = program.command('analyze').description('Write HTML analyses (plotly, self-contained) under results/analysis/<CC>/.');
  for (const register of ANALYSES) register(analyze, ctx);
  analyze.commands.forEach((c) => c.exitOverride());
}
