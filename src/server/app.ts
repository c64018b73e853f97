/** Builds the radarwatch Express app (without listening): the JSON API over an injected DetectionService, and the web page. */
import * as fs from 'fs';
import * as path from 'path';
import express, { type Express } from 'express';
import type { AppDeps } from './deps';
import { errorHandler, limitUrl, methodNotAllowed, noStore, notFound, securityHeaders } from './middleware';
import { parseDetectQuery, parseEventsQuery, type QueryLimits } from './validate';
import { readWatchEvents } from '../watch/store';

/** Optional: the live watcher's state database (results/watch/watch.db), whose events `/api/events` adds as `alerts`. */
export interface WatchDeps {
  watchDb?: string;
}

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

/**
 * Creates the app. Routes:
 * - `GET /api/health` → `{status, models, uptimeSeconds, version}`
 * - `GET /api/countries` → `{countries: ServedCountry[]}`
 * - `GET /api/detect?country=AT&date=YYYY-MM-DD | &from=…&to=…[&include=series]` → DetectResult
 * - `GET /api/events?country=AT&date=… | &from=…&to=…` → `{country, from, to, events}`, plus `alerts` (the
 *   `radarwatch watch` events overlapping the range, `source: "watch"`) when `watchDb` is given and exists
 * - `GET /` the page, `GET /vendor/plotly.min.js` the local plotly bundle.
 */
export function createApp(deps: AppDeps & WatchDeps): Express {
  const { service, config } = deps;
  const startedAt = Date.now();
  const version = packageVersion();
  const staticDir = deps.staticDir ?? defaultStaticDir();
  const plotlyPath = require.resolve('plotly.js-dist-min');
  // the model list is fixed once the service is loaded, but asking each time keeps a reloading service honest
  const limits = (): QueryLimits => ({ known: service.countries().map((c) => c.code), maxRangeDays: config.server.maxRangeDays });

  const app = express();
  app.disable('x-powered-by');
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
      res.json({ status: 'ok', models: service.countries().length, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000), version });
    })
    .all(methodNotAllowed(['GET']));
  api
    .route('/countries')
    .get((_req, res) => {
      res.json({ countries: service.countries() });
    })
    .all(methodNotAllowed(['GET']));
  api
    .route('/detect')
    .get(async (req, res) => {
      const q = parseDetectQuery(req.query, limits());
      res.json(await service.detect(q.country, q.from, q.to, { series: q.series }));
    })
    .all(methodNotAllowed(['GET']));
  api
    .route('/events')
    .get(async (req, res) => {
      const q = parseEventsQuery(req.query, limits());
      const r = await service.detect(q.country, q.from, q.to, { series: false });
      const alerts = deps.watchDb ? readWatchEvents(deps.watchDb, q.country, q.from.getTime(), q.to.getTime()) : undefined;
      res.json({ country: r.country, from: r.from, to: r.to, events: r.events, ...(alerts ? { alerts } : {}) });
    })
    .all(methodNotAllowed(['GET']));
  app.use('/api', api);
  app.use('/api', notFound);

  app.get('/vendor/plotly.min.js', (_req, res, next) => {
    // once bytes are out (e.g. the client went away mid-download) there is no error reply left to send
    res.sendFile(plotlyPath, { maxAge: '1d' }, (e) => {
      if (e && !res.headersSent) next(e);
    });
  });
  app.use(express.static(staticDir, { index: 'index.html', dotfiles: 'ignore', maxAge: 0 }));
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
