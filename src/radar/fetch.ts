/** Orchestrates `fetch`: plans chunk windows per country and series, downloads missing chunks with bounded concurrency into the raw store, and summarises. */
import * as fs from 'fs';
import * as path from 'path';
import type { Config } from '../config/schema';
import { HOUR_MS, isoSeconds } from '../base/time';
import { InputError, RadarApiError, isRadarwatchError } from '../errors';
import { removeStaleTemps, writeJsonAtomic } from '../util/fsx';
import { log } from '../util/log';
import { startProgress } from '../util/progress';
import { checkAnswerContent } from './content';
import { endpointFor, FETCH_INTERVAL_MS, LABEL_WINDOW_DAYS, RAW_SERIES, takesAggInterval, type EndpointSpec, type FetchInterval, type RawSeries } from './endpoints';
import { createRadarClient, openRadarEndpoint, type RadarEndpoint } from './endpoint';
import { realClock, type Clock } from './rate-limit';
import { parseChunkFile, rawChunkPath, rawSeriesDir } from './raw-store';
import { chunkWindows, lastCompleteHour, MAX_WINDOW_DAYS, parseDateArg, windowDays, windowLabel, type DateWindow } from './windows';

/** Where `fetch` pulls from: the Radar API, or the embedded generator behind an in-process mock Radar server. */
export type FetchSource = 'radar' | 'synthetic';

export interface FetchOptions {
  /** ISO alpha-2 codes (already validated). */
  countries: string[];
  /** First day (`YYYY-MM-DD`, inclusive) or ISO timestamp. */
  from: string;
  /** Last day (`YYYY-MM-DD`, inclusive) or ISO timestamp; clamped to the last complete hour. */
  to: string;
  source: FetchSource;
  cfg: Config;
  /** An endpoint the caller opened (and closes) for `source`; default: opened and closed here. */
  endpoint?: RadarEndpoint;
  /** Raw store root (default cfg.data.rawDir); files go under `<rawDir>/<source>/…`. */
  rawDir?: string;
  /** Radar API root; default RADAR_API_BASE, else the public API. Ignored for `synthetic`. */
  baseUrl?: string;
  /** API token; default CLOUDFLARE_API_TOKEN. Required for `radar`. */
  token?: string;
  /** Series to fetch (default: all RAW_SERIES). */
  series?: RawSeries[];
  /** Aggregation interval of the series that take one (default cfg.data.aggInterval); 15m windows hold at most 7 days. */
  aggInterval?: FetchInterval;
  /** "Now" for the no-future clamp (default: the clock's now). */
  now?: number | Date;
  /** Injectable time for rate limiting and backoff (tests). */
  clock?: Clock;
  /** Called once per country as soon as all its chunks are done or failed. */
  onCountry?: (s: CountryFetchSummary) => void;
  /**
   * Replace chunks instead of skipping them: every stored chunk of the fetched countries and series whose window
   * overlaps [from, to] is downloaded again under its own window and replaced atomically (the old file stays until
   * a validated answer replaces it); windows of the range with no stored chunk are fetched as usual.
   */
  refetch?: boolean;
}

/** One chunk to download: a series window of one country and the file it lands in. */
export interface ChunkTask {
  country: string;
  series: RawSeries;
  spec: EndpointSpec;
  window: DateWindow;
  file: string;
}

export interface FetchFailure {
  country: string;
  series: RawSeries;
  window: string;
  message: string;
  httpStatus?: number;
}

export interface CountryFetchSummary {
  country: string;
  chunks: number;
  written: number;
  skipped: number;
  failed: number;
}

export interface FetchSummary {
  source: FetchSource;
  /** `<rawDir>/<source>`. */
  dir: string;
  /** Requested range after the no-future clamp, ISO. */
  from: string;
  to: string;
  countries: CountryFetchSummary[];
  /** HTTP attempts, retries included. */
  requests: number;
  chunks: number;
  written: number;
  skipped: number;
  failures: FetchFailure[];
  /** Stale temp files of a killed earlier run that were removed. */
  staleTempsRemoved: number;
  seconds: number;
}

/** Thrown after a fetch that finished with failed chunks; carries the full summary (saved chunks stay saved). */
export class FetchError extends RadarApiError {
  constructor(
    message: string,
    details: RadarApiError['details'],
    readonly summary: FetchSummary,
  ) {
    super(message, details);
  }
}

/**
 * The chunks of a fetch, country-major: every series in `series` cut into windows of `cfg.data.chunkDays` (capped at
 * MAX_WINDOW_DAYS of the interval: 7 days at 15m) overlapping by `overlapHours` over [from, to], each ending on its
 * last point (a 15m window ends on the last quarter of `to`'s last hour); series without an aggInterval (BGP IPs)
 * keep hourly chunkDays windows; label feeds in LABEL_WINDOW_DAYS windows without overlap (events are deduplicated by
 * id when parsed), ending at the end of `to`'s last hour. `toMs` (an hour start) must already be clamped.
 */
export function planFetch(opts: { countries: string[]; series: RawSeries[]; fromMs: number; toMs: number; cfg: Config; rawDir: string; source: FetchSource; aggInterval?: FetchInterval }): ChunkTask[] {
  const { chunkDays, overlapHours } = opts.cfg.data;
  const interval = opts.aggInterval ?? opts.cfg.data.aggInterval;
  const step = FETCH_INTERVAL_MS[interval];
  const days = windowDays(interval, chunkDays);
  if (interval !== '1h' && overlapHours >= days * 24) {
    throw new InputError(`At aggInterval ${interval} a request window holds at most ${MAX_WINDOW_DAYS[interval]} days (${days * 24} h), so data.overlapHours (${overlapHours}) leaves no new hours per window; expected data.overlapHours < ${days * 24}. Lower it in models.yml`);
  }
  const intervalWindows = chunkWindows(opts.fromMs, opts.toMs + HOUR_MS - step, days * 24, overlapHours, step);
  const hourlyWindows = interval === '1h' ? intervalWindows : chunkWindows(opts.fromMs, opts.toMs, chunkDays * 24, overlapHours);
  const labelWindows = chunkWindows(opts.fromMs, opts.toMs + HOUR_MS - 1000, LABEL_WINDOW_DAYS * 24, 0, 1000);
  const tasks: ChunkTask[] = [];
  for (const country of opts.countries) {
    for (const series of opts.series) {
      const spec = endpointFor(series, interval);
      const windows = spec.kind === 'labels' ? labelWindows : takesAggInterval(spec) ? intervalWindows : hourlyWindows;
      for (const window of windows) {
        tasks.push({ country, series, spec, window, file: rawChunkPath(opts.rawDir, opts.source, country, series, window.start, window.end, interval) });
      }
    }
  }
  return tasks;
}

/**
 * Downloads every missing chunk of `countries` × `series` × windows into
 * `<rawDir>/<source>/<CC>/<series>/<start>_<end>.json` (the envelope as received once its content is checked —
 * finite values in the normalization's range, parseable timestamps, a non-empty series; a rejected answer is retried
 * and then reported, never written; label pages merged into one envelope). Resumable: existing chunks are skipped
 * (replaced with `refetch`), stale temp files removed, each file written atomically. A failing chunk does not stop the others; afterwards one FetchError
 * lists the failures. For `synthetic`, a mock Radar server is started in-process and fetched over
 * HTTP through the same client.
 */
export async function fetchRadar(opts: FetchOptions): Promise<FetchSummary> {
  const t0 = Date.now();
  const clock = opts.clock ?? realClock;
  const cfg = opts.cfg;
  const rawDir = opts.rawDir ?? cfg.data.rawDir;
  const series = opts.series ?? [...RAW_SERIES];
  if (opts.countries.length === 0) throw new InputError('No countries to fetch: expected at least one code such as AT, or "all"');
  const nowMs = opts.now === undefined ? clock.now() : +opts.now;
  const fromMs = parseDateArg(opts.from, 'start');
  const lastHour = lastCompleteHour(nowMs);
  const toMs = Math.min(parseDateArg(opts.to, 'end'), lastHour);
  if (toMs < fromMs) {
    throw new InputError(`Nothing to fetch: --from ${opts.from} is after --to ${opts.to} or after the last complete hour (${isoSeconds(lastHour)}). Expected from ≤ to, both in the past.`);
  }

  const dir = path.join(rawDir, opts.source);
  const staleTempsRemoved = removeStaleTemps(dir);
  if (staleTempsRemoved > 0) log.info(`fetch: removed ${staleTempsRemoved} temp file(s) left by an interrupted run in ${dir}`);
  const aggInterval = opts.aggInterval ?? cfg.data.aggInterval;
  const planned = planFetch({ countries: opts.countries, series, fromMs, toMs, cfg, rawDir, source: opts.source, aggInterval });
  const tasks = opts.refetch ? planRefetch(planned, { countries: opts.countries, series, fromMs, toMs, rawDir, source: opts.source, aggInterval }) : planned;

  // the mock shares our notion of now, so an injected `now` also bounds what it serves; a caller's endpoint is its to close
  const endpoint = opts.endpoint ?? (await openRadarEndpoint(opts.source, cfg, { baseUrl: opts.baseUrl, token: opts.token, now: opts.now === undefined ? undefined : () => nowMs }));
  const close = opts.endpoint ? undefined : () => endpoint.close();

  const limits = cfg.data[opts.source];
  const client = createRadarClient(endpoint, cfg.data, opts.source, {
    clock,
    onRetry: ({ ctx, attempt, delayMs, reason }) => log.debug(`fetch: retry ${attempt} of ${ctx.endpoint} ${ctx.country} ${ctx.window} in ${delayMs} ms (${reason})`),
    // validated in full before the atomic write: a stored chunk is one preprocess can use
    check: checkAnswerContent,
  });

  const perCountry = new Map<string, CountryFetchSummary & { left: number }>();
  for (const c of opts.countries) perCountry.set(c, { country: c, chunks: 0, written: 0, skipped: 0, failed: 0, left: 0 });
  for (const t of tasks) {
    const s = perCountry.get(t.country)!;
    s.chunks++;
    s.left++;
  }
  const failures: FetchFailure[] = [];
  let fatal: RadarApiError | undefined;
  const bar = startProgress(`fetch ${opts.source}`, tasks.length, '{bar} {value}/{total} chunks | {country} | ETA {eta_formatted}', { country: '' });

  const settle = (t: ChunkTask, outcome: 'written' | 'skipped' | 'failed') => {
    const s = perCountry.get(t.country)!;
    s[outcome]++;
    s.left--;
    bar.increment(1, { country: t.country });
    if (s.left === 0) opts.onCountry?.(strip(s));
  };

  const runTask = async (t: ChunkTask) => {
    if (!opts.refetch && fs.existsSync(t.file)) return settle(t, 'skipped');
    if (fatal) {
      failures.push({ country: t.country, series: t.series, window: windowLabel(t.window), message: `not attempted: ${fatal.message}` });
      return settle(t, 'failed');
    }
    try {
      const env = await client.fetchWindow(t.spec, t.country, t.window, cfg.data.labelPageSize);
      writeJsonAtomic(t.file, env);
      pruneSuperseded(t.file);
      settle(t, 'written');
    } catch (e) {
      if (!isRadarwatchError(e) && !(e as NodeJS.ErrnoException).code) throw e; // a bug, not a failed download
      const err = e as Error;
      const httpStatus = e instanceof RadarApiError ? e.details.httpStatus : undefined;
      failures.push({ country: t.country, series: t.series, window: windowLabel(t.window), message: err.message, httpStatus });
      // a refused token fails every request the same way: stop instead of hammering the API
      if (e instanceof RadarApiError && (httpStatus === 401 || httpStatus === 403)) fatal ??= e;
      settle(t, 'failed');
    }
  };

  try {
    let next = 0;
    const worker = async () => {
      while (next < tasks.length) await runTask(tasks[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(limits.concurrency, Math.max(1, tasks.length)) }, worker));
  } finally {
    bar.stop();
    await close?.();
  }

  const countries = [...perCountry.values()].map(strip);
  const summary: FetchSummary = {
    source: opts.source,
    dir,
    from: isoSeconds(fromMs),
    to: isoSeconds(toMs),
    countries,
    requests: client.requests,
    chunks: tasks.length,
    written: countries.reduce((a, c) => a + c.written, 0),
    skipped: countries.reduce((a, c) => a + c.skipped, 0),
    failures,
    staleTempsRemoved,
    seconds: (Date.now() - t0) / 1000,
  };
  if (failures.length > 0) throw fetchError(summary);
  return summary;
}

/**
 * The chunks a `--refetch` replaces: per country and series, every stored chunk whose window overlaps
 * [fromMs, toMs], under its own window (so the file is replaced in place, whatever range the first fetch planned);
 * a country and series with no stored chunk there falls back to the regular plan.
 */
export function planRefetch(planned: ChunkTask[], o: { countries: string[]; series: RawSeries[]; fromMs: number; toMs: number; rawDir: string; source: FetchSource; aggInterval?: FetchInterval }): ChunkTask[] {
  const interval = o.aggInterval ?? '1h';
  const tasks: ChunkTask[] = [];
  for (const country of o.countries) {
    for (const series of o.series) {
      const dir = rawSeriesDir(o.rawDir, o.source, country, series, interval);
      const stored = fs.existsSync(dir)
        ? fs
            .readdirSync(dir)
            .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
            .sort()
            .map((f) => parseChunkFile(path.join(dir, f)))
            .filter((c): c is NonNullable<typeof c> => c !== undefined && c.window.startMs <= o.toMs + HOUR_MS && c.window.endMs >= o.fromMs)
        : [];
      if (stored.length === 0) {
        tasks.push(...planned.filter((t) => t.country === country && t.series === series));
        continue;
      }
      const spec = endpointFor(series, interval);
      for (const c of stored) tasks.push({ country, series, spec, window: c.window, file: c.file });
    }
  }
  return tasks;
}

/**
 * Removes chunks of the same series and start that end earlier than `file`: the last window of a
 * range clamped to "now" is short, and a later run replaces it with a longer one. Keeping only the
 * longest leaves one file per window start for stitching (and drops hours Radar may have revised).
 */
function pruneSuperseded(file: string): void {
  const dir = path.dirname(file);
  const [start, end] = path.basename(file, '.json').split('_');
  for (const f of fs.readdirSync(dir)) {
    if (!f.endsWith('.json') || f.startsWith('.')) continue;
    const [s, e] = path.basename(f, '.json').split('_');
    if (s === start && e < end) fs.rmSync(path.join(dir, f), { force: true });
  }
}

function strip(s: CountryFetchSummary & { left?: number }): CountryFetchSummary {
  return { country: s.country, chunks: s.chunks, written: s.written, skipped: s.skipped, failed: s.failed };
}

function fetchError(summary: FetchSummary): FetchError {
  const f = summary.failures;
  const byCountry = summary.countries.filter((c) => c.failed > 0).map((c) => `${c.country}: ${c.failed}`);
  const shown = f.slice(0, 5).map((x) => `\n  - ${x.country} ${x.series} ${x.window}: ${x.message}`).join('');
  const more = f.length > 5 ? `\n  … and ${f.length - 5} more` : '';
  const saved = summary.written + summary.skipped;
  return new FetchError(
    `Fetch finished with ${f.length} failed chunk(s) (${byCountry.join(', ')}); the other ${saved} of ${summary.chunks} chunks are saved in ${summary.dir}. Re-run the same command to fetch only the missing chunks.${shown}${more}`,
    { endpoint: endpointFor(f[0].series).path, country: f[0].country, window: f[0].window, httpStatus: f[0].httpStatus, apiMessage: f[0].message, retryable: f.every((x) => x.httpStatus === undefined || x.httpStatus === 429 || x.httpStatus >= 500) },
    summary,
  );
}
