/** `radarwatch preprocess`: raw Radar chunks → one processed table per country at data.aggInterval (stitched, gap-filled, labelled). */
import type { Command } from 'commander';
import { InputError } from '../../errors';
import { FETCH_INTERVALS, parseFetchInterval } from '../../radar/endpoints';
import { COUNTRY_HELP, type CliContext } from '../context';

const SOURCES = ['radar', 'synthetic'] as const;

// Library code loads when the command runs, not at start, so `radarwatch --help` stays fast (see cli/main.ts).
const lib = () => require('../../data/preprocess') as typeof import('../../data/preprocess');

/** Registers `preprocess`. */
export function registerPreprocess(program: Command, ctx: CliContext): void {
  program
    .command('preprocess')
    .description(
      'Turn the raw chunks of `radarwatch fetch` into one table per country in <processed-dir>/<CC>.csv (+ .labels.json, .meta.json), ' +
        'one row per hour (or per 15 minutes with --agg-interval 15m, from the chunks fetched at 15m): ' +
        'MIN0_MAX windows stitched onto one scale, finer points resampled to the step, gaps filled and flagged, ' +
        'PIPELINE/PARTIAL_PROJECTION hours flagged unreliable, outage and anomaly labels placed on their hours.',
    )
    .option('--countries <list>', `${COUNTRY_HELP} (default: all)`)
    .option('--source <source>', 'raw store to read: radar or synthetic (default: models.yml data.source)')
    .option('--from <date>', 'first day, YYYY-MM-DD UTC, inclusive (default: models.yml dateRange.from)')
    .option('--to <date>', 'last day, YYYY-MM-DD UTC, inclusive (default: models.yml dateRange.to)')
    .option('--raw-dir <dir>', 'raw store root (default: models.yml data.rawDir)')
    .option('--processed-dir <dir>', 'output folder (default: models.yml data.processedDir)')
    .option('--agg-interval <interval>', `step of the table and interval of the raw chunks read: ${FETCH_INTERVALS.join(' or ')} (default: models.yml data.aggInterval)`)
    .option('--include-unverified', 'also label UNVERIFIED Radar traffic anomalies (default: VERIFIED only)', false)
    .action((o: { countries?: string; source?: string; from?: string; to?: string; rawDir?: string; processedDir?: string; aggInterval?: string; includeUnverified: boolean }) => {
      const cfg = ctx.config();
      const source = o.source ?? cfg.data.source;
      if (!(SOURCES as readonly string[]).includes(source)) throw new InputError(`Unknown --source "${source}". Expected one of: ${SOURCES.join(', ')}`);
      const { describeProcessed, preprocessCountries } = lib();
      const results = preprocessCountries({
        countries: ctx.countries(o.countries),
        source,
        from: o.from ?? cfg.dateRange.from,
        to: o.to ?? cfg.dateRange.to,
        rawDir: o.rawDir ?? cfg.data.rawDir,
        processedDir: o.processedDir ?? cfg.data.processedDir,
        cfg: o.aggInterval === undefined ? cfg.data : { ...cfg.data, aggInterval: parseFetchInterval(o.aggInterval) },
        includeUnverified: o.includeUnverified,
      });
      for (const r of results) ctx.out(describeProcessed(r.meta));
    });
}
