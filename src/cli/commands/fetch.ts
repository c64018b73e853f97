/** `radarwatch fetch`: downloads Radar series and labels (or their synthetic twins) into the raw store, resumably. */
import type { Command } from 'commander';
import { InputError } from '../../errors';
import { FETCH_INTERVALS, parseFetchInterval, parseSeries } from '../../radar/endpoints';
import type { CountryFetchSummary, FetchSource, FetchSummary } from '../../radar/fetch';
import { COUNTRY_HELP, type CliContext } from '../context';

const SOURCES: readonly FetchSource[] = ['radar', 'synthetic'];

function countryLine(c: CountryFetchSummary): string {
  return `${c.country}  chunks ${c.chunks}  written ${c.written}  skipped ${c.skipped}  failed ${c.failed}`;
}

function totalsLine(s: FetchSummary): string {
  return `total: ${s.countries.length} countries, ${s.chunks} chunks (${s.written} written, ${s.skipped} skipped, ${s.failures.length} failed), ${s.requests} requests, ${s.seconds.toFixed(1)} s, ${s.from}..${s.to} → ${s.dir}`;
}

/** Registers `fetch`. */
export function registerFetch(program: Command, ctx: CliContext): void {
  program
    .command('fetch')
    .description(
      'Download Radar series (http, bot_class, netflows, l3, l7, bgp_ips) and labels (outages, anomalies) per country into ' +
        '<raw-dir>/<source>/<CC>/<series>/<start>_<end>.json, hourly or, with --agg-interval 15m, every 15 minutes (windows of at most 7 days, into <series>@15m folders). Every answer is checked (finite values in range, parseable timestamps, non-empty) before it is written; ' +
        'a bad answer is retried, then reported, never stored. Resumable: existing chunks are skipped, so re-run after an interruption; --refetch replaces them. ' +
        '--source radar needs CLOUDFLARE_API_TOKEN (Account > Radar > Read); RADAR_API_BASE overrides the API root.',
    )
    .option('--source <source>', 'radar (the Cloudflare API) or synthetic (embedded generator behind a local mock Radar server) (default: models.yml data.source)')
    .option('--countries <list>', `${COUNTRY_HELP} (default: all)`)
    .option('--from <date>', 'first day, YYYY-MM-DD UTC, inclusive (default: models.yml dateRange.from)')
    .option('--to <date>', 'last day, YYYY-MM-DD UTC, inclusive; clamped to the last complete hour (default: models.yml dateRange.to)')
    .option('--raw-dir <dir>', 'raw store root (default: models.yml data.rawDir)')
    .option('--series <list>', 'comma list of series to fetch, or "all" (default: all)')
    .option('--agg-interval <interval>', `aggregation interval of the series: ${FETCH_INTERVALS.join(' or ')} (default: models.yml data.aggInterval)`)
    .option('--refetch', 'replace stored chunks whose window overlaps --from..--to (each under its own window; the old file stays until a validated answer replaces it) instead of skipping them', false)
    .action(async (o: { source?: string; countries?: string; from?: string; to?: string; rawDir?: string; series?: string; aggInterval?: string; refetch?: boolean }) => {
      const cfg = ctx.config();
      const source = (o.source ?? cfg.data.source) as FetchSource;
      if (!SOURCES.includes(source)) throw new InputError(`Unknown --source "${o.source}". Expected one of: ${SOURCES.join(', ')}`);
      const countries = ctx.countries(o.countries);
      // loaded here, not at the top: the generator behind the mock server pulls in date-holidays (slow for --help)
      const { FetchError, fetchRadar } = require('../../radar/fetch') as typeof import('../../radar/fetch');
      try {
        const summary = await fetchRadar({
          countries,
          from: o.from ?? cfg.dateRange.from,
          to: o.to ?? cfg.dateRange.to,
          source,
          cfg,
          rawDir: o.rawDir,
          series: parseSeries(o.series),
          aggInterval: o.aggInterval === undefined ? cfg.data.aggInterval : parseFetchInterval(o.aggInterval),
          refetch: o.refetch === true,
          onCountry: (c) => ctx.out(countryLine(c)),
        });
        ctx.out(totalsLine(summary));
      } catch (e) {
        // print the totals before main() reports the error and sets exit code 1
        if (e instanceof FetchError) ctx.out(totalsLine(e.summary));
        throw e;
      }
    });
}
