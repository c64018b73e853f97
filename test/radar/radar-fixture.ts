/** Test helper: a tiny HTTP server on 127.0.0.1:0 speaking the Radar envelope, whose replies each test scripts per call. */
import * as http from 'http';
import type { AddressInfo, Socket } from 'net';

export interface Call {
  path: string;
  query: URLSearchParams;
  auth?: string;
}
export type Reply = { status?: number; body?: unknown; raw?: string; headers?: Record<string, string>; hang?: boolean; delayMs?: number };

/** Starts the server; `reply(call, n)` (n = 1-based call count) decides each answer. */
export async function fixture(reply: (call: Call, n: number) => Reply): Promise<{ url: string; calls: Call[]; inFlightMax: () => number; close: () => Promise<void> }> {
  const calls: Call[] = [];
  const sockets = new Set<Socket>();
  let inFlight = 0;
  let max = 0;
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const call = { path: u.pathname, query: u.searchParams, auth: req.headers.authorization };
    calls.push(call);
    const r = reply(call, calls.length);
    if (r.hang) return; // never answer: the client's timeout must fire
    inFlight++;
    max = Math.max(max, inFlight);
    setTimeout(() => {
      inFlight--;
      res.writeHead(r.status ?? 200, { 'content-type': 'application/json', ...r.headers });
      res.end(r.raw ?? JSON.stringify(r.body));
    }, r.delayMs ?? 0);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/client/v4/radar`,
    calls,
    inFlightMax: () => max,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A valid envelope for any radarwatch endpoint, derived only from the request (so runs are reproducible). */
export function radarReply(call: Call): Reply {
  const q = call.query;
  const start = Date.parse(q.get('dateStart') ?? '');
  const end = Date.parse(q.get('dateEnd') ?? '');
  const loc = q.get('location') ?? '';
  if (call.path.endsWith('/annotations/outages')) return { body: { success: true, errors: [], result: { annotations: Number(q.get('offset')) === 0 ? [{ id: `${loc}-${start}`, eventType: 'OUTAGE', startDate: q.get('dateStart'), endDate: null, locations: [loc] }] : [] } } };
  if (call.path.endsWith('/traffic_anomalies')) return { body: { success: true, errors: [], result: { trafficAnomalies: [] } } };
  const ts: string[] = [];
  for (let t = start; t <= end; t += 3_600_000) ts.push(new Date(t).toISOString().replace('.000Z', 'Z'));
  const vals = ts.map((_, i) => String(((i * 7 + loc.charCodeAt(0)) % 100) / 100));
  const serie = call.path.includes('bot_class') ? { timestamps: ts, bot: vals, human: vals } : call.path.includes('/bgp/') ? { timestamps: ts, ipv4: vals, ipv6: vals } : { timestamps: ts, values: vals };
  return { body: { success: true, errors: [], result: { serie_0: serie, meta: { dateRange: [{ startTime: q.get('dateStart'), endTime: q.get('dateEnd') }], aggInterval: 'ONE_HOUR' } } } };
}

/** A proxy on 127.0.0.1:0 that forwards every GET to `target` (a `/client/v4/radar` root) after `delayMs`. */
export async function delayingProxy(target: string, delayMs: number): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    setTimeout(async () => {
      try {
        const sub = (req.url ?? '/').replace(/^\/client\/v4\/radar/, '');
        const r = await fetch(target + sub, { headers: { authorization: req.headers.authorization ?? '' } });
        const body = Buffer.from(await r.arrayBuffer());
        res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
        res.end(body);
      } catch (e) {
        res.writeHead(502);
        res.end(String(e));
      }
    }, delayMs);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/client/v4/radar`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
