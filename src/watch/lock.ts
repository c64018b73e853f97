/**
 * One watcher per state database: a pid file (`<db>.lock`, created exclusively) held while `radarwatch watch` runs.
 * A second watcher on the same database stops with a one-line error naming the pid that holds it; a lock left by a
 * process that no longer exists (killed with SIGKILL, a crashed machine) is stale and taken over.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RadarwatchError } from '../errors';

/** Another process holds the watch database. */
export class WatchLockedError extends RadarwatchError {
  override readonly code = 'WATCH_LOCKED';
  override readonly status = 409;
  constructor(
    message: string,
    readonly pid: number,
  ) {
    super(message);
  }
}

/** What the lock file holds. */
interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
}

/** A held lock; release() removes the file if it is still ours. */
export interface WatchLock {
  file: string;
  release(): void;
}

/** The lock file of a database: `<db>.lock`. */
export function lockFileOf(dbPath: string): string {
  return `${dbPath}.lock`;
}

/** True when a process with `pid` exists on this machine (EPERM means it exists but is not ours to signal). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): LockInfo | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockInfo>;
    return typeof v.pid === 'number' ? { pid: v.pid, host: String(v.host ?? ''), startedAt: String(v.startedAt ?? '') } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the lock of `dbPath` for this process. Throws WatchLockedError ("another watch is running (pid N) on
 * <db>") when a live process on this host holds it; removes a stale lock (dead pid, or unreadable) and retries.
 */
export function acquireWatchLock(dbPath: string): WatchLock {
  const file = lockFileOf(dbPath);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const me: LockInfo = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx');
      try {
        fs.writeSync(fd, JSON.stringify(me));
      } finally {
        fs.closeSync(fd);
      }
      return {
        file,
        release() {
          if (readLock(file)?.pid === me.pid) fs.rmSync(file, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const held = readLock(file);
    if (!held && Date.now() - (fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0) < 5000) {
      // created a moment ago and not written yet: another watcher is starting right now
      throw new WatchLockedError(`another watch is starting on ${dbPath} (lock ${file}); stop it first, or watch with another --db`, 0);
    }
    const otherHost = held && held.host && held.host !== me.host;
    if (held && (otherHost || processAlive(held.pid))) {
      throw new WatchLockedError(
        `another watch is running (pid ${held.pid}${otherHost ? ` on ${held.host}` : ''}) on ${dbPath} since ${held.startedAt}; stop it first, or watch with another --db. ` +
          `If no such process exists, remove ${file}.`,
        held.pid,
      );
    }
    // stale: its process is gone (or the file is half-written garbage); take it over
    fs.rmSync(file, { force: true });
  }
  throw new WatchLockedError(`could not take the lock ${file} of ${dbPath}: another process keeps re-creating it`, 0);
}
