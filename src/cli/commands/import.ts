/** `radarwatch import`: a user's timestamped numeric CSV (NetFlow, web-server export, NAB or monitoring series) → a processed table at its own step. */
import type { Command } from 'commander';
import { RESAMPLE_RULES, type ResampleRule } from '../../data/grid';
import type * as ImportCsv from '../../data/import-csv';
import type * as Preprocess from '../../data/preprocess';
import { InputError } from '../../errors';
import type { CliContext } from '../context';

/** Registers `import`. */
export function registerImport(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .description(
      'Import FILE.csv (a timestamp column named timestamp/time/date/datetime/ts or first, then numeric columns) as processed table --id, ' +
        'so every later command (train, validate, tune, calibrate, test, detect, analyze, serve) can use it like a country. ' +
        'The step is the median spacing of the timestamps (1m … 1d) unless --step; points sharing a step (irregular rows, repeated timestamps) ' +
        'combine by mean (sum for columns named as counts: count, total, requests, bytes …) unless --resample. ' +
        'A column named label, is_anomaly or anomaly (any case) holds point labels (1 = anomalous) and becomes label windows. ' +
        'Columns named like share/ratio/fraction (in [0,1]) or pct/percent/% (in [0,100]) are rates, others volumes. Missing steps are filled and flagged.',
    )
    .argument('<file>', 'CSV file to import')
    .requiredOption('--id <name>', 'name of the imported table (letters, digits, _ and -, not a country code); files become <processed-dir>/<id>.csv')
    .option('--step <step>', 'grid step, e.g. 1m, 5m, 15m, 1h, 1d (default: the median spacing of the timestamps)')
    .option('--labels <file>', 'CSV of labelled windows: start,end[,kind] (kind: outage, partial_outage, l3_ddos, …; default outage)')
    .option('--resample <rule>', `how several rows in one step combine, for every column: ${RESAMPLE_RULES.join(', ')} (default: sum for columns named as counts, else mean)`)
    .option('--processed-dir <dir>', 'output folder (default: models.yml data.processedDir)')
    .action(async (file: string, o: { id: string; step?: string; labels?: string; resample?: string; processedDir?: string }) => {
      if (o.resample !== undefined && !(RESAMPLE_RULES as readonly string[]).includes(o.resample)) {
        throw new InputError(`Unknown --resample "${o.resample}". Expected one of: ${RESAMPLE_RULES.join(', ')}`);
      }
      const cfg = ctx.config();
      const r = await (require('../../data/import-csv') as typeof ImportCsv).importCsv(file, {
        id: o.id,
        labelsFile: o.labels,
        step: o.step,
        processedDir: o.processedDir ?? cfg.data.processedDir,
        resample: o.resample as ResampleRule | undefined,
        maxInterpolateHours: cfg.data.fill.maxInterpolateHours,
      });
      for (const line of r.report) ctx.out(`  ${line}`);
      ctx.out((require('../../data/preprocess') as typeof Preprocess).describeProcessed(r.meta));
      ctx.out(`wrote ${r.paths.csv}; next: radarwatch train ${o.id}`);
    });
}
