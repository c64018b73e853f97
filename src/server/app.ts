/** Builds the radarwatch Express app (without listening): the JSON API over an injected DetectionService, and the web page. */
import * as fs from 'fs';
import * as path from 'path';
import express, { type Express } from 'express';
import type { Response } from 'express';
import { HOUR_MS } from '../base/time';
import { InputError, isRadarwatchError } from '../errors';
import { log } from '../util/log';
import type { AppDeps, ServedCountry } from './deps';
import type { HeavyLane } from './heavy-lane';
import { errorHandler, limitUrl, methodNotAllowed, noStore, notFound, securityHeaders, sendJson } from './middleware';
import { parseDetectQuery, parseEventsQuery, parseOverviewQuery, type QueryLimits } from './validate';
import { probeWatchDb, readWatchEvents } from '../watch/store';
import type { WatchEvent } from '../watch/types';
import { WatchReader } from '../watch/view';
import { APP_CLOSING } from './listen';
import { createOverviewSource } from './overview-source';
import { AlertStream, type StreamOptions } from './stream';
import { vendorRouter } from './vendor';
import { createFastLane } from './fast-lane';
import type { IncomingMessage, ServerResponse } from 'http';

/** Optional: the live watcher's state database (results/watch/watch.db), whose events `/api/events` adds as `alerts`. */
export interface WatchDeps {
  watchDb?: string;
}

/**
 * What one request may cost. A request's cost is the points it returns: its hours, times (1 + signals) with
 * `include=series`. Requests above `heavyPoints` are heavy: they go to the heavy lane (a worker thread) when one is
 * running, and at most `maxHeavy` of them are in flight — more get 503 with Retry-After.
 */
export interface LoadLimits {
  /** Cost above which a request is heavy (default 1200: a week with series, or 50 days without). */
  heavyPoints: number;
  /**
   * Heavy requests queued or running at once (default 32). Waiting in the lane's queue costs the event loop nothing;
   * refusing costs a little per retry, so the limit is a queue bound, not a throttle.
   */
  maxHeavy: number;
  /** Largest cost one request may have (default 25,000; 93 days × 24 h × 7 columns is 15,624). */
  maxPoints: number;
  /** Retry-After of a 503, seconds (default 1). */
  retryAfterSeconds: number;
  /** How long a probe of the watch database is reused by /api/health, ms (default 10 s). */
  watchProbeMs: number;
}

export const DEFAULT_LOAD_LIMITS: LoadLimits = Object.freeze({ heavyPoints: 1200, maxHeavy: 32, maxPoints: 25_000, retryAfterSeconds: 1, watchProbeMs: 10_000 });

/** Optional: the heavy lane (started by `radarwatch serve`) and the load limits. */
export interface LoadDeps {
  heavy?: HeavyLane;
  limits?: Partial<LoadLimits>;
  /** Live stream settings (poll period, listener limit); tests shorten them. */
  stream?: Partial<StreamOptions>;
  /** Wall clock of the overview (tests); default Date.now. */
  now?: () => number;
}

/** Signals a series answer carries per hour (6 Radar signals) plus the hour itself: the cost multiplier of include=series. */
const SERIES_COLUMNS = 7;

/** Package root: two levels up from both src/server (tsx) and dist/server (built). */
const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

/**
 * The page's folder: a copy next to this file when a build put one there, else the source folder,
 * so the same code serves the page under tsx, from dist/, and in the container.
 */
export function defaultStaticDir(): string {
  const beside = path.join(__dirname, 'public');
  return fs.existsSync(path.join(beside, 'index.html')) ? beside : path.join(PACKAGE_ROOT, 'src', 'server', 'public');
}

function packageVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Express's entry point for a request (`app(req, res)` calls it; not in its type declarations). */
interface ExpressHandle {
  handle(req: IncomingMessage, res: ServerResponse, callback?: (err?: unknown) => void): void;
}

/**
 * Creates the app. Routes:
 * - `GET /api/health` → `{status: ok | degraded, models, uptimeSeconds, version}`, plus `degraded: [{country, reason}]`
 *   for model folders that failed their checks, `cache` (loaded countries, estimated MB, bounds, loads, evictions)
 *   when the service has one, and `watch: {status, reason}` when the watch database is unusable; answered from
 *   memory, never behind detection work
 * - `GET /api/countries` → `{countries: ServedCountry[]}`
 * - `GET /api/detect?country=AT&date=YYYY-MM-DD | &from=…&to=…[&include=series]` → DetectResult
 * - `GET /api/overview?window=24h|7d|30d` → Overview (server/overview.ts): every served country's state, peak
 *   probability, open or worst event and data freshness over the window, plus the newest events across countries
 * - `GET /api/stream` → Server-Sent Events: the watcher's alerts as they are committed (server/stream.ts)
 * - `GET /api/events?country=AT&date=… | &from=…&to=…` → `{country, from, to, events}`, plus `alerts` (the
 *   `radarwatch watch` events overlapping the range, `source: "watch"`) when `watchDb` is given and exists; an
 *   unreadable watch database gives `alerts: []` and a `warnings` entry instead of a 500
 * - requests are bounded by cost (LoadLimits): heavy ones (long ranges, series) run in the heavy lane when given, at
 *   most `maxHeavy` at once, the rest answered 503 with Retry-After
 * - `GET /` the overview page, `GET /country?country=AT&from=…&to=…` the country view (old `/?country=…` links are
 *   redirected there), `GET /vendor/plotly.min.js` and `/vendor/topojson/world_{110,50}m.json` from node_modules.
 */
export function createApp(deps: AppDeps & WatchDeps & LoadDeps): Express {
  const { service, config } = deps;
  const load: LoadLimits = { ...DEFAULT_LOAD_LIMITS, ...deps.limits };
  let heavyInFlight = 0;
  let watchProbe: { at: number; problem?: string } | undefined;
  /** The watch database's problem, if any (cached for load.watchProbeMs). */
  const watchProblem = (): string | undefined => {
    if (!deps.watchDb) return undefined;
    if (!watchProbe || Date.now() - watchProbe.at > load.watchProbeMs) watchProbe = { at: Date.now(), problem: probeWatchDb(deps.watchDb) };
    return watchProbe.problem;
  };
  /** The watcher's alerts for a range, or a warning instead of a 500 when its database cannot be read. */
  const watchAlerts = (country: string, from: Date, to: Date): { alerts?: WatchEvent[]; warnings?: string[] } => {
    if (!deps.watchDb) return {};
    try {
      const alerts = readWatchEvents(deps.watchDb, country, from.getTime(), to.getTime());
      return alerts ? { alerts } : {};
    } catch (e) {
      if (!isRadarwatchError(e)) throw e;
      // one warning per new problem, not one per request
      if (watchProbe?.problem !== e.message) log.warn(`GET /api/events: ${e.message}`);
      watchProbe = { at: Date.now(), problem: e.message };
      return { alerts: [], warnings: [`watch alerts left out: ${e.message}`] };
    }
  };
  const costOf = (q: { from: Date; to: Date; series?: boolean }) => ((q.to.getTime() - q.from.getTime()) / HOUR_MS) * (q.series ? SERIES_COLUMNS : 1);
  const busy = (res: Response, why: string) => {
    res.setHeader('Retry-After', String(load.retryAfterSeconds));
    res.status(503).json({ error: { code: 'BUSY', message: `${why}; retry in ${load.retryAfterSeconds} s, or ask for a shorter range or without include=series` } });
  };
  /** Runs a heavy request within the limit, or answers 503 + Retry-After when saturated (or the lane is still loading). */
  const heavy = async (res: Response, work: () => Promise<void>): Promise<void> => {
    if (heavyInFlight >= load.maxHeavy) return busy(res, `The server is answering ${heavyInFlight} long requests (at most ${load.maxHeavy} at once)`);
    // while the lane loads its models, long requests would run on the event loop and stall everything else
    if (deps.heavy?.state() === 'starting') return busy(res, 'Long requests are answered once the heavy-request worker has loaded the models, a few seconds after start');
    heavyInFlight++;
    try {
      await work();
    } finally {
      heavyInFlight--;
    }
  };
  const checkCost = (cost: number) => {
    if (cost > load.maxPoints) throw new InputError(`The request would return ${Math.round(cost)} points; at most ${load.maxPoints} are served per request. Ask for a shorter range, or leave out include=series`);
  };
  const startedAt = Date.now();
  const version = packageVersion();
  const staticDir = deps.staticDir ?? defaultStaticDir();
  // one read-only connection to the watch database, shared by the overview and the live stream
  const reader = deps.watchDb ? new WatchReader(deps.watchDb) : undefined;
  const overview = createOverviewSource({ service, config, reader, now: deps.now });
  const stream = new AlertStream(reader, deps.stream);
  // asked each request, so a service that drops a country is honest; the list of codes is rebuilt only when the list changes
  let served: { list: ServedCountry[]; limits: QueryLimits } | undefined;
  const limits = (): QueryLimits => {
    const list = service.countries();
    if (served?.list !== list) served = { list, limits: { known: list.map((c) => c.code), maxRangeDays: config.server.maxRangeDays } };
    return served.limits;
  };

  const app = express();
  // GET /api/detect of a short range is answered before express's own per-request work (fast-lane.ts); the rest,
  // and anything the lane declines, goes through express as below
  const lane = createFastLane({ service, limits, costOf, heavyPoints: load.heavyPoints });
  const handled = app as unknown as ExpressHandle;
  const handle = handled.handle.bind(app);
  handled.handle = (req, res, callback) => {
    if (!lane(req, res, () => handle(req, res, callback))) handle(req, res, callback);
  };
  // app is an EventEmitter; `on` is typed for 'mount' only
  app.addListener(APP_CLOSING, () => {
    stream.close();
    reader?.close();
  });
  app.disable('x-powered-by');
  // answers are no-store; hashing a large body for an ETag would only cost event-loop time
  app.set('etag', false);
  // flat key → string | string[]; no nested objects from `a[b]=c`
  app.set('query parser', 'simple');
  app.use(limitUrl);
  app.use(securityHeaders);
  app.use(express.json({ limit: '10kb' }));

  const api = express.Router();
  api.use(noStore);
  api
    .route('/health')
    .get((_req, res) => {
      // answered from memory (plus a cached probe of the watch database): never waits for detection work
      const degraded = service.degraded?.() ?? [];
      const cache = service.cache?.();
      const watch = watchProblem();
      res.json({
        status: degraded.length || watch ? 'degraded' : 'ok',
        models: service.countries().length,
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        version,
        ...(degraded.length ? { degraded } : {}),
        ...(cache ? { cache } : {}),
        ...(watch ? { watch: { status: 'degraded', reason: watch } } : {}),
      });
    })
    .all(methodNotAllowed(['GET']));
  api
    .route('/countries')
    .get((_req, res) => {
      res.json({ countries: service.countries() });
    })
    .all(methodNotAllowed(['GET']));
  api
    .route('/overview')
    .get(async (req, res) => {
      const q = parseOverviewQuery(req.query);
      const body = await overview.body(q.window);
      res.type('application/json');
      res.setHeader('Vary', 'Accept-Encoding');
      if (/\bgzip\b/.test(req.header('accept-encoding') ?? '')) {
        res.setHeader('Content-Encoding', 'gzip');
        res.send(body.gzip);
      } else res.send(body.json);
    })
    .all(methodNotAllowed(['GET']));
  api
    .route('/stream')
    .get((req, res) => {
      if (stream.full()) return busy(res, `The server is streaming to ${stream.size} pages (its limit)`);
      stream.open(req, res);
    })
    .all(methodNotAllowed(['GET']));
  api
    .route('/detect')
    .get(async (req, res) => {
      const q = parseDetectQuery(req.query, limits());
      const cost = costOf(q);
      checkCost(cost);
      if (cost <= load.heavyPoints) {
        if (!service.detectJson) return void res.json(await service.detect(q.country, q.from, q.to, { series: q.series }));
        return void sendJson(res, await service.detectJson(q.country, q.from, q.to, { series: q.series }));
      }
      await heavy(res, async () => {
        if (!deps.heavy?.ready()) return void res.json(await service.detect(q.country, q.from, q.to, { series: q.series }));
        const body = await deps.heavy.detectJson(q.country, q.from, q.to, q.series);
        sendJson(res, Buffer.from(body.buffer, body.byteOffset, body.byteLength));
      });
    })
    .all(methodNotAllowed(['GET']));
  api
    .route('/events')
    .get(async (req, res) => {
      const q = parseEventsQuery(req.query, limits());
      const cost = costOf(q);
      checkCost(cost);
      const answer = async () => {
        const r = deps.heavy?.ready() && cost > load.heavyPoints ? await deps.heavy.events(q.country, q.from, q.to) : await service.detect(q.country, q.from, q.to, { series: false });
        res.json({ country: r.country, from: r.from, to: r.to, events: r.events, ...watchAlerts(q.country, q.from, q.to) });
      };
      if (cost <= load.heavyPoints) return answer();
      await heavy(res, answer);
    })
    .all(methodNotAllowed(['GET']));
  app.use('/api', api);
  app.use('/api', notFound);

  app.use('/vendor', vendorRouter());
  // links to the first page (`/?country=AT&from=…`) now belong to the country view
  app.get('/', (req, res, next) => {
    const i = req.originalUrl.indexOf('?');
    if (i >= 0 && typeof req.query.country === 'string') return res.redirect(302, `country${req.originalUrl.slice(i)}`);
    next();
  });
  // `/country` is country.html
  app.use(express.static(staticDir, { index: 'index.html', extensions: ['html'], dotfiles: 'ignore', maxAge: 0 }));
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
