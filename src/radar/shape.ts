/** Validation of Radar response envelopes: success flag, the API's own error message, and the result shape each endpoint kind must have. */
import { RadarApiError } from '../errors';
import type { EndpointSpec } from './endpoints';

/** The v4 envelope. `messages` is optional: Radar 400s omit it. */
export interface RadarEnvelope {
  success: boolean;
  errors?: { code?: number; message?: string }[];
  messages?: unknown[];
  result: Record<string, unknown>;
  result_info?: Record<string, unknown>;
}

/** Which call a response belongs to, for error messages. */
export interface CallContext {
  /** Endpoint path, e.g. `/http/timeseries`. */
  endpoint: string;
  country?: string;
  /** `start..end` of the request window. */
  window?: string;
}

/** `GET /http/timeseries for AT, window 2023-01-01T00:00:00Z..2023-01-28T23:00:00Z`. */
export function describeCall(ctx: CallContext): string {
  return `GET ${ctx.endpoint}${ctx.country ? ` for ${ctx.country}` : ''}${ctx.window ? `, window ${ctx.window}` : ''}`;
}

/**
 * The API's own explanation in a body, or undefined: `errors[].message (code N)` joined with "; ",
 * else a bare `error` string (some Radar 404s are `{"error": "Not Found"}`).
 */
export function apiMessageOf(body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  if (Array.isArray(body.errors) && body.errors.length > 0) {
    const parts = body.errors.map((e) => {
      if (!isObject(e)) return String(e);
      const msg = typeof e.message === 'string' ? e.message : JSON.stringify(e);
      return e.code !== undefined ? `${msg} (code ${String(e.code)})` : msg;
    });
    return parts.join('; ');
  }
  if (typeof body.error === 'string') return body.error;
  return undefined;
}

/** The numeric error codes in a body (`errors[].code`), e.g. 2002 for "above max cost". */
export function apiCodesOf(body: unknown): number[] {
  if (!isObject(body) || !Array.isArray(body.errors)) return [];
  return body.errors.flatMap((e) => (isObject(e) && typeof e.code === 'number' ? [e.code] : []));
}

/**
 * Checks a parsed 2xx body against the envelope and the endpoint's kind; returns it typed, or throws
 * a non-retryable RadarApiError naming the call and what was wrong.
 * - `success !== true` → the API's errors[].message / code;
 * - `timeseries`: at least one result key (other than `meta`) with `timestamps` and an equally long `values`;
 * - `groups`: such a key with `timestamps` and at least one equally long group array;
 * - `labels`: `result.<labelKey>` is an array.
 * `meta.dateRange` may be an array (current API) or one object (older responses).
 */
export function validateEnvelope(body: unknown, spec: EndpointSpec, ctx: CallContext, httpStatus = 200): RadarEnvelope {
  const fail = (what: string, apiMessage?: string): never => {
    throw new RadarApiError(`${describeCall(ctx)} failed: ${what}`, {
      endpoint: ctx.endpoint,
      country: ctx.country,
      window: ctx.window,
      httpStatus,
      apiMessage,
      retryable: false,
    });
  };
  if (!isObject(body)) return fail(`expected a JSON object envelope {success, errors, result}, got ${typeName(body)}`);
  if (body.success !== true) {
    const msg = apiMessageOf(body);
    return fail(`the API answered success: ${JSON.stringify(body.success)}${msg ? `: ${msg}` : ' without an error message'}`, msg);
  }
  const result = body.result;
  if (!isObject(result)) return fail(`expected "result" to be an object, got ${typeName(result)}`);
  const meta = result.meta;
  if (meta !== undefined && isObject(meta) && meta.dateRange !== undefined && !isObject(meta.dateRange) && !Array.isArray(meta.dateRange)) {
    return fail(`expected result.meta.dateRange to be an object or an array, got ${typeName(meta.dateRange)}`);
  }
  if (spec.kind === 'labels') {
    const key = spec.labelKey as string;
    if (!Array.isArray(result[key])) return fail(`expected result.${key} to be an array of events, got ${typeName(result[key])}; keys present: ${Object.keys(result).join(', ') || 'none'}`);
    return body as unknown as RadarEnvelope;
  }
  let series = 0;
  for (const [key, value] of Object.entries(result)) {
    if (key === 'meta' || !isObject(value) || !Array.isArray(value.timestamps)) continue;
    const n = value.timestamps.length;
    const arrays = Object.entries(value).filter(([k, v]) => k !== 'timestamps' && Array.isArray(v)) as [string, unknown[]][];
    if (spec.kind === 'timeseries' && !Array.isArray(value.values)) return fail(`expected result.${key}.values next to result.${key}.timestamps (a time series), got keys ${Object.keys(value).join(', ')}`);
    if (arrays.length === 0) return fail(`expected result.${key} to hold group arrays next to its timestamps, got keys ${Object.keys(value).join(', ')}`);
    for (const [k, arr] of arrays) {
      if (arr.length !== n) return fail(`result.${key}.${k} has ${arr.length} values but result.${key}.timestamps has ${n}; expected equal lengths`);
    }
    series++;
  }
  if (series === 0) {
    const what = spec.kind === 'timeseries' ? '{timestamps[], values[]}' : '{timestamps[], <group>[]…}';
    return fail(`expected a result key other than "meta" holding ${what}, found keys: ${Object.keys(result).join(', ') || 'none'}`);
  }
  return body as unknown as RadarEnvelope;
}

/** The event list of a validated label envelope. */
export function labelItems(env: RadarEnvelope, spec: EndpointSpec): unknown[] {
  return (env.result[spec.labelKey as string] as unknown[]) ?? [];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}
