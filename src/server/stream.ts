/**
 * `GET /api/stream`: Server-Sent Events that carry the watcher's lifecycle alerts to open pages. The watcher (often
 * another process) writes alerts to its SQLite outbox; while any page listens, the stream polls that outbox by
 * sequence number and forwards new rows, so an alert reaches the page within one poll period of its commit.
 */
import type { Request, Response } from 'express';
import { isRadarwatchError } from '../errors';
import { log } from '../util/log';
import type { WatchReader } from '../watch/view';

export interface StreamOptions {
  /** How often the watch database is polled while a page listens, ms (default 250). */
  pollMs: number;
  /** Comment line sent to every listener this often, ms, so proxies keep the connection (default 15 s). */
  heartbeatMs: number;
  /** Listeners at once (default 100); more are refused with 503. */
  maxClients: number;
  /** A listener whose unsent output exceeds this many bytes is dropped (it reconnects and catches up by Last-Event-ID). */
  maxBufferedBytes: number;
}

export const DEFAULT_STREAM_OPTIONS: StreamOptions = Object.freeze({ pollMs: 250, heartbeatMs: 15_000, maxClients: 100, maxBufferedBytes: 1 << 20 });

/** Alerts sent to a reconnecting page that names the last one it saw (Last-Event-ID), at most. */
const BACKLOG = 200;

/**
 * Events sent:
 * - `hello` `{watch, configured}` on connect: whether a watch database exists yet, and whether the server has one at all;
 * - `alert` (SSE id = outbox sequence number) with the WatchAlert, for each alert committed after the page connected
 *   (or after its Last-Event-ID, when it reconnects);
 * - `changed` `{watch}` when the watcher committed anything the overview shows (scores, status, alerts).
 */
export class AlertStream {
  private readonly opts: StreamOptions;
  private readonly clients = new Set<Response>();
  private poller?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  /** Newest outbox sequence number forwarded. */
  private seq = 0;
  private version?: string;
  private problem?: string;

  constructor(
    private readonly reader: WatchReader | undefined,
    opts: Partial<StreamOptions> = {},
  ) {
    this.opts = { ...DEFAULT_STREAM_OPTIONS, ...opts };
  }

  /** Listeners connected now. */
  get size(): number {
    return this.clients.size;
  }

  /** Whether another listener would be refused. */
  full(): boolean {
    return this.clients.size >= this.opts.maxClients;
  }

  /** Serves one listener until it disconnects or the stream closes. */
  open(req: Request, res: Response): void {
    if (this.clients.size === 0) this.start();
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Connection', 'keep-alive');
    // nginx and similar proxies would otherwise buffer the stream
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    this.clients.add(res);
    req.on('close', () => this.drop(res));
    const latest = this.safe(() => this.reader?.latestSeq());
    res.write(`retry: 2000\n\nevent: hello\ndata: ${JSON.stringify({ watch: latest !== undefined, configured: this.reader !== undefined })}\n\n`);
    // a reconnecting page catches up on what it missed, up to what the poller has already forwarded to everyone
    const last = Number(req.header('last-event-id'));
    if (Number.isInteger(last) && last >= 0 && last < this.seq) {
      for (const a of this.safe(() => this.reader?.alertsSince(last, BACKLOG)) ?? []) if (a.seq <= this.seq) res.write(frame('alert', a.alert, a.seq));
    }
  }

  /** Ends every listener and stops polling (server shutdown). */
  close(): void {
    this.stop();
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private start(): void {
    this.seq = this.safe(() => this.reader?.latestSeq()) ?? 0;
    this.version = this.safe(() => this.reader?.version());
    if (this.reader) {
      this.poller = setInterval(() => {
        try {
          this.poll();
        } catch (e) {
          // a bug here must not take the server down with it
          log.error(`GET /api/stream: ${(e as Error)?.stack ?? String(e)}`);
        }
      }, this.opts.pollMs);
    }
    this.heartbeat = setInterval(() => this.send(': ping\n\n'), this.opts.heartbeatMs);
    // neither keeps the process alive on its own
    this.poller?.unref();
    this.heartbeat.unref();
  }

  private stop(): void {
    clearInterval(this.poller);
    clearInterval(this.heartbeat);
    this.poller = this.heartbeat = undefined;
  }

  private drop(res: Response): void {
    this.clients.delete(res);
    if (this.clients.size === 0) this.stop();
  }

  /** Forwards alerts newer than the last forwarded one, then announces a changed watch state. */
  private poll(): void {
    const reader = this.reader as WatchReader;
    const latest = this.safe(() => reader.latestSeq());
    // a new database (the old one moved away) numbers its alerts from 1 again
    if (latest !== undefined && latest < this.seq) this.seq = 0;
    for (let more = true; more; ) {
      const rows = this.safe(() => reader.alertsSince(this.seq, BACKLOG)) ?? [];
      for (const a of rows) {
        this.send(frame('alert', a.alert, a.seq));
        this.seq = a.seq;
      }
      more = rows.length === BACKLOG;
    }
    const version = this.safe(() => reader.version());
    if (version !== this.version) {
      this.version = version;
      this.send(frame('changed', { watch: version !== undefined }));
    }
  }

  private send(text: string): void {
    for (const res of this.clients) {
      // a listener that does not read is dropped rather than buffered without bound
      if (res.writableLength > this.opts.maxBufferedBytes) {
        res.end();
        this.drop(res);
      } else res.write(text);
    }
  }

  /** A read of the watch database; an unreadable one is logged once and read as "no watcher". */
  private safe<T>(read: () => T): T | undefined {
    try {
      const v = read();
      this.problem = undefined;
      return v;
    } catch (e) {
      if (!isRadarwatchError(e)) throw e;
      if (this.problem !== e.message) log.warn(`GET /api/stream: ${e.message}`);
      this.problem = e.message;
      return undefined;
    }
  }
}

/** One SSE message. */
function frame(event: string, data: unknown, id?: number): string {
  return `${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
