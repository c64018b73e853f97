/**
 * The heavy lane: long ranges and `include=series` answered by a second detection service in a worker thread, so
 * building and serializing a 90-day answer (tens of ms) never holds up `/api/health` or one-day requests on the
 * HTTP event loop. Bounded: the caller (server/app) bounds how many heavy requests are queued or running and refuses the rest.
 */
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { Config } from '../config/schema';
import type { AnomalyEvent } from '../detect/types';
import { log } from '../util/log';
import { HttpError } from './middleware';

/** A request to the worker (times in epoch ms). */
export interface LaneRequest {
  type: 'detect' | 'events';
  id: number;
  country: string;
  from: number;
  to: number;
  series: boolean;
}

interface LaneErrorInfo {
  name: string;
  message: string;
  status: number;
  code: string;
  typed: boolean;
}

/** What the worker answers: once `ready` (or why it could not start), then one reply per request id. */
export type LaneReply =
  | { ready: true; countries: string[]; error?: undefined }
  | { ready: false; error: LaneErrorInfo; countries?: undefined }
  | { id: number; body: Uint8Array }
  | { id: number; value: EventsValue }
  | { id: number; error: LaneErrorInfo };

/** `/api/events` without the watcher's alerts. */
export interface EventsValue {
  country: string;
  from: string;
  to: string;
  events: AnomalyEvent[];
}

/** A running heavy lane. */
export interface HeavyLane {
  /** True once the worker's service has loaded its models. */
  ready(): boolean;
  /** `starting` (loading models), `ready`, or `failed` (could not start or died: heavy requests then run on the main thread). */
  state(): 'starting' | 'ready' | 'failed';
  /** Requests queued or running in the worker. */
  inFlight(): number;
  /** The DetectResult JSON of a range, serialized in the worker. */
  detectJson(country: string, from: Date, to: Date, series: boolean): Promise<Uint8Array>;
  events(country: string, from: Date, to: Date): Promise<EventsValue>;
  close(): Promise<void>;
}

function toError(e: LaneErrorInfo): Error {
  // typed errors keep their status and message; anything else is a bug, reported as a generic 500 by the middleware
  return e.typed ? new HttpError(e.status, e.code, e.message) : new Error(`heavy lane: ${e.name}: ${e.message}`);
}

/**
 * Starts the worker: it loads every model the main service serves (`countries`) on its own. Failing to start is
 * logged, never fatal: the server keeps answering heavy requests on the main thread, bounded the same way.
 */
export function startHeavyLane(cfg: Config, opts: { countries?: string[] } = {}): HeavyLane {
  // From src/ (tsx) the entry is heavy-worker.ts and needs tsx's require hook; from dist/ it is plain heavy-worker.js.
  const ext = path.extname(__filename);
  const file = path.join(__dirname, `heavy-worker${ext}`);
  const worker = new Worker(file, { workerData: { cfg, countries: opts.countries }, execArgv: ext === '.ts' ? ['--require', require.resolve('tsx/cjs')] : [] });
  let isReady = false;
  let dead = false;
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: Uint8Array | EventsValue) => void; reject: (e: Error) => void }>();
  const fail = (why: string) => {
    dead = true;
    isReady = false;
    for (const p of pending.values()) p.reject(new HttpError(503, 'BUSY', `The heavy-request worker stopped (${why}); retry the request`));
    pending.clear();
  };
  worker.on('message', (m: LaneReply) => {
    if ('ready' in m) {
      if (m.ready) {
        isReady = true;
        const cc = m.countries ?? [];
        log.info(`serve: heavy-request worker ready (${cc.length > 12 ? `${cc.slice(0, 12).join(', ')}, … ${cc.length} in all` : cc.join(', ')})`);
      } else {
        const why = m.error?.message ?? 'no reason given';
        log.warn(`serve: heavy-request worker could not start (${why}); long ranges are answered on the main thread`);
        fail(why);
        void worker.terminate();
      }
      return;
    }
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (pending.size === 0) worker.unref();
    if ('error' in m) p.reject(toError(m.error));
    else if ('body' in m) p.resolve(m.body);
    else p.resolve(m.value);
  });
  worker.on('error', (e) => {
    log.warn(`serve: heavy-request worker failed: ${e.message}`);
    fail(e.message);
  });
  worker.on('exit', (code) => fail(`exit code ${code}`));
  worker.unref();

  const ask = <T extends Uint8Array | EventsValue>(req: Omit<LaneRequest, 'id'>): Promise<T> => {
    if (dead || !isReady) return Promise.reject(new HttpError(503, 'BUSY', 'The heavy-request worker is not ready; retry shortly'));
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: Uint8Array | EventsValue) => void, reject });
      // an idle worker never keeps the process alive; one with work does, until the answer is in
      worker.ref();
      worker.postMessage({ ...req, id } satisfies LaneRequest);
    });
  };
  return {
    ready: () => isReady && !dead,
    state: () => (dead ? 'failed' : isReady ? 'ready' : 'starting'),
    inFlight: () => pending.size,
    detectJson: (country, from, to, series) => ask<Uint8Array>({ type: 'detect', country, from: from.getTime(), to: to.getTime(), series }),
    events: (country, from, to) => ask<EventsValue>({ type: 'events', country, from: from.getTime(), to: to.getTime(), series: false }),
    async close() {
      if (dead) return;
      dead = true;
      // the worker holds only tensors and tables: stopping it outright is safe, and terminate() settles even when
      // the thread is already on its way out
      for (const p of pending.values()) p.reject(new HttpError(503, 'BUSY', 'The server is shutting down'));
      pending.clear();
      await worker.terminate();
    },
  };
}
