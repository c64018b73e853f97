/** `radarwatch analyze <what> <countries>`: HTML analyses under results/analysis/<CC>/; one registered subcommand per analysis. */
import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { resultDirs } from '../../data/paths';
import { ConfigError } from '../../errors';
import type { PngRenderer } from '../../report/png';
import { log } from '../../util/log';
import { COUNTRY_HELP, eachCountry, type CliContext } from '../context';

// Report code (plotly, tfjs) loads when an analysis runs, not at start, so `radarwatch --help` stays fast (see cli/main.ts).
const lib = {
  calibration: () => require('../../report/calibration') as typeof import('../../report/calibration'),
  eda: () => require('../../report/eda') as typeof import('../../report/eda'),
  indexPage: () => require('../../report/index-page') as typeof import('../../report/index-page'),
  png: () => require('../../report/png') as typeof import('../../report/png'),
  testing: () => require('../../report/testing') as typeof import('../../report/testing'),
  training: () => require('../../report/training') as typeof import('../../report/training'),
  tuning: () => require('../../report/tuning') as typeof import('../../report/tuning'),
};

/** Adds one `analyze <name>` subcommand. */
export type RegisterAnalysis = (analyze: Command, ctx: CliContext) => void;

/** Runs `fn` per country, printing each written file; one bad country does not hide the others (see eachCountry). */
async function perCountry(ctx: CliContext, countries: string[], what: string, fn: (cc: string) => Promise<string>): Promise<void> {
  const { failure } = await eachCountry(countries, { step: `analyze ${what}`, what: `analyze ${what}` }, async (cc) => ctx.out(`${cc} ${what} → ${await fn(cc)}`));
  if (failure) throw failure;
}

/**
 * After pages were written: renders each `<name>.html` written since `since` to `<name>-<n>.png` (one per plot, headless
 * Chromium) unless `png` is false, then rebuilds results/analysis/index.html. A missing browser is a warning, not a
 * failure: the HTML pages are the primary output.
 */
export async function publishPages(ctx: CliContext, name: string, countries: string[], since: number, png: boolean): Promise<void> {
  const pages = countries.map((cc) => path.join(resultDirs.analysis(cc), `${name}.html`)).filter((f) => fs.existsSync(f) && fs.statSync(f).mtimeMs >= since - 5);
  if (png && pages.length) {
    let renderer: PngRenderer | undefined;
    try {
      renderer = await lib.png().openPngRenderer();
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      log.warn(`PNGs skipped: ${e.message}`);
    }
    try {
      for (const page of renderer ? pages : []) {
        const files = await renderer!.render(page);
        ctx.out(`${path.basename(path.dirname(page))} ${name} png → ${files.length ? `${files[0]}${files.length > 1 ? ` … ${path.basename(files[files.length - 1])}` : ''}` : 'no plots'}`);
      }
    } finally {
      await renderer?.close();
    }
  }
  const { file, entries } = lib.indexPage().writeIndexPage({ countries: ctx.config().countries });
  ctx.out(`index → ${file} (${entries.filter((e) => e.reports.length).length} countries with reports)`);
}

/**
 * An analysis that writes one page per country with library code (`write`), then its PNGs and the index — also when
 * some countries failed, so the pages that were written are published.
 */
function pageAnalysis<O extends object = object>(
  name: string,
  description: string,
  write: (ctx: CliContext, cc: string, opts: O) => Promise<string>,
  options: (cmd: Command) => Command = (cmd) => cmd,
): RegisterAnalysis {
  return (analyze, ctx) => {
    options(analyze.command(name).description(description).argument('[countries]', COUNTRY_HELP))
      .action(async (positional: string | undefined, opts: O) => {
        const since = Date.now();
        const countries = ctx.targets(positional);
        try {
          await perCountry(ctx, countries, name, (cc) => write(ctx, cc, opts));
        } finally {
          await publishPages(ctx, name, countries, since, analyze.opts().png !== false);
        }
      });
  };
}

const analyzeEda = pageAnalysis(
  'eda',
  'Plot a country\'s processed table: every signal over time with labelled anomalies shaded by kind, daily and weekly seasonality in local time, ' +
    'signal correlations and label counts. Writes results/analysis/<CC>/eda.html (+ eda-<n>.png).',
  async (ctx, cc) => {
    const r = await lib.eda().writeEdaReport(ctx.config(), cc);
    return `${r.file} (${r.figures} figures)`;
  },
);

const analyzeTraining = pageAnalysis(
  'training',
  'Plot a trained model: training and validation loss per epoch with the restored best epoch, and actual vs reconstructed features with the score ' +
    'for the first validation week and around a labelled anomaly. Writes results/analysis/<CC>/training.html (+ training-<n>.png).',
  async (ctx, cc) => {
    const r = await lib.training().writeTrainingReport(ctx.config(), cc);
    return `${r.file} (${r.epochs} epochs, best ${r.bestEpoch}; ${r.figures} figures)`;
  },
);

const analyzeTuning = pageAnalysis<{ python?: string }>(
  'tuning',
  'Plot a country\'s Optuna study: optimisation history with best-so-far, parameter importances (fANOVA, or η² without scikit-learn), ' +
    'and per-trial validation curves with pruned trials dashed. Writes results/analysis/<CC>/tuning.html (plotly inlined, opens offline; + PNGs).',
  async (ctx, cc, o) => {
    const cfg = ctx.config();
    const r = await lib.tuning().writeTuningReport(cc, { python: o.python, configPython: cfg.overrides[cc]?.tune?.python ?? cfg.tune.python });
    return `${r.file} (${r.trials} trials: ${r.complete} complete, ${r.pruned} pruned; importances: ${r.importances.method})`;
  },
  (cmd) => cmd.option('--python <path>', 'Python interpreter with Optuna (default: $RADARWATCH_PYTHON, tune.python, or one that has it)'),
);

const analyzeCalibration = pageAnalysis(
  'calibration',
  'Plot a calibrated model on its validation split: score distribution with the MAD, p99 and p99.5 thresholds, the share of normal and labelled hours ' +
    'each flags, scores over time, and the temperature-scaling reliability diagram. Writes results/analysis/<CC>/calibration.html (+ PNGs).',
  async (ctx, cc) => {
    const r = await lib.calibration().writeCalibrationReport(ctx.config(), cc);
    return `${r.file} (${Object.entries(r.thresholds).map(([m, v]) => `${m} ${v.toPrecision(4)}`).join(', ')})`;
  },
);

const analyzeTesting = pageAnalysis(
  'testing',
  'Evaluate a calibrated model on its test split (as `radarwatch test` does) and plot the metrics table against the similar-days baseline, detection ' +
    'rate per kind, and detected vs missed labelled events over the signals and the score. Writes results/analysis/<CC>/testing.html (+ PNGs).',
  async (ctx, cc) => {
    const r = await lib.testing().writeTestingReport(ctx.config(), cc);
    const m = r.evaluation.model;
    return `${r.file} (${m.detectedEvents}/${m.labeledEvents} events detected, F1 ${m.f1.toFixed(3)})`;
  },
);

/** The analyses, in pipeline order. */
export const ANALYSES: RegisterAnalysis[] = [analyzeEda, analyzeTraining, analyzeTuning, analyzeCalibration, analyzeTesting];

/** Registers `analyze` and its subcommands. */
export function registerAnalyze(program: Command, ctx: CliContext): void {
  const analyze = program
    .command('analyze')
    .description('Write HTML analyses (plotly, self-contained) under results/analysis/<CC>/, a PNG per plot beside each page, and results/analysis/index.html.')
    .option('--no-png', 'write the HTML pages only (PNGs need Chromium: $RADARWATCH_CHROMIUM or /usr/bin/chromium)');
  for (const register of ANALYSES) register(analyze, ctx);
  analyze.commands.forEach((c) => c.exitOverride());
}
