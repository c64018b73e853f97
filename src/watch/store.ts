/**
 * The watcher's durable state in SQLite (results/watch/watch.db): per-country progress, the scaled hourly series
 * behind the features, scored hours, live events and the outbox of alerts. Every state change and the alerts it
 * causes are written in one transaction, so a restart neither re-scores an hour nor loses or repeats an alert.
 */
import * as fs from 'fs';
import * as path from 'path';
import { resultDirs } from '../data/paths';
import type { ScoredHour } from '../detect/types';
import { DataError } from '../errors';
import { log } from '../util/log';
import type { LiveEvent } from './lifecycle';
import { openDatabase, type Database } from './sqlite';
import type { AlertType, DataStatus, WatchAlert, WatchEvent } from './types';

/** Bumped when the tables change incompatibly. */
export const WATCH_DB_VERSION = 1;

/** Default database file: results/watch/watch.db. */
export function defaultWatchDbPath(): string {
  return path.join(resultDirs.watch(), 'watch.db');
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- One row per watched country. Every hour <= last_stored_hour is in series; every hour in
-- (score_from, last_scored_hour] has been scored exactly once (hours up to score_from are history only).
CREATE TABLE IF NOT EXISTS countries (
  country TEXT PRIMARY KEY,
  last_stored_hour INTEGER NOT NULL,
  last_scored_hour INTEGER NOT NULL,
  score_from INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'ok',
  status_detail TEXT,
  updated_at INTEGER NOT NULL
);
-- Hourly signal values on the model's training scale (JSON object by signal), gap-filled and flagged; gap_signals
-- names the filled signals ('http|l7'; NULL in databases written before it existed: then every signal counts as filled).
CREATE TABLE IF NOT EXISTS series (
  country TEXT NOT NULL, hour INTEGER NOT NULL, vals TEXT NOT NULL, gap INTEGER NOT NULL, unreliable INTEGER NOT NULL,
  gap_signals TEXT,
  PRIMARY KEY (country, hour)
) WITHOUT ROWID;
-- One row per scored hour; the primary key makes scoring an hour twice fail loudly. evidence: decades (−log10 of the
-- hour's tail probability, ScoredHour.evidence); it keeps ordering hours whose probability rounds to 1. NULL where
-- unknown: no finite evidence, or scored before the column existed.
CREATE TABLE IF NOT EXISTS scores (
  country TEXT NOT NULL, hour INTEGER NOT NULL, score REAL NOT NULL, threshold REAL NOT NULL, anomaly INTEGER NOT NULL, neutral INTEGER NOT NULL,
  evidence REAL,
  PRIMARY KEY (country, hour)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY, country TEXT NOT NULL, state TEXT NOT NULL, start_hour INTEGER NOT NULL,
  quiet INTEGER NOT NULL, revision INTEGER NOT NULL, announced TEXT, opened_at INTEGER, closed_at INTEGER, updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_country ON events (country, start_hour);
-- An event's anomalous hours, so a restarted watcher summarises the event as before (evidence as in scores).
CREATE TABLE IF NOT EXISTS event_hours (
  event_id TEXT NOT NULL, hour INTEGER NOT NULL, score REAL NOT NULL, threshold REAL NOT NULL, signals TEXT NOT NULL, direction TEXT NOT NULL,
  evidence REAL,
  PRIMARY KEY (event_id, hour)
) WITHOUT ROWID;
-- The outbox: written with the state change that caused the alert, delivered afterwards.
-- webhook: none (no webhook when created) | pending | delivered.
CREATE TABLE IF NOT EXISTS alerts (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, country TEXT NOT NULL, type TEXT NOT NULL, event_id TEXT,
  created_at INTEGER NOT NULL, payload TEXT NOT NULL, printed_at INTEGER,
  webhook TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, delivered_at INTEGER
);
CREATE INDEX IF NOT EXISTS alerts_webhook ON alerts (webhook, seq);
CREATE INDEX IF NOT EXISTS alerts_by_event ON alerts (event_id, seq);
`;

/**
 * Columns added to the tables after files of this version were written, oldest first. Each is nullable, so opening an
 * older file adds it in place (ALTER TABLE … ADD COLUMN; the rows already there keep NULL = unknown, nothing is
 * rewritten) and the version stays: an older radarwatch names the columns it writes and reads, so it still works on a
 * migrated file. A change older files cannot take this way bumps WATCH_DB_VERSION instead.
 */
export const ADDED_COLUMNS: readonly { table: string; column: string; type: string }[] = [
  { table: 'series', column: 'gap_signals', type: 'TEXT' },
  { table: 'scores', column: 'evidence', type: 'REAL' },
  { table: 'event_hours', column: 'evidence', type: 'REAL' },
];

/** Whether `table` of `db` has `column` (false for a missing table). */
export function hasColumn(db: Database, table: string, column: string): boolean {
  return (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).some((c) => c.name === column);
}

/** Adds the ADDED_COLUMNS an older file lacks, in one transaction; returns them as `table.column`. */
export function migrateWatchDb(db: Database): string[] {
  const missing = ADDED_COLUMNS.filter((c) => !hasColumn(db, c.table, c.column));
  db.transaction(() => {
    for (const c of missing) db.exec(`ALTER TABLE ${c.table} ADD COLUMN ${c.column} ${c.type}`);
  })();
  return missing.map((c) => `${c.table}.${c.column}`);
}

/** Evidence as stored: finite, else NULL (unknown). */
const evidenceIn = (e: number | undefined): number | null => (e !== undefined && Number.isFinite(e) ? e : null);
/** A stored evidence column as an optional field: absent where NULL (unknown). */
const evidenceField = (e: number | null): { evidence?: number } => (e === null ? {} : { evidence: e });

/** A country's progress. Hours are epoch ms of the hour start. */
export interface CountryProgress {
  country: string;
  lastStoredHour: number;
  lastScoredHour: number;
  scoreFrom: number;
  status: DataStatus;
  statusDetail?: string;
}

/** One stored hour of the series. */
export interface StoredHour {
  hour: number;
  values: Record<string, number>;
  gap: number;
  unreliable: number;
  /** Signals that were missing and filled (empty when none); absent when unknown (every signal counts as filled on a gap hour). */
  gapSignals?: string[];
}

/** A scored hour as stored (with its neutral flag). */
export interface StoredScore {
  hour: number;
  score: number;
  /** Evidence in decades (ScoredHour.evidence); absent where unknown (not finite, or scored before it was kept). */
  evidence?: number;
  threshold: number;
  anomaly: boolean;
  neutral: boolean;
}

/** An outbox row. */
export interface OutboxRow {
  seq: number;
  id: string;
  country: string;
  type: AlertType;
  createdAt: number;
  payload: string;
  printedAt?: number;
  webhook: 'none' | 'pending' | 'delivered';
  attempts: number;
  lastError?: string;
  deliveredAt?: number;
}

/** Everything one step of one country changes, committed atomically. */
export interface CountryCommit {
  country: string;
  /** New series hours (after the stored ones). */
  series?: StoredHour[];
  /** Newly scored hours. */
  scores?: StoredScore[];
  lastStoredHour?: number;
  lastScoredHour?: number;
  /** Events to upsert (with all their anomalous hours) and pending ones to delete. */
  events?: LiveEvent[];
  dropped?: LiveEvent[];
  status?: { status: DataStatus; detail?: string };
  alerts?: WatchAlert[];
  /** Watcher time of the step. */
  at: number;
}

interface CountryRow {
  country: string;
  last_stored_hour: number;
  last_scored_hour: number;
  score_from: number;
  status: string;
  status_detail: string | null;
}

interface AlertRow {
  seq: number;
  id: string;
  country: string;
  type: string;
  created_at: number;
  payload: string;
  printed_at: number | null;
  webhook: string;
  attempts: number;
  last_error: string | null;
  delivered_at: number | null;
}

/** The watcher's SQLite state. One writer (the watcher); readers (the server) open it read-only. */
export class WatchStore {
  private constructor(
    readonly db: Database,
    readonly file: string,
    /** Whether new alerts are queued for a webhook. */
    public webhookEnabled = false,
  ) {}

  /** Opens or creates the database at `file`: creates missing tables and adds missing columns (migrateWatchDb). */
  static open(file: string = defaultWatchDbPath()): WatchStore {
    let db: Database | undefined;
    let v: string | undefined;
    try {
      db = openDatabase(file);
      const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get() !== undefined;
      v = hasMeta ? (db.prepare('SELECT value FROM meta WHERE key = ?').get('version') as { value: string } | undefined)?.value : undefined;
    } catch (e) {
      if (db?.open) db.close();
      throw unusableDb(file, e);
    }
    // a file of another version is refused before anything in it changes
    if (v !== undefined && Number(v) !== WATCH_DB_VERSION) {
      db.close();
      throw new DataError(`${file} has watch state version ${v}; this radarwatch expects ${WATCH_DB_VERSION}. Move the file away to start watching afresh.`);
    }
    try {
      db.exec(SCHEMA);
      if (v === undefined) db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('version', String(WATCH_DB_VERSION));
      const added = migrateWatchDb(db);
      if (added.length) log.info(`${file}: added ${added.join(', ')} in place (rows stored before keep them unknown)`);
    } catch (e) {
      db.close();
      throw unusableDb(file, e);
    }
    return new WatchStore(db, file);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  getMeta(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  progress(country: string): CountryProgress | undefined {
    const r = this.db.prepare('SELECT * FROM countries WHERE country = ?').get(country) as CountryRow | undefined;
    if (!r) return undefined;
    return { country: r.country, lastStoredHour: r.last_stored_hour, lastScoredHour: r.last_scored_hour, scoreFrom: r.score_from, status: r.status as DataStatus, statusDetail: r.status_detail ?? undefined };
  }

  /** Starts a country from seed history (e.g. the tail of its processed table): nothing up to `scoreFrom` is scored. */
  seed(country: string, history: StoredHour[], scoreFrom: number, at: number): CountryProgress {
    if (history.length === 0) throw new DataError(`No history to start watching ${country} from`);
    const last = history[history.length - 1].hour;
    this.db.transaction(() => {
      this.insertSeries(country, history);
      this.db
        .prepare('INSERT INTO countries (country, last_stored_hour, last_scored_hour, score_from, status, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(country, last, Math.max(last, scoreFrom), Math.max(last, scoreFrom), 'ok', at);
    })();
    return this.progress(country) as CountryProgress;
  }

  /** Stored series hours of `country` in [fromHour, toHour], ascending. */
  series(country: string, fromHour: number, toHour = Number.MAX_SAFE_INTEGER): StoredHour[] {
    const rows = this.db.prepare('SELECT hour, vals, gap, unreliable, gap_signals FROM series WHERE country = ? AND hour >= ? AND hour <= ? ORDER BY hour').all(country, fromHour, toHour) as {
      hour: number;
      vals: string;
      gap: number;
      unreliable: number;
      gap_signals: string | null;
    }[];
    return rows.map((r) => ({
      hour: r.hour,
      values: JSON.parse(r.vals) as Record<string, number>,
      gap: r.gap,
      unreliable: r.unreliable,
      ...(r.gap_signals === null ? {} : { gapSignals: r.gap_signals === '' ? [] : r.gap_signals.split('|') }),
    }));
  }

  /** Scored hours of `country` in [fromHour, toHour], ascending. */
  scores(country: string, fromHour = 0, toHour = Number.MAX_SAFE_INTEGER): StoredScore[] {
    const rows = this.db.prepare('SELECT hour, score, evidence, threshold, anomaly, neutral FROM scores WHERE country = ? AND hour >= ? AND hour <= ? ORDER BY hour').all(country, fromHour, toHour) as {
      hour: number;
      score: number;
      evidence: number | null;
      threshold: number;
      anomaly: number;
      neutral: number;
    }[];
    return rows.map((r) => ({ hour: r.hour, score: r.score, ...evidenceField(r.evidence), threshold: r.threshold, anomaly: r.anomaly === 1, neutral: r.neutral === 1 }));
  }

  /** The open or pending event of `country`, with its anomalous hours. */
  currentEvent(country: string): LiveEvent | undefined {
    const r = this.db.prepare("SELECT * FROM events WHERE country = ? AND state IN ('pending', 'open') ORDER BY start_hour DESC LIMIT 1").get(country) as
      | { id: string; state: LiveEvent['state']; quiet: number; revision: number; announced: string | null; opened_at: number | null; closed_at: number | null }
      | undefined;
    if (!r) return undefined;
    const hours = (this.db.prepare('SELECT hour, score, evidence, threshold, signals, direction FROM event_hours WHERE event_id = ? ORDER BY hour').all(r.id) as {
      hour: number;
      score: number;
      evidence: number | null;
      threshold: number;
      signals: string;
      direction: string;
    }[]).map(
      (h): ScoredHour => ({
        timestamp: h.hour,
        score: h.score,
        ...evidenceField(h.evidence),
        threshold: h.threshold,
        anomaly: true,
        signals: JSON.parse(h.signals) as Record<string, number>,
        direction: JSON.parse(h.direction) as Record<string, number>,
      }),
    );
    return {
      id: r.id,
      country,
      state: r.state,
      hours,
      quiet: r.quiet,
      revision: r.revision,
      announced: r.announced ? JSON.parse(r.announced) : undefined,
      openedAt: r.opened_at ?? undefined,
      closedAt: r.closed_at ?? undefined,
    };
  }

  /**
   * Applies one step of one country in a single transaction: series, scores, progress, events, status and the
   * alerts they cause (queued for stdout and, when enabled, the webhook).
   */
  commit(c: CountryCommit): void {
    this.db.transaction(() => {
      if (c.series?.length) this.insertSeries(c.country, c.series);
      if (c.scores?.length) {
        const ins = this.db.prepare('INSERT INTO scores (country, hour, score, threshold, anomaly, neutral, evidence) VALUES (?, ?, ?, ?, ?, ?, ?)');
        for (const s of c.scores) ins.run(c.country, s.hour, s.score, s.threshold, s.anomaly ? 1 : 0, s.neutral ? 1 : 0, evidenceIn(s.evidence));
      }
      const set: [string, unknown][] = [['updated_at', c.at]];
      if (c.lastStoredHour !== undefined) set.push(['last_stored_hour', c.lastStoredHour]);
      if (c.lastScoredHour !== undefined) set.push(['last_scored_hour', c.lastScoredHour]);
      if (c.status) set.push(['status', c.status.status], ['status_detail', c.status.detail ?? null]);
      const sets = set.map(([k]) => `${k} = ?`);
      const args = set.map(([, v]) => v);
      const changed = this.db.prepare(`UPDATE countries SET ${sets.join(', ')} WHERE country = ?`).run(...args, c.country).changes;
      if (changed !== 1) throw new DataError(`Watch state has no row for ${c.country}; it must be seeded first`);
      for (const ev of c.dropped ?? []) {
        this.db.prepare('DELETE FROM event_hours WHERE event_id = ?').run(ev.id);
        this.db.prepare('DELETE FROM events WHERE id = ?').run(ev.id);
      }
      for (const ev of c.events ?? []) this.upsertEvent(ev, c.at);
      for (const a of c.alerts ?? []) this.insertAlert(a, c.at);
    })();
  }

  /** Drops series hours of `country` older than `beforeHour` (features only need a bounded history). */
  pruneSeries(country: string, beforeHour: number): number {
    return this.db.prepare('DELETE FROM series WHERE country = ? AND hour < ?').run(country, beforeHour).changes;
  }

  /** Outbox rows not yet printed, oldest first. */
  unprinted(): OutboxRow[] {
    return (this.db.prepare('SELECT * FROM alerts WHERE printed_at IS NULL ORDER BY seq').all() as AlertRow[]).map(toOutbox);
  }

  markPrinted(seq: number, at: number): void {
    this.db.prepare('UPDATE alerts SET printed_at = ? WHERE seq = ?').run(at, seq);
  }

  /** Outbox rows waiting for the webhook, oldest first. */
  undelivered(): OutboxRow[] {
    return (this.db.prepare("SELECT * FROM alerts WHERE webhook = 'pending' ORDER BY seq").all() as AlertRow[]).map(toOutbox);
  }

  /** Records one webhook attempt; a 2xx marks the row delivered. */
  recordAttempt(seq: number, ok: boolean, at: number, error?: string): void {
    if (ok) this.db.prepare("UPDATE alerts SET webhook = 'delivered', attempts = attempts + 1, delivered_at = ?, last_error = NULL WHERE seq = ?").run(at, seq);
    else this.db.prepare('UPDATE alerts SET attempts = attempts + 1, last_error = ? WHERE seq = ?').run(error ?? 'failed', seq);
  }

  /** Every outbox row, oldest first (for status output and tests). */
  alerts(country?: string): OutboxRow[] {
    const rows = country ? this.db.prepare('SELECT * FROM alerts WHERE country = ? ORDER BY seq').all(country) : this.db.prepare('SELECT * FROM alerts ORDER BY seq').all();
    return (rows as AlertRow[]).map(toOutbox);
  }

  /** Announced events (open or closed) of `country` overlapping [fromMs, toMs), by start. */
  events(country: string, fromMs = 0, toMs = Number.MAX_SAFE_INTEGER): WatchEvent[] {
    return readEvents(this.db, country, fromMs, toMs);
  }

  private insertSeries(country: string, rows: StoredHour[]): void {
    const ins = this.db.prepare('INSERT INTO series (country, hour, vals, gap, unreliable, gap_signals) VALUES (?, ?, ?, ?, ?, ?)');
    for (const r of rows) ins.run(country, r.hour, JSON.stringify(r.values), r.gap, r.unreliable, r.gapSignals ? r.gapSignals.join('|') : null);
  }

  private upsertEvent(ev: LiveEvent, at: number): void {
    this.db
      .prepare(
        `INSERT INTO events (id, country, state, start_hour, quiet, revision, announced, opened_at, closed_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET state = excluded.state, quiet = excluded.quiet, revision = excluded.revision, announced = excluded.announced,
           opened_at = excluded.opened_at, closed_at = excluded.closed_at, updated_at = excluded.updated_at`,
      )
      .run(ev.id, ev.country, ev.state, ev.hours[0].timestamp, ev.quiet, ev.revision, ev.announced ? JSON.stringify(ev.announced) : null, ev.openedAt ?? null, ev.closedAt ?? null, at);
    const ins = this.db.prepare('INSERT OR IGNORE INTO event_hours (event_id, hour, score, threshold, signals, direction, evidence) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const h of ev.hours) ins.run(ev.id, h.timestamp, h.score, h.threshold, JSON.stringify(h.signals), JSON.stringify(h.direction), evidenceIn(h.evidence));
  }

  private insertAlert(a: WatchAlert, at: number): void {
    this.db
      .prepare('INSERT INTO alerts (id, country, type, event_id, created_at, payload, webhook) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(a.id, a.country, a.type, a.event?.id ?? null, at, JSON.stringify(a), this.webhookEnabled ? 'pending' : 'none');
  }
}

function toOutbox(r: AlertRow): OutboxRow {
  return {
    seq: r.seq,
    id: r.id,
    country: r.country,
    type: r.type as AlertType,
    createdAt: r.created_at,
    payload: r.payload,
    printedAt: r.printed_at ?? undefined,
    webhook: r.webhook as OutboxRow['webhook'],
    attempts: r.attempts,
    lastError: r.last_error ?? undefined,
    deliveredAt: r.delivered_at ?? undefined,
  };
}

/**
 * Announced events of `country` overlapping [fromMs, toMs): each one's latest alert payload carries its view
 * (the event as last announced), so the server shows exactly what was sent.
 */
function readEvents(db: Database, country: string, fromMs: number, toMs: number): WatchEvent[] {
  const rows = db
    .prepare(
      `SELECT a.payload FROM events e JOIN alerts a ON a.seq = (SELECT MAX(seq) FROM alerts WHERE event_id = e.id)
       WHERE e.country = ? AND e.state IN ('open', 'closed') AND e.start_hour < ? ORDER BY e.start_hour`,
    )
    .all(country, toMs) as { payload: string }[];
  const events = rows.map((r) => (JSON.parse(r.payload) as WatchAlert).event).filter((e): e is WatchEvent => e !== undefined);
  // An open event extends to "now"; a closed one ends at its last anomalous hour + 1 h.
  return events.filter((e) => e.status === 'open' || Date.parse(e.end) > fromMs);
}

/** A DataError for a database SQLite cannot use (not a database, malformed pages, unreadable), saying what to do. */
export function unusableDb(file: string, e: unknown): DataError {
  if (e instanceof DataError) return e;
  const why = (e as Error)?.message ?? String(e);
  return new DataError(`${file} is not a usable watch database (${why}); move it away (e.g. to ${path.basename(file)}.broken) and restart \`radarwatch watch\` to start afresh`);
}

/**
 * Announced watch events of `country` in [fromMs, toMs) from the database at `file`, or undefined when there is
 * no such file (nobody has run `radarwatch watch`). Opens read-only, so it never blocks the watcher. A corrupt or
 * unreadable database is a DataError (see unusableDb), never a raw SQLite error.
 */
export function readWatchEvents(file: string, country: string, fromMs: number, toMs: number): WatchEvent[] | undefined {
  if (!fs.existsSync(file)) return undefined;
  let db: Database | undefined;
  try {
    db = openDatabase(file, { readonly: true });
    const hasTables = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get();
    return hasTables ? readEvents(db, country, fromMs, toMs) : [];
  } catch (e) {
    throw unusableDb(file, e);
  } finally {
    if (db?.open) db.close();
  }
}

/**
 * Whether the database at `file` can be read: undefined when it can (or does not exist), else the one-line problem.
 * Runs SQLite's quick_check, so a file that opens but has damaged pages is caught too. For the server's health.
 */
export function probeWatchDb(file: string): string | undefined {
  if (!fs.existsSync(file)) return undefined;
  let db: Database | undefined;
  try {
    db = openDatabase(file, { readonly: true });
    const rows = db.prepare('PRAGMA quick_check(1)').all() as { quick_check: string }[];
    const first = rows[0]?.quick_check;
    if (first !== 'ok') throw new Error(`quick_check: ${first ?? 'no answer'}`);
    return undefined;
  } catch (e) {
    return unusableDb(file, e).message;
  } finally {
    if (db?.open) db.close();
  }
}
