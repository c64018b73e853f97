/** The server's cross-cutting middleware: security headers, request-size limits, JSON 404/405 and the one error mapper. */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { RadarwatchError, isRadarwatchError } from '../errors';
import { log } from '../util/log';

/** Longest accepted request URL (path + query); real queries are under 200 characters. */
export const MAX_URL_CHARS = 2048;

/** The page loads scripts, styles and data only from this origin (plotly is served locally). */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // plotly styles its SVG through the CSSOM and injects one <style> for its modebar
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** An HTTP-level refusal (414, 405, 404 route) that is not a library error. */
export class HttpError extends RadarwatchError {
  constructor(status: number, code: string, message: string) {
    super(message);
    // Assigned, not redeclared: a redeclared field trips older TypeScript (tslab's 5.0), so src/index loads in notebooks.
    Object.assign(this, { status, code });
  }
}

/** Headers every response carries. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
});

/** Headers of every /api answer: the security headers and no-store (answers describe a moment's model state). */
export const API_HEADERS: Readonly<Record<string, string>> = Object.freeze({ ...SECURITY_HEADERS, 'Cache-Control': 'no-store' });

/** Sets the security headers on every response. */
export const securityHeaders: RequestHandler = (_req, res, next) => {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
  next();
};

/** Refuses over-long URLs with 414 before any parsing work is done on them. */
export const limitUrl: RequestHandler = (req, _res, next) => {
  const n = req.originalUrl.length;
  if (n > MAX_URL_CHARS) return next(new HttpError(414, 'URI_TOO_LONG', `Request URL is ${n} characters long; at most ${MAX_URL_CHARS} are accepted`));
  next();
};

/** API responses describe a moment's model state and must not be cached by proxies. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', API_HEADERS['Cache-Control']);
  next();
};

/** The Content-Type of every JSON answer, as res.json sets it. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** Sends a JSON body that is already serialised (UTF-8), with the headers res.json would set (no ETag: answers are no-store). */
export function sendJson(res: Response, body: Buffer): void {
  res.setHeader('Content-Type', JSON_CONTENT_TYPE);
  res.setHeader('Content-Length', body.length);
  res.end(body);
}

/** Terminal handler: whatever no route matched. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'NOT_FOUND', `No such endpoint: ${req.method} ${req.originalUrl.split('?')[0].slice(0, 100)}. Endpoints: GET /api/health, /api/countries, /api/overview, /api/stream, /api/detect, /api/events`));
};

/** For routes that exist but not with this method. */
export function methodNotAllowed(allowed: string[]): RequestHandler {
  return (req, res, next) => {
    res.setHeader('Allow', allowed.join(', '));
    next(new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed here; use ${allowed.join(' or ')}`));
  };
}

/** Errors from express's own parsers and static file serving (http-errors), which carry a status and say whether to expose the message. */
interface HttpLikeError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  type?: string;
  message?: string;
}

/**
 * The one error middleware: typed radarwatch errors keep their status, code and message; client
 * errors raised by express internals (bad JSON, too large, malformed path) keep their 4xx status;
 * everything else is a bug: 500 with a generic message, stack logged, never sent.
 */
export const errorHandler: ErrorRequestHandler = (err, req, res, next) => {
  // a half-sent response can't be turned into JSON; express then closes the connection
  if (res.headersSent) return next(err);
  let status = 500;
  let code = 'INTERNAL_ERROR';
  let message = 'Internal server error; the server log has the details';
  if (isRadarwatchError(err)) {
    status = err.status;
    code = err.code;
    message = err.message;
  } else if (err && typeof err === 'object') {
    const h = err as HttpLikeError;
    const s = h.status ?? h.statusCode;
    if (typeof s === 'number' && s >= 400 && s < 500 && h.expose !== false) {
      status = s;
      code = h.type ? h.type.toUpperCase().replace(/[^A-Z0-9]+/g, '_') : `HTTP_${s}`;
      message = String(h.message ?? 'Bad request');
    }
  }
  const where = `${req.method} ${req.originalUrl.slice(0, 200)} → ${status}`;
  // typed errors were raised on purpose and explain themselves; only bugs need the stack
  if (isRadarwatchError(err)) {
    if (status >= 500) log.warn(`${where}: ${err.name}: ${err.message}`);
  } else if (status >= 500) log.error(`${where}: ${(err as Error)?.stack ?? String(err)}`);
  res.status(status).json({ error: { code, message } });
};
