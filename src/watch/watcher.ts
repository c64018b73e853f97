/**
 * The live watcher: each cycle fetches every watched country's newest complete hours, scores them once with the
 * saved calibrated model, advances the event lifecycle and records state and alerts atomically in SQLite; then
 * the outbox is delivered (stdout JSON lines, webhook). One country's failure never stops the others.
 */
import type { Calibration } from '../calibrate/calibrate';
import { loadCalibration } from '../calibrate/store';
import type { Config } from '../config/schema';
import { readProcessed, readProcessedMeta } from '../data/processed';
import type { CountryFrame, SignalKind } from '../data/types';
import { signalGapOf } from '../data/frame';
import { DAY_MS, describeStep, HOUR_MS } from '../base/time';
import { scoreRange, scoreRangeHistoryRows } from '../detect/detect';
import { featureHistoryRows } from '../features/spec';
import { loadCountryDetector } from '../detect/load';
import { ConfigError, DataError, InputError, isRadarwatchError } from '../errors';
import type { Detector } from '../model/artifact';
import { initBackend } from '../model/backend';
import { lastCompleteHour } from '../radar/windows';
import { log } from '../util/log';
import { printOutbox, deliverWebhook, type WebhookPass, type WebhookPolicy } from './deliver';
import { extendSeries, fetchLiveWindow, newestCompleteHour } from './feed';
import { advanceLifecycle, type LifecycleRules, type WatchHour } from './lifecycle';
import { acquireWatchLock, type WatchLock } from './lock';
import { openSource, type OpenSource } from './source';
import { defaultWatchDbPath, WatchStore, type CountryProgress, type StoredHour } from './store';
import type { DataStatus, WatchAlert } from './types';

/** Points where a test can simulate a crash (throw from `hook`). */
export type WatchStep = 'fetched' | 'scored' | 'committed' | 'printed' | 'delivered';

export interface WatcherOptions {
  cfg: Config;
  /** Countries to watch (validated codes). */
  countries: string[];
  /** Default: cfg.watch.source, else cfg.data.source. */
  source?: string;
  /** Radar API root for the `radar` source (e.g. a local mock). */
  baseUrl?: string;
  token?: string;
  /** Default results/watch/watch.db. */
  dbPath?: string;
  /** Webhook URL (default cfg.watch.webhook.url); none = stdout only. */
  webhook?: string;
  /**
   * The watcher's clock (epoch ms). Default: the wall clock for `radar`; for `synthetic`, a simulated clock kept
   * in the database that starts at `startMs` (else now) and advances by one period per cycle of run().
   */
  now?: () => number;
  /** Synthetic only: where the simulated clock starts (wins over a stored one). */
  startMs?: number;
  /** Where alerts are printed (default: stdout). */
  out?: (line: string) => void;
  /** Real sleeps: webhook backoff and the wait between cycles (injectable for tests). */
  sleep?: (ms: number) => Promise<void>;
  /** Called after each step; throwing simulates a crash there. */
  hook?: (step: WatchStep, country?: string) => void;
}

/** One country's part of a cycle. */
export interface CountryCycle {
  country: string;
  status: DataStatus;
  /** Newest hour with data after the cycle (ISO). */
  newestHour?: string;
  newHours: number;
  scoredHours: number;
  anomalousHours: number;
  alerts: number;
  seconds: number;
  error?: string;
}

export interface CycleReport {
  /** Watcher time of the cycle, ISO. */
  at: string;
  countries: CountryCycle[];
  alerts: number;
  seconds: number;
}

export interface DeliveryReport {
  printed: number;
  webhook?: WebhookPass;
}

interface CountryModel {
  det: Detector;
  cal: Calibration;
  history: number;
  kinds: Record<string, SignalKind>;
}

/** Parses a period such as `30s`, `15m`, `1h` into ms. */
export function parsePeriod(s: string, what = '--every'): number {
  const m = /^(\d+)(s|m|h)$/.exec(s.trim());
  if (!m || Number(m[1]) <= 0) throw new InputError(`Expected ${what} as a positive period such as 30s, 15m or 1h; got "${s}"`);
  return Number(m[1]) * { s: 1000, m: 60_000, h: HOUR_MS }[m[2] as 's' | 'm' | 'h'];
}

const SIM_NOW_KEY = 'sim_now';

/** The live watcher; open() loads the models, the state and the source. */
export class Watcher {
  readonly everyMs: number;
  private readonly rules = new Map<string, LifecycleRules>();
  private closed = false;
  private lock?: WatchLock;

  private constructor(
    readonly opts: WatcherOptions,
    readonly store: WatchStore,
    readonly source: OpenSource,
    private readonly models: Map<string, CountryModel>,
    private readonly clock: () => number,
    readonly simulated: boolean,
    readonly webhook?: WebhookPolicy,
  ) {
    this.everyMs = parsePeriod(opts.cfg.watch.every, 'watch.every');
    for (const [cc, m] of models) {
      this.rules.set(cc, { quietHours: opts.cfg.watch.quietHours, minEventHours: m.det.config.detect.minEventHours, confirmProbability: m.det.config.detect.confirmProbability, topSignals: m.det.config.detect.topSignals });
    }
  }

  /**
   * Takes the database's lock (one watcher per database: a second one fails with WatchLockedError naming the pid
   * that holds it), then loads each country's calibrated model, opens the state database and the source.
   */
  static async open(opts: WatcherOptions): Promise<Watcher> {
    const dbPath = opts.dbPath ?? defaultWatchDbPath();
    const lock = acquireWatchLock(dbPath);
    try {
      const w = await Watcher.openLocked({ ...opts, dbPath });
      w.lock = lock;
      return w;
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  private static async openLocked(opts: WatcherOptions): Promise<Watcher> {
    const cfg = opts.cfg;
    if (opts.countries.length === 0) throw new InputError('No countries to watch: expected at least one code such as AT, or "all"');
    const sourceName = opts.source ?? cfg.watch.source ?? cfg.data.source;
    await initBackend();
    const models = new Map<string, CountryModel>();
    try {
      for (const cc of opts.countries) {
        const det = await loadCountryDetector(cfg, cc);
        // the stored series, its fetch windows and the lifecycle count hours
        if (det.spec.stepMs !== HOUR_MS) {
          det.dispose();
          throw new DataError(`Cannot watch ${cc}: its model works on ${describeStep(det.spec.stepMs)} steps, but the watcher keeps an hourly series; watch an hourly model (data.aggInterval: 1h), or score ${describeStep(det.spec.stepMs)} data with \`radarwatch detect --live\``);
        }
        const cal = loadCalibration(det.dir, cc);
        // The detector's full history where the table has it; at most the rows the seasonal rule was fitted on, which is
        // all the history its validation rows had at calibration (a short table still starts, scoring as calibrated).
        const history = Math.min(scoreRangeHistoryRows(det, cal), Math.max(featureHistoryRows(det.spec), cal.seasonal?.fit.rows ?? 0));
        models.set(cc, { det, cal, history, kinds: Object.fromEntries(det.spec.signals.map((s) => [s.name, s.kind as SignalKind])) });
      }
    } catch (e) {
      for (const m of models.values()) m.det.dispose();
      throw e;
    }
    const store = WatchStore.open(opts.dbPath ?? defaultWatchDbPath());
    const url = opts.webhook ?? cfg.watch.webhook.url;
    store.webhookEnabled = url !== undefined;
    const webhook = url ? { url, ...cfg.watch.webhook } : undefined;
    let clock = opts.now;
    const simulated = !clock && sourceName === 'synthetic';
    if (simulated) {
      const stored = store.getMeta(SIM_NOW_KEY);
      if (opts.startMs !== undefined) store.setMeta(SIM_NOW_KEY, String(opts.startMs));
      else if (stored === undefined) store.setMeta(SIM_NOW_KEY, String(Date.now()));
      clock = () => Number(store.getMeta(SIM_NOW_KEY));
    } else if (opts.startMs !== undefined && !opts.now) {
      store.close();
      throw new ConfigError('A start time applies to the synthetic source only (the radar source watches the real clock)');
    }
    const now = clock ?? Date.now;
    let source: OpenSource;
    try {
      source = await openSource(sourceName, { cfg, now, baseUrl: opts.baseUrl, token: opts.token });
    } catch (e) {
      store.close();
      throw e;
    }
    return new Watcher(opts, store, source, models, now, simulated, webhook);
  }

  /** The watcher's current time, epoch ms. */
  now(): number {
    return this.clock();
  }

  /** Runs one cycle over every country (sequentially: scoring is CPU-bound and the API rate-limited). */
  async cycle(): Promise<CycleReport> {
    const t0 = performance.now();
    const nowMs = this.now();
    const countries: CountryCycle[] = [];
    for (const cc of this.opts.countries) countries.push(await this.advanceCountry(cc, nowMs));
    return { at: new Date(nowMs).toISOString(), countries, alerts: countries.reduce((a, c) => a + c.alerts, 0), seconds: (performance.now() - t0) / 1000 };
  }

  /** Delivers the outbox: prints unprinted alerts, then POSTs undelivered ones when a webhook is set. */
  async deliver(): Promise<DeliveryReport> {
    const out = this.opts.out ?? ((line: string) => void process.stdout.write(line + '\n'));
    const printed = printOutbox(this.store, (line) => {
      out(line);
    });
    this.opts.hook?.('printed');
    if (!this.webhook) return { printed };
    const webhook = await deliverWebhook(this.store, this.webhook, { sleep: this.opts.sleep, onDelivered: () => this.opts.hook?.('delivered') });
    if (webhook.pending > 0) log.warn(`watch: webhook ${this.webhook.url} failed (${webhook.lastError}); ${webhook.pending} alert(s) stay queued and are retried`);
    return { printed, webhook };
  }

  /**
   * Cycles until `signal` aborts (or once): deliver leftovers, then cycle → deliver → wait one period. With the
   * simulated clock, each cycle advances it by one period and the wait is the period divided by `speed`. While
   * webhook alerts are queued, the wait is cut to the webhook's longest backoff to retry them sooner.
   */
  async run(o: { once?: boolean; signal?: AbortSignal; speed?: number; maxCycles?: number; onCycle?: (r: CycleReport, d: DeliveryReport) => void } = {}): Promise<void> {
    const sleep = this.opts.sleep ?? ((ms: number) => abortableSleep(ms, o.signal));
    await this.deliver();
    for (let n = 1; !o.signal?.aborted; n++) {
      const report = await this.cycle();
      const delivery = await this.deliver();
      if (this.simulated) this.store.setMeta(SIM_NOW_KEY, String(this.now() + this.everyMs));
      o.onCycle?.(report, delivery);
      if (o.once || (o.maxCycles !== undefined && n >= o.maxCycles)) return;
      let wait = this.simulated ? this.everyMs / Math.max(1e-9, o.speed ?? 1) : this.everyMs;
      if (this.webhook && (delivery.webhook?.pending ?? 0) > 0) wait = Math.min(wait, this.webhook.maxBackoffMs);
      await sleep(wait);
    }
  }

  /** Releases the source, the models and the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.source.close();
      for (const m of this.models.values()) m.det.dispose();
      this.store.close();
    } finally {
      this.lock?.release();
    }
  }

  /**
   * Brings one country up to the newest complete hour, one fetch window at a time (the first run after a long
   * pause catches up in windows of data.chunkDays); each window is committed with its scores, events and alerts.
   * Then the data status is updated (late / missing / ok), alerting on changes.
   */
  private async advanceCountry(cc: string, nowMs: number): Promise<CountryCycle> {
    const t0 = performance.now();
    const m = this.models.get(cc) as CountryModel;
    const cfg = this.opts.cfg;
    const lastComplete = lastCompleteHour(nowMs);
    const overlap = Math.max(1, cfg.data.overlapHours);
    const chunkHours = cfg.data.chunkDays * 24;
    // history for the detector (features, seasonal rule, evidence windows), a week for seasonal gap filling, plus the overlap that carries the scale
    const keepHours = Math.max(m.history, 168) + overlap + 24;
    const res: CountryCycle = { country: cc, status: 'ok', newHours: 0, scoredHours: 0, anomalousHours: 0, alerts: 0, seconds: 0 };
    let reason: string | undefined;
    let missing = false;
    let p: CountryProgress | undefined;
    try {
      p = this.store.progress(cc) ?? (await this.seed(cc, m, lastComplete, nowMs, keepHours));
      while (p.lastStoredHour < lastComplete) {
        const fromMs = p.lastStoredHour - (overlap - 1) * HOUR_MS;
        const toMs = Math.min(lastComplete, Math.max(p.lastStoredHour + HOUR_MS, fromMs + (chunkHours - 1) * HOUR_MS));
        const live = await fetchLiveWindow(this.source.client, cc, fromMs, toMs, Object.keys(m.kinds));
        this.opts.hook?.('fetched', cc);
        const newest = newestCompleteHour(live);
        if (newest === undefined) {
          missing = true;
          reason = `Radar returned no traffic (http/netflows) points for ${cc} in ${new Date(fromMs).toISOString()}..${new Date(toMs).toISOString()}`;
          break;
        }
        if (newest <= p.lastStoredHour) break;
        const tail = this.store.series(cc, p.lastStoredHour - (keepHours - 1) * HOUR_MS);
        const added = extendSeries(tail, live, newest, m.kinds, cfg.data.fill);
        const scored = this.score(cc, m, p, [...tail, ...added]);
        this.opts.hook?.('scored', cc);
        // Neutral: Radar-unreliable, or every signal filled (one missing signal leaves the others' evidence).
        const nSignals = Object.keys(m.kinds).length;
        const neutral = new Map(added.map((h) => [h.hour, h.unreliable === 1 || (h.gap === 1 && (h.gapSignals === undefined || h.gapSignals.length >= nSignals))]));
        // An hour without a score (no signal observed, or no history yet) is neutral: stored, never evidence.
        const hours: WatchHour[] = scored.map(({ evidence, ...h }) =>
          h.scorable === false || !Number.isFinite(h.score) ? { ...h, score: 0, anomaly: false, neutral: true } : { ...h, evidence, neutral: neutral.get(h.timestamp) ?? false },
        );
        const step = advanceLifecycle(cc, this.store.currentEvent(cc), hours, this.rules.get(cc) as LifecycleRules, nowMs);
        this.store.commit({
          country: cc,
          series: added,
          scores: hours.map((h) => ({ hour: h.timestamp, score: h.score, evidence: h.evidence, threshold: h.threshold, anomaly: h.anomaly, neutral: h.neutral ?? false })),
          lastStoredHour: newest,
          lastScoredHour: Math.max(p.lastScoredHour, newest),
          events: step.touched,
          dropped: step.dropped,
          alerts: step.alerts,
          at: nowMs,
        });
        this.opts.hook?.('committed', cc);
        this.store.pruneSeries(cc, newest - keepHours * HOUR_MS);
        res.newHours += added.length;
        res.scoredHours += hours.length;
        res.anomalousHours += hours.filter((h) => h.anomaly && !h.neutral).length;
        res.alerts += step.alerts.length;
        p = this.store.progress(cc) as CountryProgress;
        if (newest < toMs) break; // the rest of the window is not in yet
      }
    } catch (e) {
      if (!isRadarwatchError(e)) throw e;
      missing = true;
      reason = e.message;
      log.warn(`watch ${cc}: ${e.message}`);
    }
    if (p) {
      const behind = Math.round((lastComplete - p.lastStoredHour) / HOUR_MS);
      const status: DataStatus = missing ? 'missing' : behind >= cfg.watch.lateAfterHours ? 'late' : 'ok';
      res.status = status;
      res.newestHour = new Date(p.lastStoredHour).toISOString();
      if (status !== p.status) {
        const type = status === 'ok' ? 'data_ok' : status === 'late' ? 'data_late' : 'data_missing';
        const alert: WatchAlert = {
          id: `${cc}/${type}/${new Date(nowMs).toISOString()}`,
          type,
          country: cc,
          at: new Date(nowMs).toISOString(),
          data: { status, newestHour: res.newestHour, hoursBehind: behind, ...(reason ? { reason } : {}) },
        };
        this.store.commit({ country: cc, status: { status, detail: reason }, alerts: [alert], at: nowMs });
        res.alerts++;
      }
    } else {
      res.status = 'missing';
    }
    if (reason) res.error = reason;
    res.seconds = (performance.now() - t0) / 1000;
    return res;
  }

  /**
   * First cycle of a country: its stored series starts from the tail of its processed table (on the training
   * scale by construction), ending at the newest hour that is both in the table and before the backfill window.
   * Only hours after max(that hour, now − backfillHours) are ever scored.
   */
  private async seed(cc: string, m: CountryModel, lastComplete: number, nowMs: number, keepHours: number): Promise<CountryProgress> {
    const cfg = this.opts.cfg;
    const meta = readProcessedMeta(cfg.data.processedDir, cc);
    if (this.opts.baseUrl === undefined && meta.source !== this.source.name) log.warn(`watch ${cc}: the processed table (and model) come from the "${meta.source}" source but the watcher reads "${this.source.name}"; scores may be off-scale`);
    const scoreFrom = lastComplete - cfg.watch.backfillHours * HOUR_MS;
    // Only the table's tail is needed: the keepHours up to the newest row at or before scoreFrom (a day of margin).
    const tableEnd = Date.parse(meta.to) + DAY_MS;
    const toMs = Number.isFinite(tableEnd) ? Math.min(scoreFrom + HOUR_MS, tableEnd) : scoreFrom + HOUR_MS;
    const frame = await readProcessed(cfg.data.processedDir, cc, { window: { fromMs: toMs - (keepHours + 24) * HOUR_MS, toMs } });
    let end = frame.timestamps.length - 1;
    while (end >= 0 && frame.timestamps[end] > scoreFrom) end--;
    const start = end + 1 - keepHours;
    if (start < 0) {
      throw new DataError(
        `Cannot start watching ${cc}: its processed table (${meta.from}..${meta.to}) needs ${keepHours} hours before ${new Date(scoreFrom + HOUR_MS).toISOString()} (feature history and stitching overlap). ` +
          `Preprocess a longer range, or start later.`,
      );
    }
    const history: StoredHour[] = [];
    for (let i = start; i <= end; i++) {
      const values: Record<string, number> = {};
      for (const s of Object.keys(m.kinds)) values[s] = frame.signals[s][i];
      history.push({ hour: frame.timestamps[i], values, gap: frame.gap[i], unreliable: frame.unreliable[i], ...(frame.signalGap ? { gapSignals: Object.keys(m.kinds).filter((s) => signalGapOf(frame, s)[i]) } : {}) });
    }
    log.info(`watch ${cc}: starting from the processed table at ${new Date(frame.timestamps[end]).toISOString()}; scoring hours after ${new Date(Math.max(frame.timestamps[end], scoreFrom)).toISOString()}`);
    return this.store.seed(cc, history, scoreFrom, nowMs);
  }

  /** Scores the hours of `rows` after the last scored hour (each exactly once); rows hold the feature history. */
  private score(cc: string, m: CountryModel, p: CountryProgress, rows: StoredHour[]) {
    const from = p.lastScoredHour + HOUR_MS;
    const last = rows[rows.length - 1].hour;
    if (from > last) return [];
    return scoreRange(toFrame(cc, rows, m.kinds), m.det, m.cal, from, last + HOUR_MS).hours;
  }
}

/** Stored hours as a CountryFrame (no labels: live hours are unlabelled). */
function toFrame(id: string, rows: StoredHour[], kinds: Record<string, SignalKind>): CountryFrame {
  const signalNames = Object.keys(kinds);
  const signals: Record<string, Float64Array> = {};
  for (const s of signalNames) signals[s] = Float64Array.from(rows, (r) => r.values[s]);
  return {
    id,
    timestamps: rows.map((r) => r.hour),
    signalNames,
    signalKinds: { ...kinds },
    signals,
    gap: Uint8Array.from(rows, (r) => r.gap),
    // Per-signal flags when every stored hour has them (hours stored before they existed make the whole window row-level).
    ...(rows.every((r) => r.gapSignals) ? { signalGap: Object.fromEntries(signalNames.map((s) => [s, Uint8Array.from(rows, (r) => (r.gapSignals!.includes(s) ? 1 : 0))])) } : {}),
    unreliable: Uint8Array.from(rows, (r) => r.unreliable),
    labelKind: rows.map(() => ''),
    labels: [],
  };
}

/** setTimeout that resolves early when `signal` aborts. */
function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
