/**
 * `GET /api/overview` latency: with the real trained models (every folder under results/models, 8 on the embedded
 * default; target p99 ≤ 25 ms) and with 250 series from an in-memory service (target p99 ≤ 100 ms), each under 32
 * connections for 10 s asking for the three windows in turn — once with no watcher, once while a simulated watcher
 * commits an hour every second (each commit makes the server rebuild the overview). Also the in-process build time
 * of one overview (a cache miss) and the answer's size. Runnable alone: `npx tsx scripts/bench/overview.ts`.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { HOUR_MS } from '../../src/base/time';
import type { Config } from '../../src/config/schema';
import { createDetectionService } from '../../src/detect/service';
import { createApp } from '../../src/server/app';
import type { DetectionService } from '../../src/server/deps';
import { listen } from '../../src/server/listen';
import { buildOverview, OVERVIEW_WINDOWS, type OverviewWindow } from '../../src/server/overview';
import { advanceLifecycle } from '../../src/watch/lifecycle';
import { WatchStore } from '../../src/watch/store';
import { cannon, cannonSummary, percentiles } from './cannon';
import { createMemoryService } from './memory-service';
import { runStandalone, type Bench } from './types';

const CONNECTIONS = 32;
const HTTP_SECONDS = 10;
const BUILDS = 20;
const TARGET_REAL_P99_MS = 25;
const TARGET_250_P99_MS = 100;
const WINDOWS = Object.keys(OVERVIEW_WINDOWS) as OverviewWindow[];
const PATHS = WINDOWS.map((w) => `/api/overview?window=${w}`);
/** What a browser sends: the answer comes gzipped (a 250-country overview is ~200 kB of JSON, ~30 kB compressed). */
const BROWSER = { 'accept-encoding': 'gzip, deflate, br' };
const loadAverage = () => os.loadavg().map((x) => Math.round(x * 100) / 100);

/** Milliseconds of `BUILDS` in-process builds per window (what a request costs when the answer is not cached). */
async function builds(service: DetectionService, cfg: Config): Promise<Record<string, ReturnType<typeof percentiles>>> {
  const out: Record<string, ReturnType<typeof percentiles>> = {};
  for (const window of WINDOWS) {
    const ms: number[] = [];
    for (let i = 0; i < BUILDS + 2; i++) {
      const t = performance.now();
      JSON.stringify(await buildOverview({ service, window, now: Date.now(), lateAfterHours: cfg.watch.lateAfterHours, configured: cfg.countries }));
      if (i >= 2) ms.push(performance.now() - t);
    }
    out[window] = percentiles(ms);
  }
  return out;
}

/**
 * A stand-in for `radarwatch watch` on `countries`: every `everyMs` it commits one country's next hour after the
 * service's table (one anomalous hour in six, so events open and close) with the lifecycle's alerts, as a watcher
 * cycle does: the countries in turn, the hour moving on once all have it. With one country every commit moves the
 * overview's window by an hour (the worst case: a real watcher moves it once per cycle).
 */
function simulatedWatcher(file: string, countries: string[], firstHour: number, everyMs: number): { stop(): number } {
  const store = WatchStore.open(file);
  for (const country of countries) store.seed(country, [{ hour: firstHour - HOUR_MS, values: { http: 1, netflows: 1 }, gap: 0, unreliable: 0 }], firstHour - HOUR_MS, firstHour);
  let commits = 0;
  const timer = setInterval(() => {
    const country = countries[commits % countries.length];
    const hour = firstHour + Math.floor(commits / countries.length) * HOUR_MS;
    const anomalous = Math.floor(commits / countries.length) % 6 < 2;
    const h = { timestamp: hour, score: anomalous ? 0.999 : 0.1, threshold: 0.5, anomaly: anomalous, signals: { http: 0.6, netflows: 0.4 }, direction: { http: anomalous ? -4 : 0, netflows: anomalous ? -3 : 0 } };
    const step = advanceLifecycle(country, store.currentEvent(country), [h], { quietHours: 3, minEventHours: 1, topSignals: 3 }, hour + HOUR_MS);
    store.commit({ country, scores: [{ hour, score: h.score, threshold: 0.5, anomaly: anomalous, neutral: false }], lastStoredHour: hour, lastScoredHour: hour, events: step.touched, dropped: step.dropped, alerts: step.alerts, at: hour + HOUR_MS });
    commits++;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      store.close();
      return commits;
    },
  };
}

/** HTTP latency while a simulated watcher commits every second over `countries` (simulatedWatcher), and its commits. */
async function whileWatching(service: DetectionService, cfg: Config, countries: string[]): Promise<{ commits: number; live: ReturnType<typeof cannonSummary> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'radarwatch-bench-overview-'));
  try {
    const watchDb = path.join(dir, 'watch.db');
    const watcher = simulatedWatcher(watchDb, countries, Date.parse(service.countries()[0].dataTo), 1000);
    let live: ReturnType<typeof cannonSummary>;
    let commits: number;
    try {
      const running = await listen(createApp({ service, config: cfg, watchDb }), { host: '127.0.0.1', port: 0 });
      try {
        live = cannonSummary(await cannon(running.url, PATHS, HTTP_SECONDS, CONNECTIONS, BROWSER));
      } finally {
        await running.close();
      }
    } finally {
      commits = watcher.stop();
    }
    return { live, commits };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Builds, sizes and HTTP latency of one service, without and with a watcher. */
async function measure(service: DetectionService, cfg: Config, target: number): Promise<Record<string, unknown>> {
  const build = await builds(service, cfg);
  const plain = await listen(createApp({ service, config: cfg }), { host: '127.0.0.1', port: 0 });
  let steady;
  let single;
  let health;
  const bytes: Record<string, { json: number; gzip: number }> = {};
  try {
    for (const w of WINDOWS) {
      const json = (await (await fetch(`${plain.url}/api/overview?window=${w}`, { headers: { 'accept-encoding': 'identity' } })).arrayBuffer()).byteLength;
      const gz = await new Promise<number>((resolve, reject) => {
        http.get(`${plain.url}/api/overview?window=${w}`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
          let n = 0;
          res.on('data', (d: Buffer) => (n += d.length));
          res.on('end', () => resolve(n));
        }).on('error', reject);
      });
      bytes[w] = { json, gzip: gz };
    }
    await cannon(plain.url, PATHS, 2, CONNECTIONS, BROWSER); // warm-up: JIT, sockets
    // the machine's floor: the cheapest endpoint under the same load
    health = cannonSummary(await cannon(plain.url, ['/api/health'], HTTP_SECONDS, CONNECTIONS));
    steady = cannonSummary(await cannon(plain.url, PATHS, HTTP_SECONDS, CONNECTIONS, BROWSER));
    // one page at a time: the endpoint's own latency, without 32 requests queueing for the same 2 cores
    single = cannonSummary(await cannon(plain.url, PATHS, 5, 1, BROWSER));
  } finally {
    await plain.close();
  }
  // every commit moves the window (one country), and a watcher's cycle (every served country in turn, one hour each)
  const { live, commits } = await whileWatching(service, cfg, [service.countries()[0].code]);
  const cycle = await whileWatching(service, cfg, service.countries().map((c) => c.code));
  return {
    countries: service.countries().length,
    buildMs: build,
    answerBytes: bytes,
    healthBaseline: { note: 'GET /api/health (answered from memory) under the same 32 connections: the latency floor of this machine at the time', ...health },
    http: { connections: CONNECTIONS, seconds: HTTP_SECONDS, windows: WINDOWS, acceptEncoding: BROWSER['accept-encoding'], ...steady },
    httpOneConnection: { connections: 1, seconds: 5, ...single },
    httpWhileWatching: { connections: CONNECTIONS, seconds: HTTP_SECONDS, watcherCommits: commits, note: 'a simulated watcher commits one hour per second; each commit makes the next request per window rebuild the overview', ...live },
    httpWhileWatchingCycle: { connections: CONNECTIONS, seconds: HTTP_SECONDS, watcherCommits: cycle.commits, note: 'a simulated watcher cycle: one served country per second commits the next hour, in turn (the window moves once per cycle); each commit makes the next request per window rebuild the overview', ...cycle.live },
    loadAverage: loadAverage(),
    targetP99Ms: target,
    withinTarget: steady.latencyMs.p99 <= target && live.latencyMs.p99 <= target && steady.non2xx === 0 && live.non2xx === 0 && steady.errors === 0 && live.errors === 0,
  };
}

export const overviewBench: Bench = {
  name: 'overview',
  description: `GET /api/overview under ${CONNECTIONS} connections for ${HTTP_SECONDS} s (windows 24h, 7d, 30d in turn), without and with a watcher committing every second: the trained models under results/models (target p99 ≤ ${TARGET_REAL_P99_MS} ms) and 250 in-memory series (target p99 ≤ ${TARGET_250_P99_MS} ms); plus the in-process build time of one overview and its size.`,
  async run(cfg) {
    let real: Record<string, unknown>;
    try {
      const t0 = performance.now();
      const svc = await createDetectionService(cfg);
      const loadSeconds = Math.round((performance.now() - t0) / 10) / 100;
      try {
        real = { service: `the detection service over results/models (${svc.countries().map((c) => c.code).join(', ')})`, serviceLoadSeconds: loadSeconds, ...(await measure(svc, cfg, TARGET_REAL_P99_MS)) };
      } finally {
        await svc.close?.();
      }
    } catch (e) {
      real = { skipped: `no trained models to serve: ${(e as Error).message}` };
    }
    const t0 = performance.now();
    const mem = createMemoryService();
    const memSeconds = Math.round((performance.now() - t0) / 10) / 100;
    const many = {
      service: 'in-memory (scripts/bench/memory-service.ts): 248 countries + 2 imported series, 90 days of made-up hourly scores each, sliced and summarised like the real service; training 250 models is impractical on this machine',
      serviceBuildSeconds: memSeconds,
      ...(await measure(mem, cfg, TARGET_250_P99_MS)),
    };
    return { real, countries250: many, targets: { realP99Ms: TARGET_REAL_P99_MS, countries250P99Ms: TARGET_250_P99_MS } };
  },
};

if (require.main === module) runStandalone(overviewBench);
