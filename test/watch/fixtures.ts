/**
 * Watch test fixtures: a tiny calibrated model trained on the synthetic source in a temp results folder, a proxy
 * in front of the mock Radar that injects outages, late data and errors per country, and a local webhook receiver.
 */
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { fitCalibration } from '../../src/calibrate/calibrate';
import { saveCalibration } from '../../src/calibrate/store';
import { fitFingerprint, saveFingerprint } from '../../src/calibrate/fingerprint';
import { parseConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { resultDirs } from '../../src/data/paths';
import { preprocessCountry } from '../../src/data/preprocess';
import { writeProcessed } from '../../src/data/processed';
import { HOUR_MS } from '../../src/base/time';
import { loadCountryDetector } from '../../src/detect/load';
import { saveDetector } from '../../src/model/artifact';
import { initBackend } from '../../src/model/backend';
import { fetchRadar } from '../../src/radar/fetch';
import { startMockRadar, type MockRadar } from '../../src/radar/mock-server';
import { trainCountry } from '../../src/train/country';

/** Training data range of the tiny model: six weeks, ending 2025-10-12 23:00 UTC. */
export const TRAIN_FROM = '2025-09-01';
export const TRAIN_TO = '2025-10-12';
/** First hour after the processed table. */
export const TABLE_END_MS = Date.UTC(2025, 9, 13);

/** A temp project: results, datasets and the config pointing at them. */
export interface TinyProject {
  root: string;
  cfg: Config;
  /** Restores RADARWATCH_RESULTS and removes the folder. */
  cleanup(): void;
}

/**
 * Config of the tiny project: no injected anomalies or gaps in the generator (the tests inject their own),
 * a one-week feature history, a small network trained for a few epochs, fast retries. The detector is the seasonal
 * evidence alone: a network trained for 8 epochs on five weeks is no detector worth judging (after an outage its
 * errors stay high for a day), and these tests are about the watcher's lifecycle, not detection quality. The false-alarm budget is strict (one per
 * 20 weeks) because eight days of validation cannot resolve the default budget's tail.
 */
export function tinyWatchConfig(root: string, patch: Record<string, unknown> = {}): Config {
  return parseConfig({
    countries: ['AT', 'DE'],
    dateRange: { from: TRAIN_FROM, to: TRAIN_TO },
    data: { source: 'synthetic', rawDir: path.join(root, 'raw'), processedDir: path.join(root, 'processed'), retries: 1, backoffMs: 5, timeoutMs: 5000 },
    generator: { seed: 42, anomaliesPerMonth: 0, gapRate: 0, unreliableRate: 0 },
    features: { baselineWeeks: 1, rollingHours: [3, 24] },
    model: { hiddenUnits: [16, 8], bottleneck: 4, embeddingDim: 2 },
    train: { epochs: 8, batchSize: 64, learningRate: 0.01, patience: 3 },
    calibrate: { detector: 'seasonal', falseAlarmsPerWeek: 0.05 },
    watch: { every: '1h', quietHours: 3, lateAfterHours: 3, backfillHours: 0, webhook: { retries: 3, backoffMs: 5, maxBackoffMs: 20, timeoutMs: 2000 } },
    ...patch,
  });
}

/**
 * Fetches, preprocesses, trains and calibrates `countries` on the synthetic source in a new temp folder, with
 * results under it (RADARWATCH_RESULTS). Takes a few seconds.
 */
export async function trainTinyProject(countries: string[] = ['AT']): Promise<TinyProject> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'radarwatch-watch-'));
  const prevResults = process.env.RADARWATCH_RESULTS;
  process.env.RADARWATCH_RESULTS = path.join(root, 'results');
  const cfg = tinyWatchConfig(root);
  await initBackend();
  await fetchRadar({ countries, from: TRAIN_FROM, to: TRAIN_TO, source: 'synthetic', cfg, series: ['http', 'bot_class', 'netflows', 'l3', 'l7', 'bgp_ips'], now: TABLE_END_MS + 24 * HOUR_MS });
  for (const cc of countries) {
    const frame = preprocessCountry({ rawDir: cfg.data.rawDir, source: 'synthetic', country: cc, from: TRAIN_FROM, to: TRAIN_TO, cfg: cfg.data });
    writeProcessed(cfg.data.processedDir, frame, { source: 'synthetic', from: TRAIN_FROM, to: TRAIN_TO, fill: { maxInterpolateHours: 3, rule: 'test' }, gapHours: {} });
    const result = await trainCountry(frame, cfg, { progress: false });
    await saveDetector(resultDirs.model(cc), result, cfg, { country: cc });
    result.model.dispose();
    const det = await loadCountryDetector(cfg, cc);
    const v = det.meta.split.validation;
    saveCalibration(det.dir, fitCalibration(frame, det, Date.parse(v.from), Date.parse(v.to)));
    saveFingerprint(det.dir, fitFingerprint(frame, det, Date.parse(v.from), Date.parse(v.to), { country: cc }));
    det.dispose();
  }
  return {
    root,
    cfg,
    cleanup() {
      if (prevResults === undefined) delete process.env.RADARWATCH_RESULTS;
      else process.env.RADARWATCH_RESULTS = prevResults;
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** What the proxy does to the mock's answers. */
export interface ProxyRules {
  /** Traffic (http, netflows) of `country` in [startMs, endMs) times `factor` (then MIN0_MAX again). */
  outages: { country: string; startMs: number; endMs: number; factor: number }[];
  /** Per country: points at or after this hour are withheld (late data). */
  hideFrom: Record<string, number>;
  /** Points of one endpoint (e.g. `/attacks/layer7/timeseries`) withheld in [startMs, endMs): one signal missing. */
  holes: { country: string; path: string; startMs: number; endMs: number }[];
  /** Countries whose every request fails with HTTP 500 (Radar's error envelope). */
  failing: Set<string>;
}

export interface RadarProxy {
  url: string;
  rules: ProxyRules;
  mock: MockRadar;
  /** Requests seen, as `path?location`. */
  requests: string[];
  close(): Promise<void>;
}

/** Starts the mock Radar (generator as in `cfg`, clock `now`) behind a rewriting proxy on 127.0.0.1. */
export async function startRadarProxy(cfg: Config, now: () => number): Promise<RadarProxy> {
  const mock = await startMockRadar({ seed: cfg.generator.seed, generator: cfg.generator, now });
  const rules: ProxyRules = { outages: [], hideFrom: {}, holes: [], failing: new Set() };
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://proxy.local');
      const country = (url.searchParams.get('location') ?? '').toUpperCase();
      const sub = url.pathname.replace(/^.*\/client\/v4\/radar/, '');
      requests.push(`${sub}?${country}`);
      if (rules.failing.has(country)) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ success: false, errors: [{ code: 2000, message: 'Internal Error' }], messages: [], result: null }));
        return;
      }
      const upstream = await fetch(mock.url + sub + url.search);
      const body = (await upstream.json()) as { result?: Record<string, { timestamps?: string[]; [k: string]: unknown }> };
      const serie = body.result?.serie_0 as ({ timestamps: string[] } & Record<string, string[]>) | undefined;
      if (upstream.ok && serie?.timestamps) {
        const traffic = sub === '/http/timeseries' || sub === '/netflows/timeseries';
        const cols = Object.keys(serie).filter((k) => k !== 'timestamps');
        for (const o of rules.outages) {
          if (!traffic || o.country !== country) continue;
          const vals = serie.values.map(Number);
          serie.timestamps.forEach((t, i) => {
            const ms = Date.parse(t);
            if (ms >= o.startMs && ms < o.endMs) vals[i] *= o.factor;
          });
          const max = Math.max(...vals);
          serie.values = vals.map((v) => String(Number((v / max).toPrecision(6))));
        }
        // withholds the points whose time fails `keep`
        const withhold = (keep: (ms: number) => boolean) => {
          const k = serie.timestamps.map((t) => keep(Date.parse(t)));
          for (const c of ['timestamps', ...cols]) serie[c] = serie[c].filter((_, i) => k[i]);
        };
        for (const h of rules.holes) if (h.country === country && h.path === sub) withhold((ms) => ms < h.startMs || ms >= h.endMs);
        const hide = rules.hideFrom[country];
        if (hide !== undefined) withhold((ms) => ms < hide);
      }
      res.writeHead(upstream.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    })().catch((e) => {
      res.writeHead(502);
      res.end(String(e));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/client/v4/radar`,
    rules,
    mock,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await mock.close();
    },
  };
}

/** A webhook receiver on 127.0.0.1: records every POST; `failNext` answers that many requests with 503. */
export interface WebhookReceiver {
  url: string;
  port: number;
  /** Accepted (2xx) bodies, parsed, in arrival order. */
  received: { id: string; type: string; idempotencyKey?: string; [k: string]: unknown }[];
  /** Every request including refused ones. */
  attempts: number;
  failNext: number;
  close(): Promise<void>;
}

/** Starts a receiver (on `port`, default any free one). */
export async function startWebhookReceiver(port = 0): Promise<WebhookReceiver> {
  const r: WebhookReceiver = { url: '', port: 0, received: [], attempts: 0, failNext: 0, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      r.attempts++;
      if (r.failNext > 0) {
        r.failNext--;
        res.writeHead(503);
        res.end('busy');
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      r.received.push({ ...body, idempotencyKey: req.headers['idempotency-key'] as string | undefined });
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  r.port = (server.address() as AddressInfo).port;
  r.url = `http://127.0.0.1:${r.port}/hook`;
  r.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return r;
}
