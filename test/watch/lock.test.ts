import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { reportError } from '../../src/cli/main';
import { DataError } from '../../src/errors';
import { acquireWatchLock, lockFileOf, WatchLockedError } from '../../src/watch/lock';
import { probeWatchDb, readWatchEvents, WatchStore } from '../../src/watch/store';

describe('watch/lock and a broken watch database', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-lock-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('when a second watcher takes the same database, then it fails naming the pid that holds it; once released, it may', () => {
    const db = path.join(dir, 'watch.db');
    const first = acquireWatchLock(db);
    assert.throws(
      () => acquireWatchLock(db),
      (e: Error) => e instanceof WatchLockedError && e.pid === process.pid && e.message.startsWith(`another watch is running (pid ${process.pid}) on ${db}`),
    );
    first.release();
    assert.ok(!fs.existsSync(lockFileOf(db)));
    acquireWatchLock(db).release();
  });

  it('when the lock was left by a process that no longer exists (kill -9), then it is stale and taken over', () => {
    const db = path.join(dir, 'watch.db');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    fs.writeFileSync(lockFileOf(db), JSON.stringify({ pid: Number(dead), host: os.hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
    const lock = acquireWatchLock(db);
    assert.equal(JSON.parse(fs.readFileSync(lockFileOf(db), 'utf8')).pid, process.pid);
    lock.release();
  });

  it('the CLI reports a held lock as one line with exit code 1, not a stack trace', () => {
    const write = process.stderr.write;
    let text = '';
    process.stderr.write = ((s: string) => ((text += s), true)) as typeof process.stderr.write;
    try {
      assert.equal(reportError(new WatchLockedError('another watch is running (pid 42) on results/watch/watch.db', 42)), 1);
    } finally {
      process.stderr.write = write;
    }
    assert.equal(text, 'radarwatch: WatchLockedError: another watch is running (pid 42) on results/watch/watch.db\n');
  });

  it('when the database file is garbage, then opening, reading and probing it give one-line DataErrors, never SQLite errors', () => {
    const db = path.join(dir, 'watch.db');
    fs.writeFileSync(db, Buffer.alloc(8192, 0x5a));
    assert.throws(() => WatchStore.open(db), (e: Error) => e instanceof DataError && /watch\.db is not a usable watch database \(file is not a database\); move it away/.test(e.message));
    assert.throws(() => readWatchEvents(db, 'AT', 0, Date.now()), DataError);
    assert.match(probeWatchDb(db) ?? '', /not a usable watch database/);
    assert.equal(probeWatchDb(path.join(dir, 'none.db')), undefined, 'no database is not a problem');
    const good = path.join(dir, 'good.db');
    WatchStore.open(good).close();
    assert.equal(probeWatchDb(good), undefined);
  });
});
