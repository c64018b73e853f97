/**
 * Read-only views of the watcher's SQLite state for the server: the alerts written since a sequence number (for the
 * live stream) and each watched country's status, scores and announced events over a window (for the overview).
 * The watcher may run in another process; SQLite's WAL mode lets this reader see each commit as soon as it is made.
 */
import * as fs from 'fs';
import type { DataStatus, WatchAlert, WatchEvent } from './types';
import { peakHour, type HourPeak } from './peak';
import { openDatabase, type Database } from './sqlite';
import { hasColumn, unusableDb } from './store';

/** One outbox row as the stream sends it: its sequence number (the SSE id) and the alert. */
export interface SequencedAlert {
  seq: number;
  alert: WatchAlert;
}

/** A watched country over a window [from, to). Hours are epoch ms of the hour start. */
export interface WatchedCountry {
  country: string;
  status: DataStatus;
  statusDetail?: string;
  /** Newest hour with data, and newest scored hour (whole watch history, not only the window). */
  lastStoredHour: number;
  lastScoredHour: number;
  /** Scored hours in the window, and the anomalous ones among those not neutral (gap-filled or unreliable). */
  scoredHours: number;
  anomalousHours: number;
  /**
   * The most anomalous non-neutral hour in the window (peakHour: by evidence where the hours carry it, else by
   * probability), with its evidence (null for hours scored before the watcher kept it).
   */
  peak: HourPeak | null;
  /** Newest scored hour in the window. */
  last: { hour: number; probability: number; anomaly: boolean } | null;
}

/** Every watched country and the announced events (open, or closed and overlapping the window). */
export interface WatchWindow {
  countries: WatchedCountry[];
  events: WatchEvent[];
}

interface CountryRow {
  country: string;
  last_stored_hour: number;
  last_scored_hour: number;
  status: string;
  status_detail: string | null;
}

/**
 * A read-only connection to a watch database, opened on first use and reopened when the file is replaced (moved away
 * and recreated by a new watcher). A missing file, or one whose tables a watcher has not created yet, reads as "no
 * watcher" (undefined); a file SQLite cannot read is a DataError saying what to do.
 */
export class WatchReader {
  private db?: Database;
  private inode?: number;

  constructor(readonly file: string) {}

  /**
   * A token that changes whenever the watcher commits something the overview shows (an alert, or a country's progress
   * or status); undefined when there is no watch database.
   */
  version(): string | undefined {
    return this.read((db) => {
      const a = db.prepare('SELECT MAX(seq) AS seq FROM alerts').get() as { seq: number | null };
      const c = db.prepare('SELECT MAX(updated_at) AS at, COUNT(*) AS n FROM countries').get() as { at: number | null; n: number };
      return `${this.inode}:${a.seq ?? 0}:${c.at ?? 0}:${c.n}`;
    });
  }

  /** Sequence number of the newest alert (0 when none; undefined when there is no watch database). */
  latestSeq(): number | undefined {
    return this.read((db) => (db.prepare('SELECT MAX(seq) AS seq FROM alerts').get() as { seq: number | null }).seq ?? 0);
  }

  /** Alerts with a sequence number above `seq`, oldest first, at most `limit`. */
  alertsSince(seq: number, limit = 200): SequencedAlert[] {
    return (
      this.read((db) => {
        const rows = db.prepare('SELECT seq, payload FROM alerts WHERE seq > ? ORDER BY seq LIMIT ?').all(seq, limit) as { seq: number; payload: string }[];
        return rows.map((r) => ({ seq: r.seq, alert: JSON.parse(r.payload) as WatchAlert }));
      }) ?? []
    );
  }

  /** Newest stored hour (epoch ms) of each watched country; undefined when there is no watch database. */
  lastHours(): { country: string; lastStoredHour: number }[] | undefined {
    return this.read((db) => (db.prepare('SELECT country, last_stored_hour FROM countries ORDER BY country').all() as CountryRow[]).map((r) => ({ country: r.country, lastStoredHour: r.last_stored_hour })));
  }

  /**
   * Each watched country's status and scores in [fromMs, toMs), and the announced events overlapping it. `startOf`
   * may move a country's start later (the server counts only hours its detection service's table does not hold).
   */
  window(fromMs: number, toMs: number, startOf: (country: string) => number = () => fromMs): WatchWindow | undefined {
    return this.read((db) => {
      // a file the watcher has not migrated yet (an older watcher is running on it) has no evidence column: unknown
      const evidence = hasColumn(db, 'scores', 'evidence') ? 'evidence' : 'NULL';
      const agg = db.prepare(
        `SELECT COUNT(*) AS n, SUM(anomaly = 1 AND neutral = 0) AS a, MAX(CASE WHEN neutral = 0 THEN score END) AS p, MAX(CASE WHEN neutral = 0 THEN ${evidence} END) AS e
         FROM scores WHERE country = ? AND hour >= ? AND hour < ?`,
      );
      // The hours that can be the peak: those at the highest probability or with the most evidence. Over them peakHour
      // picks what it would over every hour of the window when all or none of them carry evidence; only where some do
      // (hours scored before the watcher kept it) may it pick another hour of the same probability.
      const candidates = db.prepare(
        `SELECT hour, score AS probability, ${evidence} AS evidence FROM scores
         WHERE country = ? AND hour >= ? AND hour < ? AND neutral = 0 AND (score = ? OR ${evidence} = ?) ORDER BY hour`,
      );
      const lastOf = db.prepare('SELECT hour, score, anomaly FROM scores WHERE country = ? AND hour >= ? AND hour < ? ORDER BY hour DESC LIMIT 1');
      const countries = (db.prepare('SELECT country, last_stored_hour, last_scored_hour, status, status_detail FROM countries ORDER BY country').all() as CountryRow[]).map(
        (r): WatchedCountry => {
          const start = Math.max(fromMs, startOf(r.country));
          const s = agg.get(r.country, start, toMs) as { n: number; a: number | null; p: number | null; e: number | null };
          const l = lastOf.get(r.country, start, toMs) as { hour: number; score: number; anomaly: number } | undefined;
          return {
            country: r.country,
            status: r.status as DataStatus,
            ...(r.status_detail ? { statusDetail: r.status_detail } : {}),
            lastStoredHour: r.last_stored_hour,
            lastScoredHour: r.last_scored_hour,
            scoredHours: s.n,
            anomalousHours: s.a ?? 0,
            peak: s.p === null ? null : peakHour(candidates.all(r.country, start, toMs, s.p, s.e) as HourPeak[]),
            last: l ? { hour: l.hour, probability: l.score, anomaly: l.anomaly === 1 } : null,
          };
        },
      );
      // The latest alert of each event carries the event as last announced. A closed event ends before it closed, so
      // closed_at < fromMs rules it out without reading its payload.
      const rows = db
        .prepare(
          `SELECT a.payload FROM events e JOIN alerts a ON a.seq = (SELECT MAX(seq) FROM alerts WHERE event_id = e.id)
           WHERE (e.state = 'open' OR (e.state = 'closed' AND e.closed_at >= ?)) AND e.start_hour < ? ORDER BY e.start_hour`,
        )
        .all(fromMs, toMs) as { payload: string }[];
      const events = rows
        .map((r) => (JSON.parse(r.payload) as WatchAlert).event)
        .filter((e): e is WatchEvent => e !== undefined && (e.status === 'open' || Date.parse(e.end) > fromMs));
      return { countries, events };
    });
  }

  /** Closes the connection (the next call opens it again). */
  close(): void {
    if (this.db?.open) this.db.close();
    this.db = undefined;
    this.inode = undefined;
  }

  /** Runs `fn` on the connection; undefined without a database; SQLite errors become DataErrors (and drop the connection). */
  private read<T>(fn: (db: Database) => T): T | undefined {
    let inode: number;
    try {
      inode = fs.statSync(this.file).ino;
    } catch {
      this.close();
      return undefined;
    }
    try {
      if (!this.db || this.inode !== inode) {
        this.close();
        this.db = openDatabase(this.file, { readonly: true });
        this.inode = inode;
      }
      if (!this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alerts'").get()) return undefined;
      return fn(this.db);
    } catch (e) {
      this.close();
      throw unusableDb(this.file, e);
    }
  }
}
