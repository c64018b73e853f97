/**
 * Typed access to better-sqlite3: the package ships no type declarations and @types/better-sqlite3 is not a
 * dependency, so this file declares the small subset the watcher uses and loads the module with `require`.
 */
import * as fs from 'fs';
import * as path from 'path';

/** A prepared statement (positional `?` or named `@name` parameters). */
export interface Statement {
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

/** A synchronous SQLite connection. */
export interface Database {
  prepare(sql: string): Statement;
  exec(sql: string): void;
  pragma(source: string, opts?: { simple?: boolean }): unknown;
  /** Wraps `fn` so each call runs in one transaction (BEGIN … COMMIT, ROLLBACK when it throws). */
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  close(): void;
  readonly open: boolean;
}

type DatabaseCtor = new (file: string, opts?: { readonly?: boolean; fileMustExist?: boolean; timeout?: number }) => Database;

/**
 * Opens (creating folders and file unless `readonly`) a database in WAL mode, so the server can read while
 * the watcher writes; `busy_timeout` makes a reader wait for a writer's lock instead of failing.
 */
export function openDatabase(file: string, opts: { readonly?: boolean } = {}): Database {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Ctor = require('better-sqlite3') as DatabaseCtor;
  if (!opts.readonly) fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Ctor(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false, timeout: 5000 });
  if (!opts.readonly) db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  return db;
}
