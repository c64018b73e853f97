import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HOUR_MS } from '../../src/base/time';
import { DataError } from '../../src/errors';
import { WatchReader } from '../../src/watch/view';
import { commitCycle, commitHours, probabilityHours } from '../server/live-fixture';
import { writeFirstReleaseWatchDb } from './old-watch-db';

const T = Date.UTC(2025, 6, 1);

describe('watch/view (WatchReader)', () => {
  let dir: string;
  let file: string;
  let reader: WatchReader;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'radarwatch-view-'));
    file = path.join(dir, 'watch.db');
    reader = new WatchReader(file);
  });
  afterEach(() => {
    reader.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('when no watcher has created the database, then every view reads as "no watcher"', () => {
    assert.equal(reader.version(), undefined);
    assert.equal(reader.latestSeq(), undefined);
    assert.deepEqual(reader.alertsSince(0), []);
    assert.equal(reader.window(0, T), undefined);
  });

  it('when a watcher commits, then the open connection sees it: new alerts by sequence number and a new version', () => {
    commitCycle(file, 'AT', 'AA', T);
    const v1 = reader.version();
    assert.deepEqual(reader.alertsSince(0).map((a) => [a.seq, a.alert.type, a.alert.country]), [[1, 'event_opened', 'AT']]);
    commitCycle(file, 'AT', '...', T + 2 * HOUR_MS);
    assert.notEqual(reader.version(), v1);
    assert.deepEqual(reader.alertsSince(1).map((a) => [a.seq, a.alert.type]), [[2, 'event_closed']]);
    assert.equal(reader.latestSeq(), 2);
  });

  it('when a window is read, then each country has its scored and anomalous hours, peak and newest hour, and the events overlapping it', () => {
    commitCycle(file, 'AT', '.AAA..', T);
    commitCycle(file, 'DE', '......', T);
    const w = reader.window(T, T + 6 * HOUR_MS)!;
    assert.deepEqual(
      w.countries.map((c) => [c.country, c.status, c.scoredHours, c.anomalousHours, c.peak?.hour, c.last?.hour, c.lastStoredHour]),
      [
        ['AT', 'ok', 6, 3, T + HOUR_MS, T + 5 * HOUR_MS, T + 5 * HOUR_MS],
        ['DE', 'ok', 6, 0, T, T + 5 * HOUR_MS, T + 5 * HOUR_MS],
      ],
    );
    assert.deepEqual(w.events.map((e) => [e.country, e.start, e.status]), [['AT', '2025-07-01T01:00:00.000Z', 'open']]);
    // hours before `startOf` are left to the detection service's table
    assert.equal(reader.window(T, T + 6 * HOUR_MS, () => T + 4 * HOUR_MS)!.countries[0].anomalousHours, 0);
    // a window after the event's end leaves a closed event out
    commitCycle(file, 'AT', '...', T + 6 * HOUR_MS);
    assert.deepEqual(reader.window(T + 8 * HOUR_MS, T + 9 * HOUR_MS)!.events, []);
  });

  it('when hours tie at probability 1, then the peak is the one with the most evidence, and carries that evidence', () => {
    const evidence = [9.5, 14.25, 12, 3];
    commitHours(file, 'AT', probabilityHours('AAA.', T).map((h, i) => ({ ...h, score: i < 3 ? 1 : 0.2, evidence: evidence[i] })));
    // a neutral hour (gap-filled, Radar-unreliable) is never the peak, whatever its evidence
    commitHours(file, 'AT', probabilityHours('A', T + 4 * HOUR_MS).map((h) => ({ ...h, score: 1, evidence: 40, neutral: true })));
    assert.deepEqual(reader.window(T, T + 5 * HOUR_MS)!.countries[0].peak, { probability: 1, evidence: 14.25, hour: T + HOUR_MS });
  });

  it('when the file is from before evidence was kept and no watcher has migrated it yet, then the window reads, its evidence unknown', () => {
    writeFirstReleaseWatchDb(file, T);
    const at = reader.window(T, T + 4 * HOUR_MS)!.countries[0];
    assert.deepEqual([at.scoredHours, at.anomalousHours, at.peak], [4, 2, { probability: 1, evidence: null, hour: T + 2 * HOUR_MS }]);
  });

  it('when the database is moved away and a new one appears, then the reader follows the new file', () => {
    commitCycle(file, 'AT', 'AA', T);
    assert.equal(reader.latestSeq(), 1);
    fs.renameSync(file, file + '.old');
    for (const x of ['-wal', '-shm']) if (fs.existsSync(file + x)) fs.renameSync(file + x, file + '.old' + x);
    assert.equal(reader.latestSeq(), undefined);
    commitCycle(file, 'DE', '.', T);
    assert.equal(reader.latestSeq(), 0);
    assert.deepEqual(reader.window(T, T + HOUR_MS)!.countries.map((c) => c.country), ['DE']);
  });

  it('when the file is not a database, then a DataError says to move it away', () => {
    fs.writeFileSync(file, 'not a database '.repeat(100));
    assert.throws(() => reader.version(), (e: unknown) => e instanceof DataError && /not a usable watch database .*move it away/.test(e.message));
  });
});
