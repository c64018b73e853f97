/** `radarwatch calibrate`: fits temperature scaling and MAD/p99/p99.5 thresholds on each model's validation split. */
import type { Command } from 'commander';
import { THRESHOLD_METHODS } from '../../calibrate/threshold';
import { ConfigError } from '../../errors';
import { formatTable } from '../../util/table';
import { COUNTRY_HELP, eachCountry, type CliContext } from '../context';

// Library code loads when the command runs, not at start, so `radarwatch --help` stays fast (see cli/main.ts).
const lib = {
  calibrate: () => require('../../calibrate/calibrate') as typeof import('../../calibrate/calibrate'),
  store: () => require('../../calibrate/store') as typeof import('../../calibrate/store'),
  fingerprint: () => require('../../calibrate/fingerprint') as typeof import('../../calibrate/fingerprint'),
  load: () => require('../../detect/load') as typeof import('../../detect/load'),
  backend: () => require('../../model/backend') as typeof import('../../model/backend'),
};

/** Registers `calibrate`. */
export function registerCalibrate(program: Command, ctx: CliContext): void {
  program
    .command('calibrate')
    .description('Fit the post-rules of each trained model without touching the test split: the seasonal rule (on the training rows), the evidence tails behind the anomaly probability and its false-alarm budget (calibrate.falseAlarmsPerWeek), temperature scaling of the categorical heads, and the raw-score MAD / p99 / p99.5 thresholds (for comparison); saved as results/models/<CC>/calibration.json with a fingerprint.')
    .argument('[countries]', COUNTRY_HELP)
    .option('--countries <list>', 'same as the positional argument')
    .option('--method <method>', `raw-score threshold reported: ${Object.keys(THRESHOLD_METHODS).join(' | ')} (default: models.yml calibrate.method); all three are fitted and saved`)
    .action(async (positional: string | undefined, o: { countries?: string; method?: string }) => {
      const cfg = ctx.config();
      if (o.method && !THRESHOLD_METHODS[o.method]) throw new ConfigError(`Unknown --method "${o.method}". Valid: ${Object.keys(THRESHOLD_METHODS).join(', ')}`);
      await lib.backend().initBackend();
      const { fitCalibration, withMethod } = lib.calibrate();
      const { saveCalibration } = lib.store();
      const { fitFingerprint, saveFingerprint } = lib.fingerprint();
      const { loadCountryRun } = lib.load();
      const { results: rows, failure } = await eachCountry(ctx.targets(positional, o.countries), { step: 'calibrate', what: 'calibration' }, async (cc) => {
        const { det, frame } = await loadCountryRun(cfg, cc, { calibrated: false });
        try {
          const v = det.meta.split.validation;
          let cal = fitCalibration(frame, det, Date.parse(v.from), Date.parse(v.to));
          if (o.method) cal = withMethod(cal, o.method);
          saveCalibration(det.dir, cal);
          saveFingerprint(det.dir, fitFingerprint(frame, det, Date.parse(v.from), Date.parse(v.to), { country: cc }));
          const t = cal.temperature;
          const refs = cal.seasonal ? [...new Set(cal.seasonal.signals.map((x) => x.reference))].join('/') : '-';
          return [cc, cal.detector, `${cal.budget.falseAlarmsPerWeek}/wk = ${(cal.budget.share * 100).toFixed(2)}%`, cal.evidence.streams.length, refs, cal.fittedOn.normalRows, t.T.toFixed(3), `${t.nllBefore.toFixed(3)} → ${t.nllAfter.toFixed(3)}`, `${t.eceBefore.toFixed(3)} → ${t.eceAfter.toFixed(3)}`, `${cal.threshold.value.toFixed(4)} (${cal.threshold.method})`];
        } finally {
          det.dispose();
        }
      });
      if (rows.length) ctx.out(formatTable(['country', 'detector', 'false-alarm budget', 'streams', 'seasonal ref', 'normal val rows', 'T', 'NLL before → after', 'ECE before → after', 'raw-score threshold'], rows));
      if (failure) throw failure;
    });
}
