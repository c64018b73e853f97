/** Starts and stops the HTTP server for an app: listening on host:port, reporting its URL, and closing connections on shutdown. */
import type { Server } from 'http';
import type { AddressInfo } from 'net';
import type { Express } from 'express';
import { ConfigError } from '../errors';

/** Emitted on the app when its server starts closing; routes with open-ended answers end them. */
export const APP_CLOSING = 'radarwatch:closing';

/** A listening server. */
export interface RunningServer {
  server: Server;
  /** Base URL, e.g. http://127.0.0.1:8080 (port 0 resolves to the real port). */
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish for up to `graceMs`, then drops what is left. */
  close(graceMs?: number): Promise<void>;
}

/** Listens on `host:port` (0 = any free port). Rejects with ConfigError when the address is taken or invalid. */
export function listen(app: Express, opts: { host: string; port: number }): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = app.listen(opts.port, opts.host);
    const onError = (e: NodeJS.ErrnoException) => {
      const why = e.code === 'EADDRINUSE' ? 'is already in use; pass another --port' : e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' ? 'is not an address of this machine; pass another --host' : `failed: ${e.message}`;
      reject(new ConfigError(`Listening on ${opts.host}:${opts.port} ${why}`));
    };
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      const addr = server.address() as AddressInfo;
      const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      resolve({
        server,
        url: `http://${host}:${addr.port}`,
        port: addr.port,
        close: (graceMs = 5000) => {
          // long-lived answers (the live stream) end now instead of holding the server open for the grace period
          app.emit(APP_CLOSING);
          return closeServer(server, graceMs);
        },
      });
    });
  });
}

function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    // keep-alive sockets would otherwise hold close() open until they time out
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
