/**
 * Test fixture: a watch database as the first release wrote it (its tables verbatim: no series.gap_signals, no
 * evidence columns), holding a watched country with history, scored hours and an open event with its alert.
 */
import { HOUR_MS } from '../../src/base/time';
import { openDatabase } from '../../src/watch/sqlite';

const FIRST_RELEASE_SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS countries (
  country TEXT PRIMARY KEY,
  last_stored_hour INTEGER NOT NULL,
  last_scored_hour INTEGER NOT NULL,
  score_from INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'ok',
  status_detail TEXT,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS series (
  country TEXT NOT NULL, hour INTEGER NOT NULL, vals TEXT NOT NULL, gap INTEGER NOT NULL, unreliable INTEGER NOT NULL,
  PRIMARY KEY (country, hour)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS scores (
  country TEXT NOT NULL, hour INTEGER NOT NULL, score REAL NOT NULL, threshold REAL NOT NULL, anomaly INTEGER NOT NULL, neutral INTEGER NOT NULL,
  PRIMARY KEY (country, hour)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY, country TEXT NOT NULL, state TEXT NOT NULL, start_hour INTEGER NOT NULL,
  quiet INTEGER NOT NULL, revision INTEGER NOT NULL, announced TEXT, opened_at INTEGER, closed_at INTEGER, updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_country ON events (country, start_hour);
CREATE TABLE IF NOT EXISTS event_hours (
  event_id TEXT NOT NULL, hour INTEGER NOT NULL, score REAL NOT NULL, threshold REAL NOT NULL, signals TEXT NOT NULL, direction TEXT NOT NULL,
  PRIMARY KEY (event_id, hour)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS alerts (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, country TEXT NOT NULL, type TEXT NOT NULL, event_id TEXT,
  created_at INTEGER NOT NULL, payload TEXT NOT NULL, printed_at INTEGER,
  webhook TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, delivered_at INTEGER
);
CREATE INDEX IF NOT EXISTS alerts_webhook ON alerts (webhook, seq);
CREATE INDEX IF NOT EXISTS alerts_by_event ON alerts (event_id, seq);
`;

/** Tables of the first release, for counting their rows. */
export const FIRST_RELEASE_TABLES = ['meta', 'countries', 'series', 'scores', 'events', 'event_hours', 'alerts'];

/**
 * Writes that database to `file` (version 1 unless `version`): AT watched from `t0` with three hours of history, four
 * scored hours `..AA` (probabilities 0.1, 0.2, 1, 1; the two at 1 are an open event, announced), at watcher time t0 + 4 h.
 */
export function writeFirstReleaseWatchDb(file: string, t0: number, version = '1'): void {
  const db = openDatabase(file);
  try {
    db.exec(FIRST_RELEASE_SCHEMA);
    db.prepare('INSERT INTO meta VALUES (?, ?)').run('version', version);
    const last = t0 + 3 * HOUR_MS;
    const at = t0 + 4 * HOUR_MS;
    db.prepare('INSERT INTO countries (country, last_stored_hour, last_scored_hour, score_from, status, updated_at) VALUES (?, ?, ?, ?, ?, ?)').run('AT', last, last, t0 - HOUR_MS, 'ok', at);
    for (let h = t0 - 3 * HOUR_MS; h <= last; h += HOUR_MS) db.prepare('INSERT INTO series VALUES (?, ?, ?, 0, 0)').run('AT', h, '{"http":1,"netflows":1}');
    [0.1, 0.2, 1, 1].forEach((p, i) => db.prepare('INSERT INTO scores VALUES (?, ?, ?, 0.5, ?, 0)').run('AT', t0 + i * HOUR_MS, p, p > 0.5 ? 1 : 0));
    const id = `AT-${new Date(t0 + 2 * HOUR_MS).toISOString().replace(/[-:]/g, '').slice(0, 11)}`;
    const event = {
      id, country: 'AT', status: 'open', source: 'watch', start: new Date(t0 + 2 * HOUR_MS).toISOString(), end: new Date(t0 + 4 * HOUR_MS).toISOString(), hours: 2,
      peakScore: 1, peakAt: new Date(t0 + 2 * HOUR_MS).toISOString(), severity: 'critical', cause: 'outage',
      topSignals: [{ signal: 'http', share: 0.6, direction: 'down' }, { signal: 'netflows', share: 0.4, direction: 'down' }], openedAt: new Date(at).toISOString(),
    };
    const { id: _id, country: _c, status: _s, source: _src, openedAt: _o, ...announced } = event;
    db.prepare('INSERT INTO events VALUES (?, ?, ?, ?, 0, 1, ?, ?, NULL, ?)').run(id, 'AT', 'open', t0 + 2 * HOUR_MS, JSON.stringify(announced), at, at);
    for (const h of [t0 + 2 * HOUR_MS, t0 + 3 * HOUR_MS]) db.prepare('INSERT INTO event_hours VALUES (?, ?, 1, 0.5, ?, ?)').run(id, h, '{"http":0.6,"netflows":0.4}', '{"http":-4,"netflows":-3}');
    const alert = { id: `${id}/opened`, type: 'event_opened', country: 'AT', at: new Date(at).toISOString(), event };
    db.prepare("INSERT INTO alerts (id, country, type, event_id, created_at, payload, printed_at, webhook) VALUES (?, ?, ?, ?, ?, ?, ?, 'none')").run(alert.id, 'AT', alert.type, id, at, JSON.stringify(alert), at);
  } finally {
    db.close();
  }
}
