/** `radarwatch import`: a user's timestamped numeric CSV (NetFlow, web-server export) → a processed hourly table. */
import type { Command } from 'commander';
import { RESAMPLE_RULES, type ResampleRule } from '../../data/grid';
import { importCsv } from '../../data/import-csv';
import { describeProcessed } from '../../data/preprocess';
import { InputError } from '../../errors';
import type { CliContext } from '../context';

/** Registers `import`. */
export function registerImport(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .description(
      'Import FILE.csv (a timestamp column named timestamp/time/date/datetime/ts or first, then numeric columns) as processed table --id, ' +
        'so every later command can use it like a country. Columns named like share/pct/percent/ratio/rate are rates, others volumes. ' +
        'Sub-hourly or irregular rows are resampled to hours (mean for rates, sum for volumes, unless --resample); missing hours are filled and flagged.',
    )
    .argument('<file>', 'CSV file to import')
    .requiredOption('--id <name>', 'name of the imported table (letters, digits, _ and -); files become <processed-dir>/<id>.csv')
    .option('--labels <file>', 'CSV of labelled windows: start,end[,kind] (kind: outage, partial_outage, l3_ddos, …; default outage)')
    .option('--resample <rule>', `how several rows in one hour combine, for every column: ${RESAMPLE_RULES.join(', ')} (default: mean for rates, sum for volumes)`)
    .option('--processed-dir <dir>', 'output folder (default: models.yml data.processedDir)')
    .action(async (file: string, o: { id: string; labels?: string; resample?: string; processedDir?: string }) => {
      if (o.resample !== undefined && !(RESAMPLE_RULES as readonly string[]).includes(o.resample)) {
        throw new InputError(`Unknown --resample "${o.resample}". Expected one of: ${RESAMPLE_RULES.join(', ')}`);
      }
      const cfg = ctx.config();
      const r = await importCsv(file, {
        id: o.id,
        labelsFile: o.labels,
        processedDir: o.processedDir ?? cfg.data.processedDir,
        resample: o.resample as ResampleRule | undefined,
        maxInterpolateHours: cfg.data.fill.maxInterpolateHours,
      });
      ctx.out(describeProcessed(r.meta));
      ctx.out(`wrote ${r.paths.csv}`);
    });
}
