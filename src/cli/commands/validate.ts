/** `radarwatch validate`: reload saved detectors, recompute features and write their validation-error report. */
import type { Command } from 'commander';
import { resultDirs } from '../../data/paths';
import { COUNTRY_HELP, type CliContext } from '../context';

// Library code loads when the command runs, not at start, so `radarwatch --help` stays fast (see cli/main.ts).
const lib = {
  processed: () => require('../../data/processed') as typeof import('../../data/processed'),
  artifact: () => require('../../model/artifact') as typeof import('../../model/artifact'),
  backend: () => require('../../model/backend') as typeof import('../../model/backend'),
  validate: () => require('../../train/validate') as typeof import('../../train/validate'),
};

/** Registers `validate`. */
export function registerValidate(program: Command, ctx: CliContext): void {
  program
    .command('validate')
    .description(
      'Load each saved detector, recompute its features from <processed-dir>/<CC>.csv and write results/validation/<CC>/validation.json: ' +
        'validation loss (continuous MSE, categorical cross-entropy) and the reconstruction-error distribution per feature and per signal.',
    )
    .argument('<countries>', COUNTRY_HELP)
    .option('--processed-dir <dir>', 'folder of processed tables (default: models.yml data.processedDir)')
    .action(async (arg: string, o: { processedDir?: string }) => {
      const cfg = ctx.config();
      await lib.backend().initBackend();
      const { readProcessed } = lib.processed();
      const { loadDetector } = lib.artifact();
      const { validateDetector, writeValidation } = lib.validate();
      for (const cc of ctx.targets(arg, undefined, o.processedDir)) {
        const det = await loadDetector(resultDirs.model(cc));
        try {
          const report = validateDetector(det, await readProcessed(o.processedDir ?? cfg.data.processedDir, cc));
          const file = writeValidation(report);
          const worst = [...report.signals].sort((a, b) => b.share - a.share)[0];
          ctx.out(
            `${cc}: val loss ${report.loss.loss.toFixed(5)} (MSE ${report.loss.contMse.toFixed(5)}, CE ${report.loss.catCe.toFixed(4)}) on ${report.range.fittedRows} hours; ` +
              `largest error share: ${worst.signal} ${(100 * worst.share).toFixed(0)}% → ${file}`,
          );
        } finally {
          det.dispose();
        }
      }
    });
}
