import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HOUR_MS } from '../../src/base/time';
import { DataError } from '../../src/errors';
import { deliverWebhook, printOutbox } from '../../src/watch/deliver';
import { advanceLifecycle } from '../../src/watch/lifecycle';
import { openDatabase } from '../../src/watch/sqlite';
import { ADDED_COLUMNS, hasColumn, readWatchEvents, WatchStore } from '../../src/watch/store';
import type { WatchAlert } from '../../src/watch/types';
import { probabilityHours } from '../server/live-fixture';
import { FIRST_RELEASE_TABLES, writeFirstReleaseWatchDb } from './old-watch-db';

const T0 = Date.UTC(2026, 0, 1);

function alert(i: number): WatchAlert {
  return { id: `AT/data_late/${i}`, type: 'data_late', country: 'AT', at: new Date(T0 + i).toISOString(), data: { status: 'late' } };
}

describe('watch/store and outbox delivery', () => {
  let dir: string;
  let store: WatchStore;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'radarwatch-store-'));
    store = WatchStore.open(path.join(dir, 'w.db'));
    store.seed('AT', [{ hour: T0, values: { http: 1 }, gap: 0, unreliable: 0 }], T0, T0);
  });
  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('commits a step atomically: a failing part leaves progress, scores and alerts untouched', () => {
    const score = { hour: T0 + HOUR_MS, score: 1, threshold: 2, anomaly: false, neutral: false };
    store.commit({ country: 'AT', scores: [score], lastScoredHour: T0 + HOUR_MS, alerts: [alert(1)], at: T0 });
    // the same hour again: the primary key refuses it, and the alert of that step is not queued either
    assert.throws(() => store.commit({ country: 'AT', scores: [score], lastScoredHour: T0 + 2 * HOUR_MS, alerts: [alert(2)], at: T0 }), /UNIQUE/);
    assert.equal(store.progress('AT')!.lastScoredHour, T0 + HOUR_MS);
    assert.deepEqual(store.alerts().map((a) => a.id), ['AT/data_late/1']);
    assert.throws(() => store.commit({ country: 'DE', at: T0 }), (e: unknown) => e instanceof DataError && /seeded first/.test((e as Error).message));
  });

  it('keeps which signals of an hour were filled, and opens a file from before that column in place', () => {
    store.close();
    const file = path.join(dir, 'old.db');
    // a database written before gap_signals existed
    const old = WatchStore.open(file);
    old.db.exec('DROP TABLE series');
    old.db.exec('CREATE TABLE series (country TEXT NOT NULL, hour INTEGER NOT NULL, vals TEXT NOT NULL, gap INTEGER NOT NULL, unreliable INTEGER NOT NULL, PRIMARY KEY (country, hour)) WITHOUT ROWID');
    old.db.prepare('INSERT INTO series VALUES (?, ?, ?, ?, ?)').run('AT', T0, '{"http":1}', 1, 0);
    old.close();
    store = WatchStore.open(file);
    store.seed('AT', [{ hour: T0 - HOUR_MS, values: { http: 1 }, gap: 0, unreliable: 0 }], T0, T0);
    store.commit({
      country: 'AT',
      series: [
        { hour: T0 + HOUR_MS, values: { http: 1, l7: 2 }, gap: 1, unreliable: 0, gapSignals: ['l7'] },
        { hour: T0 + 2 * HOUR_MS, values: { http: 1, l7: 2 }, gap: 0, unreliable: 0, gapSignals: [] },
      ],
      at: T0,
    });
    const rows = store.series('AT', T0);
    assert.equal(rows[0].gapSignals, undefined, 'an hour stored before the column: unknown');
    assert.deepEqual(rows.slice(1).map((r) => r.gapSignals), [['l7'], []]);
  });

  it('when a file of the first release is opened, then it gains the later columns in place, keeps every row (evidence unknown) and the watch carries on', () => {
    store.close();
    const file = path.join(dir, 'first-release.db');
    writeFirstReleaseWatchDb(file, T0);
    const count = (s: WatchStore) => FIRST_RELEASE_TABLES.map((t) => (s.db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n);
    store = WatchStore.open(file);
    for (const c of ADDED_COLUMNS) assert.ok(hasColumn(store.db, c.table, c.column), `${c.table}.${c.column} added`);
    const before = count(store);
    assert.deepEqual(before, [1, 1, 7, 4, 1, 2, 1], 'every row of the old file is still there');
    assert.equal(store.getMeta('version'), '1', 'added columns keep the version');
    assert.deepEqual(store.scores('AT').map((r) => [r.score, r.evidence]), [[0.1, undefined], [0.2, undefined], [1, undefined], [1, undefined]]);
    assert.deepEqual(store.progress('AT'), { country: 'AT', lastStoredHour: T0 + 3 * HOUR_MS, lastScoredHour: T0 + 3 * HOUR_MS, scoreFrom: T0 - HOUR_MS, status: 'ok', statusDetail: undefined });
    const open = store.currentEvent('AT')!;
    assert.deepEqual([open.state, open.hours.length, open.hours.every((h) => h.evidence === undefined)], ['open', 2, true]);

    // the next cycle: two more anomalous hours, now with their evidence, continue the open event
    const next = probabilityHours('AA', T0 + 4 * HOUR_MS).map((h, i) => ({ ...h, score: 1, evidence: 12 + i }));
    const step = advanceLifecycle('AT', open, next, { quietHours: 3, minEventHours: 1, topSignals: 2 }, T0 + 6 * HOUR_MS);
    store.commit({ country: 'AT', scores: next.map((h) => ({ hour: h.timestamp, score: h.score, evidence: h.evidence, threshold: 0.5, anomaly: true, neutral: false })), lastStoredHour: T0 + 5 * HOUR_MS, lastScoredHour: T0 + 5 * HOUR_MS, events: step.touched, alerts: step.alerts, at: T0 + 6 * HOUR_MS });
    assert.deepEqual(store.scores('AT', T0 + 2 * HOUR_MS).map((r) => r.evidence), [undefined, undefined, 12, 13]);
    assert.deepEqual(store.currentEvent('AT')!.hours.map((h) => h.evidence), [undefined, undefined, 12, 13], 'event hours keep their evidence too');
    store.close();

    // opening it again changes nothing more
    store = WatchStore.open(file);
    assert.deepEqual(count(store), [before[0], before[1], before[2], before[3] + 2, before[4], before[5] + 2, before[6]]);
  });

  it('when a file of another version is opened, then it is refused before anything in it changes', () => {
    const file = path.join(dir, 'other-version.db');
    writeFirstReleaseWatchDb(file, T0, '99');
    assert.throws(() => WatchStore.open(file), /version 99.*expects 1.*Move the file away/);
    const raw = openDatabase(file, { readonly: true });
    try {
      assert.equal(hasColumn(raw, 'scores', 'evidence'), false);
    } finally {
      raw.close();
    }
  });

  it('prints each alert once, in order, across restarts', () => {
    store.commit({ country: 'AT', alerts: [alert(1), alert(2)], at: T0 });
    const out: string[] = [];
    assert.equal(printOutbox(store, (l) => out.push(l)), 2);
    store.close();
    store = WatchStore.open(path.join(dir, 'w.db'));
    store.commit({ country: 'AT', alerts: [alert(3)], at: T0 });
    printOutbox(store, (l) => out.push(l));
    assert.deepEqual(out.map((l) => JSON.parse(l).id), ['AT/data_late/1', 'AT/data_late/2', 'AT/data_late/3']);
  });

  it('queues for the webhook only while one is configured, and stops a pass at the first alert that keeps failing', async () => {
    store.commit({ country: 'AT', alerts: [alert(1)], at: T0 });
    store.webhookEnabled = true;
    store.commit({ country: 'AT', alerts: [alert(2), alert(3)], at: T0 });
    assert.deepEqual(store.alerts().map((a) => a.webhook), ['none', 'pending', 'pending']);
    const posted: string[] = [];
    const sleeps: number[] = [];
    const policy = { url: 'http://127.0.0.1:9/none', retries: 2, backoffMs: 100, maxBackoffMs: 1000, timeoutMs: 100 };
    const failing = await deliverWebhook(store, policy, { sleep: async (ms) => void sleeps.push(ms), random: () => 0, post: async (_u, _b, id) => (posted.push(id), { ok: false, error: 'HTTP 503' }) });
    assert.deepEqual(failing, { delivered: 0, pending: 2, failures: 3, lastError: 'AT/data_late/2: HTTP 503' });
    assert.deepEqual(posted, ['AT/data_late/2', 'AT/data_late/2', 'AT/data_late/2'], 'the later alert waits behind the failing one');
    assert.deepEqual(sleeps, [50, 100], 'backoff doubles (jitter 0 gives half the ceiling)');
    const ok = await deliverWebhook(store, policy, { post: async (_u, _b, id) => (posted.push(id), { ok: true, status: 204 }) });
    assert.deepEqual(ok, { delivered: 2, pending: 0, failures: 0 });
    assert.deepEqual(store.alerts().map((a) => [a.webhook, a.attempts]), [['none', 0], ['delivered', 4], ['delivered', 1]]);
  });

  it('refuses a database of another version and reads nothing from a missing file', () => {
    store.setMeta('version', '99');
    store.close();
    assert.throws(() => WatchStore.open(path.join(dir, 'w.db')), /version 99.*expects 1/);
    assert.equal(readWatchEvents(path.join(dir, 'missing.db'), 'AT', 0, T0), undefined);
    store = WatchStore.open(path.join(dir, 'fresh.db'));
  });
});
