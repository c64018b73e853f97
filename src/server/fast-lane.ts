/**
 * The fast lane: `GET /api/detect` of a short range (at most `heavyPoints` points) answered before express sees the
 * request. It is the API's busiest request, and express's per-request work (prototype swaps, the router's layers,
 * response helpers) cost several times what answering takes once the answer is kept (DetectionService.detectJson).
 * It answers only the success case, with the same headers the express route sends; anything else (another path or
 * method, a query that does not parse, a long range, a failed answer) goes to express, which answers it as it always
 * did, errors included.
 */
import type { IncomingMessage, ServerResponse } from 'http';
import * as querystring from 'querystring';
import type { DetectionService } from './deps';
import { API_HEADERS, JSON_CONTENT_TYPE, MAX_URL_CHARS } from './middleware';
import { parseDetectQuery, type DetectQuery, type QueryLimits } from './validate';

const PREFIX = '/api/detect?';

/** What the lane needs from the app: the service, the validation limits and the cost rule of the express route. */
export interface FastLaneDeps {
  service: DetectionService;
  limits(): QueryLimits;
  /** Points a query would return (costOf in app.ts). */
  costOf(q: DetectQuery): number;
  /** Longer requests are the express route's (heavy lane, 503 when saturated, 400 beyond maxPoints). */
  heavyPoints: number;
}

/**
 * A request handler that takes what it can answer and returns true, or returns false without touching `res`; when it
 * took a request whose answer then fails, it calls `fallback` (express) with nothing written yet.
 */
export function createFastLane(deps: FastLaneDeps): (req: IncomingMessage, res: ServerResponse, fallback: () => void) => boolean {
  const { service } = deps;
  return (req, res, fallback) => {
    const url = req.url;
    if (req.method !== 'GET' || !service.detectJson || url === undefined || url.length > MAX_URL_CHARS || !url.startsWith(PREFIX)) return false;
    let q: DetectQuery;
    try {
      // express's `simple` query parser is querystring.parse: the same parameters reach the same validation
      q = parseDetectQuery(querystring.parse(url.slice(PREFIX.length)), deps.limits());
    } catch {
      return false;
    }
    if (deps.costOf(q) > deps.heavyPoints) return false;
    let answer: Promise<Buffer>;
    try {
      answer = service.detectJson(q.country, q.from, q.to, { series: q.series });
    } catch {
      // a service that throws instead of rejecting: nothing is written yet, express answers
      return false;
    }
    answer.then(
      (body) => {
        res.writeHead(200, { ...API_HEADERS, 'Content-Type': JSON_CONTENT_TYPE, 'Content-Length': body.length });
        res.end(body);
      },
      () => fallback(),
    );
    return true;
  };
}
