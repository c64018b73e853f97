/**
 * Answers `GET /api/overview`: builds the overview from the detection service and the watch database and keeps the
 * serialised answer per window until something it depends on changes (a watcher commit, the hour, the model list),
 * so repeated requests cost one cheap version query, not a pass over every country.
 */
import type { Config } from '../config/schema';
import { HOUR_MS } from '../base/time';
import { promisify } from 'util';
import * as zlib from 'zlib';
import { isRadarwatchError } from '../errors';
import { log } from '../util/log';
import type { WatchReader, WatchWindow } from '../watch/view';
import type { DetectionService } from './deps';
import { buildOverview, dataEnd, OVERVIEW_WINDOWS, SummaryMemo, windowBounds, type OverviewWindow } from './overview';

/** An overview serialised once: the JSON bytes and their gzip form (browsers ask for it; 250 countries are ~200 kB of JSON). */
export interface OverviewBody {
  json: Buffer;
  gzip: Buffer;
}

export interface OverviewSource {
  /** The overview of `window`, serialised. */
  body(window: OverviewWindow): Promise<OverviewBody>;
}

export interface OverviewSourceDeps {
  service: DetectionService;
  config: Config;
  /** The watch database, when the server has one. */
  reader?: WatchReader;
  /** Wall clock (tests); default Date.now. */
  now?: () => number;
}

const gzip = promisify(zlib.gzip);

/** Creates the source; it holds at most one answer per window. */
export function createOverviewSource(deps: OverviewSourceDeps): OverviewSource {
  const { service, config, reader } = deps;
  const clock = deps.now ?? Date.now;
  const cache = new Map<OverviewWindow, { key: string; body: Promise<OverviewBody> }>();
  const memos = new Map((Object.keys(OVERVIEW_WINDOWS) as OverviewWindow[]).map((w) => [w, new SummaryMemo()]));
  let lastProblem: string | undefined;

  /** Runs a read of the watch database; a database SQLite cannot read is left out with a warning, not a 500. */
  const tryWatch = <T>(read: () => T): { value?: T; problem?: string } => {
    try {
      return { value: read() };
    } catch (e) {
      if (!isRadarwatchError(e)) throw e;
      if (lastProblem !== e.message) log.warn(`GET /api/overview: ${e.message}`);
      lastProblem = e.message;
      return { problem: e.message };
    }
  };

  async function build(window: OverviewWindow, now: number): Promise<OverviewBody> {
    let watch: WatchWindow | undefined;
    let problem: string | undefined;
    if (reader) {
      const served = service.countries();
      const r = tryWatch(() => {
        const last = reader.lastHours();
        if (!last) return undefined;
        const end = dataEnd(served, last);
        const { from, to } = windowBounds(window, Number.isFinite(end) ? end : Math.floor(now / HOUR_MS) * HOUR_MS);
        // the table's hours are summarised by the service; the watcher adds the hours after them
        const tableEnd = new Map(served.map((c) => [c.code, Date.parse(c.dataTo)]));
        return reader.window(from, to, (cc) => tableEnd.get(cc) ?? from);
      });
      watch = r.value;
      problem = r.problem;
    }
    const o = await buildOverview({ service, watch, window, now, lateAfterHours: config.watch.lateAfterHours, configured: config.countries, memo: memos.get(window) });
    if (problem) o.warnings = [...(o.warnings ?? []), `watch state left out: ${problem}`];
    const json = Buffer.from(JSON.stringify(o));
    // compressed off the event loop (zlib's thread pool), once per build
    return { json, gzip: await gzip(json, { level: 6 }) };
  }

  return {
    body(window) {
      const now = clock();
      const version = reader ? tryWatch(() => reader.version()) : {};
      // the answer depends on the watcher's commits, the hour (its `historical` flag) and the served models
      const key = [version.value ?? version.problem ?? '-', service.countries().length, Math.floor(now / HOUR_MS)].join('|');
      const hit = cache.get(window);
      if (hit && hit.key === key) return hit.body;
      const body = build(window, now);
      cache.set(window, { key, body });
      // a failed build is not kept: the next request tries again
      body.catch(() => {
        if (cache.get(window)?.body === body) cache.delete(window);
      });
      return body;
    },
  };
}
