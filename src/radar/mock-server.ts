/**
 * A local mock of the Cloudflare Radar API (v4) backed by the embedded generator: the same paths,
 * query conventions, envelopes and error bodies, plus a request log and a fault queue for client tests.
 * With mock/, the one part of radar/ that imports data/ (the generator only; see test/architecture.test.ts).
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import type { GeneratorConfig } from '../config/schema';
import { createGenerator } from '../data/generator/simulate';
import { MockHttpError, toQuery, type Query } from './mock/params';
import { ROUTES, locationValidator, type MockContext } from './mock/routes';

/** Path prefix of every Radar endpoint, as on api.cloudflare.com. */
export const RADAR_BASE_PATH = '/client/v4/radar';

/** One queued fault: the next request gets this status (and body/headers) instead of its normal answer. */
export interface Fault {
  status: number;
  /** Raw body sent as is (may be malformed JSON). Default: a Radar-style error for the status; for 200, the normal answer. */
  body?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering (e.g. to trigger client timeouts). */
  delayMs?: number;
}

/** One request the mock received. */
export interface MockRequestRecord {
  /** Path below the Radar base, e.g. `/http/timeseries`. */
  path: string;
  query: Query;
  /** Server clock (`now()`) when it arrived, epoch ms. */
  at: number;
}

export interface MockRadarOptions {
  /** Generator seed (overrides `generator.seed`). */
  seed?: number;
  generator?: Partial<GeneratorConfig>;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** The server's clock: the incomplete current hour and the future are never served. */
  now?: () => number;
  /** Reject requests without `Authorization: Bearer <token>`, as the real API does. */
  requireToken?: boolean;
  /** With requireToken: the only accepted token (any non-empty token when omitted). */
  token?: string;
}

export interface MockRadar {
  /** Base URL ending in /client/v4/radar, e.g. http://127.0.0.1:PORT/client/v4/radar. */
  url: string;
  close(): Promise<void>;
  /** Every request received, in arrival order. */
  requests: MockRequestRecord[];
  /** Queues faults; each request consumes one, in order, before normal handling. */
  injectFaults(faults: Fault[]): void;
}

/** Radar error codes by HTTP status for default fault bodies (Radar docs, error-codes). */
const STATUS_CODES: Record<number, [number, string]> = {
  400: [2001, 'Input Validation Error'],
  404: [7003, 'Not found'],
  422: [2002, 'Query is above max cost'],
  429: [1015, 'Too many requests'],
  500: [2000, 'Internal Error'],
};

/** Cloudflare's failure envelope. */
function failureBody(code: number, message: string, result: unknown = null, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ success: false, errors: [{ code, message, ...extra }], messages: [], result });
}

function send(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** Checks the Authorization header the way the Cloudflare API does; returns an error answer or undefined. */
function authError(req: http.IncomingMessage, token: string | undefined): [number, string] | undefined {
  const auth = req.headers.authorization;
  if (!auth) return [400, failureBody(9106, 'Missing X-Auth-Key, X-Auth-Email or Authorization headers')];
  const m = /^Bearer\s+(\S+)$/.exec(auth);
  if (!m) return [400, failureBody(6003, 'Invalid request headers', null, { error_chain: [{ code: 6111, message: 'Invalid format for Authorization header' }] })];
  if (token !== undefined && m[1] !== token) return [401, failureBody(10000, 'Authentication error')];
  return undefined;
}

/**
 * Starts the mock Radar server on 127.0.0.1 (port 0 = any free port). Endpoints: /http/timeseries,
 * /http/timeseries_groups/bot_class, /netflows/timeseries, /attacks/layer3/timeseries,
 * /attacks/layer7/timeseries, /bgp/ips/timeseries, /annotations/outages, /annotations, /traffic_anomalies.
 */
export async function startMockRadar(opts: MockRadarOptions = {}): Promise<MockRadar> {
  const gen = createGenerator({ ...opts.generator, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) });
  const now = opts.now ?? Date.now;
  const ctx: MockContext = { gen, now, location: locationValidator() };
  const requests: MockRequestRecord[] = [];
  const faults: Fault[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const answer = (req: http.IncomingMessage, res: http.ServerResponse, path: string, query: Query) => {
    if (opts.requireToken) {
      const err = authError(req, opts.token);
      if (err) return send(res, err[0], err[1]);
    }
    const handler = req.method === 'GET' || req.method === 'HEAD' ? ROUTES[path] : undefined;
    if (!handler) return send(res, 404, failureBody(7003, 'No route for the URI'));
    try {
      send(res, 200, JSON.stringify({ success: true, errors: [], result: handler(ctx, query) }));
    } catch (e) {
      if (e instanceof MockHttpError) {
        // Radar's 400s carry `result: {}` rather than null.
        return send(res, e.status, JSON.stringify({ success: false, errors: [{ code: e.code, message: e.message }], result: {} }));
      }
      send(res, 500, failureBody(2000, `Internal Error: ${(e as Error).message}`));
    }
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://mock.local');
    const full = url.pathname.replace(/\/+$/, '');
    const path = full.startsWith(RADAR_BASE_PATH) ? full.slice(RADAR_BASE_PATH.length) || '/' : full;
    const query = toQuery(url.searchParams);
    requests.push({ path, query, at: now() });
    const fault = faults.shift();
    const respond = () => {
      if (!fault || (fault.status === 200 && fault.body === undefined)) {
        if (fault?.headers) for (const [k, v] of Object.entries(fault.headers)) res.setHeader(k, v);
        return answer(req, res, full.startsWith(RADAR_BASE_PATH) ? path : '', query);
      }
      const [code, message] = STATUS_CODES[fault.status] ?? (fault.status >= 500 ? STATUS_CODES[500] : [2001, `HTTP ${fault.status}`]);
      send(res, fault.status, fault.body ?? failureBody(code, message), fault.headers);
    };
    if (fault?.delayMs) {
      const t = setTimeout(() => {
        timers.delete(t);
        respond();
      }, fault.delayMs);
      timers.add(t);
    } else respond();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}${RADAR_BASE_PATH}`,
    requests,
    injectFaults(list) {
      faults.push(...list.map((f) => ({ ...f })));
    },
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
