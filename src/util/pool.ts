/**
 * A pool of worker threads for per-series work (training, calibration): each worker takes the next task when it
 * finishes one (the wasm backend is single-threaded, so one worker per core uses a machine), and one task's failure —
 * an error, or even a crashed worker — never stops the others.
 */
import * as os from 'os';
import * as path from 'path';
import { parentPort, Worker, workerData } from 'worker_threads';

/** A task: the id it is reported under and what the worker gets. */
export interface PoolTask {
  id: string;
  payload?: unknown;
}

/** How a task ended (both members name both fields, so reading them needs no narrowing — tslab compiles loosely). */
export type TaskOutcome<R> = { ok: true; result: R; error?: undefined } | { ok: false; error: string; result?: undefined };

/** Messages from a worker. */
type FromWorker = { type: 'ready' } | { type: 'progress'; id: string; data: unknown } | ({ type: 'done'; id: string } & TaskOutcome<unknown>);

export interface PoolOptions<R> {
  /** The worker's entry file (a .ts file runs through tsx's require hook, a .js file as is). */
  file: string;
  /** What every worker gets as `workerData` (plain data). */
  workerData?: unknown;
  /** Workers at most (never more than tasks). */
  size: number;
  onProgress?(id: string, data: unknown): void;
  onDone(id: string, outcome: TaskOutcome<R>): void;
}

/** Workers for `tasks`: `requested` if > 0, else one per core; never more than tasks, at least 1. */
export function poolSize(tasks: number, requested = 0): number {
  const wanted = requested > 0 ? requested : (os.availableParallelism?.() ?? os.cpus().length);
  return Math.max(1, Math.min(tasks, wanted));
}

function spawn(file: string, data: unknown): Worker {
  return new Worker(file, { workerData: data, execArgv: path.extname(file) === '.ts' ? ['--require', require.resolve('tsx/cjs')] : [] });
}

/**
 * Runs `tasks` in up to `size` workers and resolves when every task has an outcome. A crashed worker fails its task
 * and a fresh worker takes the rest; a worker that cannot even start fails the waiting tasks instead of respawning
 * forever.
 */
export function runPool<R>(tasks: PoolTask[], o: PoolOptions<R>): Promise<void> {
  const queue = [...tasks];
  const runWorker = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const worker = spawn(o.file, o.workerData);
      let current: PoolTask | undefined;
      let ready = false;
      let startError: string | undefined;
      const fail = (t: PoolTask, error: string) => o.onDone(t.id, { ok: false, error });
      const next = () => {
        ready = true;
        current = queue.shift();
        if (current === undefined) {
          void worker.terminate().then(() => resolve());
          return;
        }
        worker.postMessage(current);
      };
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'ready') next();
        else if (m.type === 'progress') o.onProgress?.(m.id, m.data);
        else if (m.type === 'done') {
          o.onDone(m.id, m.ok ? { ok: true, result: m.result as R } : { ok: false, error: m.error ?? 'unknown error' });
          current = undefined;
          next();
        }
      });
      worker.on('error', (e) => {
        if (!ready) startError = e.message;
        if (current !== undefined) fail(current, `worker crashed: ${e.message}`);
        current = undefined;
      });
      worker.on('exit', (code) => {
        if (current !== undefined) fail(current, `worker exited with code ${code}`);
        current = undefined;
        if (!ready) {
          const why = `worker could not start (${startError ?? `exit code ${code}`})`;
          for (const t of queue.splice(0)) fail(t, why);
          resolve();
        } else if (queue.length) void runWorker().then(resolve);
        else resolve();
      });
    });
  if (tasks.length === 0) return Promise.resolve();
  return Promise.all(Array.from({ length: Math.max(1, Math.min(o.size, tasks.length)) }, runWorker)).then(() => undefined);
}

/**
 * In a worker thread: answers every task with `handler` (its `progress` reports back to the pool). A thrown error is
 * the task's outcome (`Name: message`), not the worker's end. The handler gets the worker's `workerData` too.
 */
export function serveTasks<D>(handler: (payload: unknown, data: D, progress: (p: unknown) => void) => Promise<unknown>): void {
  const port = parentPort;
  if (!port) return;
  const data = workerData as D;
  port.on('message', (task: PoolTask) => {
    // postMessage returns a boolean; keep it out of the handler's hands
    const send = (m: FromWorker): void => {
      port.postMessage(m);
    };
    void handler(task.payload, data, (p) => send({ type: 'progress', id: task.id, data: p })).then(
      (result) => send({ type: 'done', id: task.id, ok: true, result }),
      (e: Error) => send({ type: 'done', id: task.id, ok: false, error: `${e?.name ?? 'Error'}: ${e?.message ?? String(e)}` }),
    );
  });
  port.postMessage({ type: 'ready' } satisfies FromWorker);
}
