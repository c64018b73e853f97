/** Typed TypeScript face of Optuna: one long-lived Python process (bridge.py) answering JSON-line requests over stdio. */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as readline from 'readline';
import { ConfigError, TuneError } from '../errors';
import { log } from '../util/log';
import { prunerSpec, type PrunerName, type PrunerOptions, type PrunerSpec } from './pruners';

/** Interpreters tried, in order, when neither --python, RADARWATCH_PYTHON nor tune.python names one. */
export const DEFAULT_PYTHONS: readonly string[] = ['/usr/bin/python3', 'python3', 'python'];

/** How to get a working interpreter; part of every "no Optuna" error. */
export const OPTUNA_INSTALL_HELP =
  'Get one with `conda env create -f environment.yml` then `conda activate radarwatch`, or on Debian/Ubuntu `apt-get install python3-optuna`, ' +
  'then point RADARWATCH_PYTHON (or tune.python in models.yml, or --python) at an interpreter that can `import optuna`.';

/** A trial's final state as Optuna records it. */
export type TrialStateName = 'running' | 'complete' | 'pruned' | 'fail' | 'waiting';

/** One trial as stored in the study. */
export interface TrialRecord {
  number: number;
  state: TrialStateName;
  /** Objective value (for pruned trials Optuna stores the last reported value); null when none. */
  value: number | null;
  /** Sampled parameters by name. */
  params: Record<string, unknown>;
  /** Reported intermediate values as [step, value] pairs, ascending steps. */
  intermediate: [number, number | null][];
  userAttrs: Record<string, unknown>;
  /** ISO timestamps and duration in seconds; null while running. */
  start: string | null;
  complete: string | null;
  durationSeconds: number | null;
}

/** Parameter importances: normalised to sum 1; `method` says which estimator produced them. */
export interface ParamImportances {
  /** `fanova` (Optuna's default, needs scikit-learn), `eta-squared` (bridge fallback), `none` (under 2 complete trials). */
  method: 'fanova' | 'eta-squared' | 'none';
  values: Record<string, number>;
}

/** Options of createStudy. */
export interface StudyOptions {
  /** Study name inside the storage, e.g. `radarwatch-AT`. */
  name: string;
  /** SQLite file path (created with its folder) or an SQLAlchemy URL; omitted = in-memory. */
  storage?: string;
  direction?: 'minimize' | 'maximize';
  sampler?: { type: 'tpe' | 'random'; seed?: number; nStartupTrials?: number };
  /** A registered pruner name (see PRUNERS) or a ready spec. Default `none`. */
  pruner?: PrunerName | PrunerSpec;
  /** Needed by `hyperband`/`median` (maxResource = epochs per trial). */
  prunerOptions?: PrunerOptions;
  /** Resume a study of the same name in the same storage (default true). */
  loadIfExists?: boolean;
  /** Open an existing study read-only-ish (no sampler/pruner, never creates): for analysis. */
  loadOnly?: boolean;
  /** Mark trials left RUNNING by an interrupted session as failed (default true; one tuner per study). */
  failStaleRunning?: boolean;
  /** Study user attributes to set (e.g. the objective), merged into existing ones. */
  userAttrs?: Record<string, unknown>;
  /** Interpreter: overrides RADARWATCH_PYTHON and configPython. */
  python?: string;
  /** `tune.python` from models.yml. */
  configPython?: string;
  /** Interpreters tried when nothing names one (default DEFAULT_PYTHONS). */
  pythonCandidates?: readonly string[];
  /** A bridge call that takes longer than this kills the bridge and rejects (default 120 s). */
  callTimeoutMs?: number;
}

interface Pending {
  op: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer?: NodeJS.Timeout;
}

/** Version information the bridge reports at start-up. */
export interface BridgeInfo {
  optuna: string;
  python: string;
  executable: string;
}

/** Finds bridge.py next to this file (src/ run through tsx) or under the package root's src/tune (compiled dist/). */
export function bridgeScriptPath(): string {
  const tried: string[] = [path.join(__dirname, 'bridge.py')];
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      tried.push(path.join(dir, 'src', 'tune', 'bridge.py'));
      break;
    }
    dir = path.dirname(dir);
  }
  const found = tried.find((p) => fs.existsSync(p));
  if (!found) throw new TuneError(`Cannot find the Optuna bridge script; looked at ${tried.join(', ')}. Reinstall radarwatch (src/tune/bridge.py ships with it).`);
  return found;
}

/** The interpreters to try, in order, with where each came from. */
export function pythonCandidates(opts: Pick<StudyOptions, 'python' | 'configPython' | 'pythonCandidates'> = {}, env: NodeJS.ProcessEnv = process.env): { python: string; source: string }[] {
  if (opts.python) return [{ python: opts.python, source: '--python' }];
  if (env.RADARWATCH_PYTHON) return [{ python: env.RADARWATCH_PYTHON, source: 'RADARWATCH_PYTHON' }];
  if (opts.configPython) return [{ python: opts.configPython, source: 'tune.python in models.yml' }];
  return (opts.pythonCandidates ?? DEFAULT_PYTHONS).map((p) => ({ python: p, source: 'auto' }));
}

/** One running bridge process. Calls are matched to responses by id; a dead process rejects every call with a TuneError. */
export class OptunaBridge {
  info: BridgeInfo = { optuna: '', python: '', executable: '' };
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead?: TuneError;
  private closing = false;
  private exitInfo?: string;
  private readonly stderrTail: string[] = [];
  private readonly closed: Promise<void>;

  private constructor(
    readonly python: string,
    script: string,
    private readonly callTimeoutMs: number,
  ) {
    this.child = spawn(python, ['-u', script], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' } });
    readline.createInterface({ input: this.child.stdout! }).on('line', (l) => this.onLine(l));
    readline.createInterface({ input: this.child.stderr! }).on('line', (l) => {
      this.stderrTail.push(l);
      if (this.stderrTail.length > 30) this.stderrTail.shift();
      log.debug(`optuna-bridge: ${l}`);
    });
    // EPIPE when writing to a dead process surfaces through 'exit'/'close'; swallow it here so it cannot crash Node
    this.child.stdin!.on('error', () => {});
    this.child.on('error', (e: NodeJS.ErrnoException) => {
      this.fail(new TuneError(e.code === 'ENOENT' ? `interpreter "${python}" not found` : `cannot start "${python}": ${e.message}`));
    });
    this.child.on('exit', (code, signal) => {
      this.exitInfo = signal ? `signal ${signal}` : `exit code ${code}`;
      // stdout may still hold responses; 'close' settles them. The timer covers a grandchild keeping the pipes open.
      setTimeout(() => this.failOnExit(), 2000).unref();
    });
    this.closed = new Promise((resolve) => this.child.on('close', () => (this.failOnExit(), resolve())));
  }

  /** Starts `python bridge.py` and waits for its hello; rejects with TuneError when the interpreter is missing or lacks Optuna. */
  static async start(python: string, opts: { script?: string; callTimeoutMs?: number } = {}): Promise<OptunaBridge> {
    const b = new OptunaBridge(python, opts.script ?? bridgeScriptPath(), opts.callTimeoutMs ?? 120_000);
    try {
      b.info = (await b.await(0, 'hello')) as BridgeInfo;
    } catch (e) {
      b.child.kill('SIGKILL');
      throw e;
    }
    b.setRef(false);
    return b;
  }

  /** Process id of the Python process. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Sends one request; resolves with the result or rejects with TuneError (Python exception, dead process, timeout). */
  call<T>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    const p = this.await(id, op) as Promise<T>;
    this.child.stdin!.write(JSON.stringify({ id, op, args }) + '\n');
    return p;
  }

  /** Ends the process gracefully (stdin EOF), killing it if it does not exit within 5 s. */
  async close(): Promise<void> {
    if (this.closing) return this.closed;
    this.closing = true;
    if (!this.dead) {
      this.setRef(true);
      this.child.stdin!.end();
      const t = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await this.closed;
      clearTimeout(t);
    }
  }

  private await(id: number, op: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const entry: Pending = { op, resolve, reject };
      if (id !== 0) {
        entry.timer = setTimeout(() => {
          this.fail(new TuneError(`The Optuna bridge did not answer "${op}" within ${this.callTimeoutMs / 1000} s; it was stopped.${this.tail()}`));
          this.child.kill('SIGKILL');
        }, this.callTimeoutMs);
      }
      this.pending.set(id, entry);
      this.setRef(true);
    });
  }

  private onLine(line: string): void {
    let msg: { id: number; ok: boolean; result?: unknown; error?: { type: string; message: string } };
    try {
      msg = JSON.parse(line);
    } catch {
      log.warn(`optuna-bridge: ignoring a non-protocol line on stdout: ${line.slice(0, 200)}`);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) {
      log.warn(`optuna-bridge: response to unknown request ${msg.id}`);
      return;
    }
    this.settle(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else if (msg.id === 0) p.reject(new TuneError(`cannot import optuna: ${msg.error?.type}: ${msg.error?.message}`));
    else p.reject(new TuneError(`Optuna rejected "${p.op}": ${msg.error?.type}: ${msg.error?.message}`));
  }

  private settle(id: number): void {
    const p = this.pending.get(id);
    if (p?.timer) clearTimeout(p.timer);
    this.pending.delete(id);
    if (this.pending.size === 0) this.setRef(false);
  }

  private failOnExit(): void {
    if (this.dead) return;
    const how = this.exitInfo ?? 'closed its pipes';
    this.fail(new TuneError(`The Optuna bridge (${this.python}, pid ${this.child.pid}) ${this.closing ? 'was closed' : `died unexpectedly (${how})`}.${this.tail()}`));
  }

  private fail(err: TuneError): void {
    if (this.dead) return;
    this.dead = err;
    for (const [id, p] of [...this.pending]) {
      this.settle(id);
      p.reject(id === 0 ? new TuneError(`${err.message}`) : err);
    }
    this.setRef(false);
  }

  private tail(): string {
    return this.stderrTail.length ? ` Python stderr (last lines):\n${this.stderrTail.slice(-12).join('\n')}` : '';
  }

  /** Only keeps Node alive while a call is in flight, so a forgotten close() never hangs the program. */
  private setRef(on: boolean): void {
    const handles = [this.child, this.child.stdin, this.child.stdout, this.child.stderr] as unknown as { ref?: () => void; unref?: () => void }[];
    for (const h of handles) (on ? h?.ref : h?.unref)?.call(h);
  }
}

/** An asked trial. Suggestions are cached in `params` as sampled. */
export class Trial {
  readonly params: Record<string, unknown> = {};
  /** @internal */ told = false;
  constructor(
    private readonly study: Study,
    readonly number: number,
  ) {}

  /** Samples a float in [low, high], optionally on a log scale or a grid of `step`. */
  async suggestFloat(name: string, low: number, high: number, opts: { log?: boolean; step?: number } = {}): Promise<number> {
    return this.suggest(name, { kind: 'float', low, high, log: opts.log ?? false, step: opts.step ?? null }) as Promise<number>;
  }

  /** Samples an integer in [low, high] (inclusive). */
  async suggestInt(name: string, low: number, high: number, opts: { step?: number; log?: boolean } = {}): Promise<number> {
    return this.suggest(name, { kind: 'int', low, high, step: opts.step ?? 1, log: opts.log ?? false }) as Promise<number>;
  }

  /** Picks one of `choices` (strings, numbers, booleans or null). */
  async suggestCategorical<T extends string | number | boolean | null>(name: string, choices: readonly T[]): Promise<T> {
    return this.suggest(name, { kind: 'categorical', choices }) as Promise<T>;
  }

  /** Reports the intermediate objective value at `step` (an epoch number); pruners judge the trial on these. */
  async report(value: number, step: number): Promise<void> {
    if (!Number.isFinite(value)) throw new TuneError(`Trial ${this.number}: report() needs a finite value, got ${value} at step ${step}; tell the trial 'fail' instead`);
    await this.study.callTrial(this, 'report', { value, step });
  }

  /** Whether the study's pruner wants this trial stopped now. */
  async shouldPrune(): Promise<boolean> {
    return this.study.callTrial<boolean>(this, 'should_prune', {});
  }

  /** Stores a JSON value on the trial (shown by optuna-dashboard). */
  async setUserAttr(key: string, value: unknown): Promise<void> {
    await this.study.callTrial(this, 'set_user_attr', { key, value });
  }

  private async suggest(name: string, args: Record<string, unknown>): Promise<unknown> {
    const v = await this.study.callTrial(this, 'suggest', { name, ...args });
    this.params[name] = v;
    return v;
  }
}

/** An Optuna study behind the bridge. Close it when done (it ends the Python process). */
export class Study {
  /** @internal */
  constructor(
    readonly bridge: OptunaBridge,
    private readonly handle: number,
    readonly name: string,
    readonly direction: 'minimize' | 'maximize',
    /** Trials already in storage when opened (resumed studies have > 0). */
    readonly trialsAtOpen: number,
    /** Interrupted trials this open marked failed. */
    readonly staleFailed: number,
    readonly userAttrs: Record<string, unknown>,
    readonly storageUrl: string | undefined,
  ) {}

  /** Starts a new trial. */
  async ask(): Promise<Trial> {
    const r = await this.bridge.call<{ number: number }>('ask', { study: this.handle });
    return new Trial(this, r.number);
  }

  /** Finishes a trial with its objective value, or as pruned or failed. A non-finite value is told as a failure. */
  async tell(trial: Trial, outcome: number | 'pruned' | 'fail'): Promise<TrialRecord> {
    if (trial.told) throw new TuneError(`Trial ${trial.number} was already told`);
    let o = outcome;
    if (typeof o === 'number' && !Number.isFinite(o)) {
      await trial.setUserAttr('failReason', `objective was ${o}`);
      o = 'fail';
    }
    const rec = await this.callTrial<TrialRecord>(trial, 'tell', { outcome: o });
    trial.told = true;
    return rec;
  }

  /** The best complete trial, or undefined when none completed. */
  async bestTrial(): Promise<TrialRecord | undefined> {
    return (await this.bridge.call<TrialRecord | null>('best_trial', { study: this.handle })) ?? undefined;
  }

  /** Every trial in the study (all sessions), by number. */
  async trials(): Promise<TrialRecord[]> {
    return this.bridge.call<TrialRecord[]>('trials', { study: this.handle });
  }

  /** Importance of each parameter for the objective over complete trials (optuna.importance; eta² when scikit-learn is absent). */
  async paramImportances(): Promise<ParamImportances> {
    return this.bridge.call<ParamImportances>('importances', { study: this.handle });
  }

  /** Stores a JSON value on the study (e.g. the objective it optimises). */
  async setUserAttr(key: string, value: unknown): Promise<void> {
    await this.bridge.call('set_study_user_attr', { study: this.handle, key, value });
  }

  /** Ends the bridge process. Safe to call twice. */
  async close(): Promise<void> {
    await this.bridge.close();
  }

  /** @internal */
  callTrial<T>(trial: Trial, op: string, args: Record<string, unknown>): Promise<T> {
    if (trial.told) return Promise.reject(new TuneError(`Trial ${trial.number} is finished; it cannot ${op} any more`));
    return this.bridge.call<T>(op, { study: this.handle, trial: trial.number, ...args });
  }
}

/** `sqlite:///abs/path` for a file path; URLs (anything with `://`) pass through. */
export function storageUrl(storage: string): string {
  if (storage.includes('://')) return storage;
  const abs = path.resolve(storage);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  return `sqlite:///${abs}`;
}

/** Starts the first interpreter (see pythonCandidates) that can run the bridge; throws TuneError with install help when none can. */
export async function startBridge(opts: Pick<StudyOptions, 'python' | 'configPython' | 'pythonCandidates' | 'callTimeoutMs'> = {}): Promise<OptunaBridge> {
  const candidates = pythonCandidates(opts);
  const script = bridgeScriptPath();
  const failures: string[] = [];
  for (const c of candidates) {
    try {
      return await OptunaBridge.start(c.python, { script, callTimeoutMs: opts.callTimeoutMs });
    } catch (e) {
      failures.push(`${c.python}: ${(e as Error).message.split('\n')[0]}`);
      if (c.source !== 'auto') {
        throw new TuneError(`The Python interpreter "${c.python}" (from ${c.source}) cannot run the Optuna bridge: ${(e as Error).message}. ${OPTUNA_INSTALL_HELP}`);
      }
    }
  }
  throw new TuneError(`No Python interpreter with Optuna found (tried ${failures.join('; ')}). ${OPTUNA_INSTALL_HELP}`);
}

/**
 * Creates (or, with loadIfExists, resumes) an Optuna study in its own bridge process.
 * Throws TuneError when no interpreter has Optuna, ConfigError for an unknown pruner.
 */
export async function createStudy(opts: StudyOptions): Promise<Study> {
  const pruner: PrunerSpec | undefined =
    opts.pruner === undefined ? undefined : typeof opts.pruner === 'string' ? prunerSpec(opts.pruner, opts.prunerOptions ?? { maxResource: NaN }) : opts.pruner;
  if (opts.loadOnly && !opts.storage) throw new ConfigError(`Study "${opts.name}": loadOnly needs a storage to load from`);
  const url = opts.storage ? storageUrl(opts.storage) : undefined;
  const bridge = await startBridge(opts);
  try {
    const r = await bridge.call<{ study: number; name: string; direction: 'minimize' | 'maximize'; trials: number; staleFailed: number; userAttrs: Record<string, unknown> }>(
      'create_study',
      {
        name: opts.name,
        storage: url ?? null,
        direction: opts.direction ?? 'minimize',
        sampler: opts.sampler ?? { type: 'tpe' },
        pruner: pruner ?? null,
        loadIfExists: opts.loadIfExists ?? true,
        loadOnly: opts.loadOnly ?? false,
        failStaleRunning: opts.failStaleRunning ?? true,
        userAttrs: opts.userAttrs ?? {},
      },
    );
    return new Study(bridge, r.study, r.name, r.direction, r.trials, r.staleFailed, r.userAttrs, url);
  } catch (e) {
    await bridge.close();
    throw e;
  }
}
