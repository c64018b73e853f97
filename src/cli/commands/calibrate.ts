/** `radarwatch calibrate`: fits temperature scaling and MAD/p99/p99.5 thresholds on each model's validation split. */
import * as path from 'path';
import type { Command } from 'commander';
import { THRESHOLD_METHODS } from '../../calibrate/threshold';
import { ConfigError, RadarwatchError } from '../../errors';
import { log } from '../../util/log';
import { formatTable } from '../../util/table';
import { COUNTRY_HELP, eachCountry, failureOf, positiveInt, type CliContext } from '../context';

// Library code loads when the command runs, not at start, so `radarwatch --help` stays fast (see cli/main.ts).
const lib = {
  country: () => require('../../calibrate/country') as typeof import('../../calibrate/country'),
  pool: () => require('../../util/pool') as typeof import('../../util/pool'),
  backend: () => require('../../model/backend') as typeof import('../../model/backend'),
};

/** Registers `calibrate`. */
export function registerCalibrate(program: Command, ctx: CliContext): void {
  program
    .command('calibrate')
    .description('Fit the post-rules of each trained model without touching the test split: the seasonal rule (on the training rows), the evidence tails behind the anomaly probability and its false-alarm budget (calibrate.falseAlarmsPerWeek), temperature scaling of the categorical heads, and the raw-score MAD / p99 / p99.5 thresholds (for comparison); saved as results/models/<CC>/calibration.json with a fingerprint. Several countries are calibrated in worker threads, one per core.')
    .argument('[countries]', COUNTRY_HELP)
    .option('--countries <list>', 'same as the positional argument')
    .option('--method <method>', `raw-score threshold reported: ${Object.keys(THRESHOLD_METHODS).join(' | ')} (default: models.yml calibrate.method); all three are fitted and saved`)
    .option('--workers <n>', 'worker threads for several countries (default: one per core; 1 = in this thread)')
    .action(async (positional: string | undefined, o: { countries?: string; method?: string; workers?: string }) => {
      const cfg = ctx.config();
      if (o.method && !THRESHOLD_METHODS[o.method]) throw new ConfigError(`Unknown --method "${o.method}". Valid: ${Object.keys(THRESHOLD_METHODS).join(', ')}`);
      const countries = ctx.targets(positional, o.countries);
      const { calibrateCountry, CALIBRATE_COLUMNS } = lib.country();
      const size = lib.pool().poolSize(countries.length, positiveInt('--workers', o.workers) ?? 0);
      let rows: (string | number)[][];
      let failure: RadarwatchError | undefined;
      if (size <= 1) {
        await lib.backend().initBackend();
        ({ results: rows, failure } = await eachCountry(countries, { step: 'calibrate', what: 'calibration' }, (cc) => calibrateCountry(cfg, cc, o.method)));
      } else {
        // One country per task in worker threads; the table keeps the order of the list.
        const done = new Map<string, (string | number)[]>();
        const failures: string[] = [];
        await lib.pool().runPool<(string | number)[]>(
          countries.map((cc) => ({ id: cc, payload: cc })),
          {
            // from src/ (tsx) the entry is worker.ts, from dist/ worker.js
            file: path.join(__dirname, '..', '..', 'calibrate', `worker${path.extname(__filename)}`),
            workerData: { config: cfg, method: o.method },
            size,
            onDone: (cc, r) => {
              if (r.ok) done.set(cc, r.result);
              else {
                failures.push(`${cc}: ${r.error}`);
                log.error(`calibrate ${cc}: ${r.error}`);
              }
            },
          },
        );
        rows = countries.filter((cc) => done.has(cc)).map((cc) => done.get(cc)!);
        failure = failureOf('calibration', failures, countries.length);
      }
      if (rows.length) ctx.out(formatTable(CALIBRATE_COLUMNS, rows));
      if (failure) throw failure;
    });
}
