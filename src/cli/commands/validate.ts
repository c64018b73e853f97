/** `radarwatch validate`: reload saved detectors, recompute features and write their validation-error report. */
import type { Command } from 'commander';
import { resultDirs } from '../../data/paths';
import { readProcessed } from '../../data/processed';
import { loadDetector } from '../../model/artifact';
import { initBackend } from '../../model/backend';
import { validateDetector, writeValidation } from '../../train/validate';
import { COUNTRY_HELP, type CliContext } from '../context';

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
      await initBackend();
      for (const cc of ctx.countries(arg)) {
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
