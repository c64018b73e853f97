/**
 * Content checks of a Radar answer before it is stored: every timestamp parses and lies near the requested window,
 * every value is a finite number in the range its normalization allows, and a series window is not empty. The
 * envelope's shape is checked by shape.ts; this is what a 200 with a well-formed but unusable body fails on.
 */
import { DataError } from '../errors';
import type { EndpointSpec } from './endpoints';
import { parseTimeseriesResult, type ParsedResult } from './parse';
import type { RadarEnvelope } from './shape';
import type { DateWindow } from './windows';

/**
 * Plausible value range per `meta.normalization` (upper-case): MIN0_MAX is scaled to [0, 1], PERCENTAGE to
 * [0, 100]; raw counts (announced /24s and /48s) are non-negative and far below 1e15. A value outside its range is
 * corruption (1e308 would otherwise stitch every other point down to ~1e-309).
 */
export const VALUE_RANGES: Readonly<Record<string, readonly [number, number]>> = Object.freeze({
  MIN0_MAX: [0, 1 + 1e-9],
  PERCENTAGE: [0, 100 + 1e-6],
  RAW_VALUES: [0, 1e15],
  '': [0, 1e15],
});
/** Any other normalization (e.g. PERCENTAGE_CHANGE, signed) just has to stay finite and of sane size. */
const OTHER_RANGE = [-1e15, 1e15] as const;

/** Slack around the requested window for point timestamps: a bucket may start up to a day before dateStart. */
const WINDOW_SLACK_MS = 24 * 3_600_000;

/**
 * Checks the values of a parsed series answer: at least one point, and every non-null value inside the range of
 * its normalization. Returns what is wrong (one clause naming the series, column and index), or undefined.
 */
export function checkParsedValues(parsed: ParsedResult, where: string, opts: { allowEmpty?: boolean } = {}): string | undefined {
  const norm = parsed.meta.normalization ?? '';
  const [lo, hi] = VALUE_RANGES[norm] ?? OTHER_RANGE;
  let points = 0;
  for (const s of parsed.series) {
    points += s.timestamps.length;
    for (const [col, values] of Object.entries(s.columns)) {
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (Number.isNaN(v)) continue; // null / "" is a gap, as Radar sends for hours without data
        if (!(v >= lo && v <= hi)) return `${where}.${s.name}.${col}[${i}] is ${v}; expected a value in [${lo}, ${hi}] for normalization ${norm || 'none'}`;
      }
    }
  }
  if (points === 0 && !opts.allowEmpty) return `${where}: the series are empty (no timestamps); expected the window's points`;
  return undefined;
}

/**
 * Checks a validated 2xx answer of `spec` for `window` in full. Returns the first problem, or undefined when the
 * answer may be stored. Label feeds: every item is an object.
 */
export function checkAnswerContent(env: RadarEnvelope, spec: EndpointSpec, window?: DateWindow): string | undefined {
  const where = 'result';
  if (spec.kind === 'labels') {
    const items = env.result[spec.labelKey as string];
    if (!Array.isArray(items)) return `result.${spec.labelKey} is not an array`;
    const i = items.findIndex((x) => x === null || typeof x !== 'object' || Array.isArray(x));
    return i >= 0 ? `result.${spec.labelKey}[${i}] is ${JSON.stringify(items[i])}; expected an event object` : undefined;
  }
  let parsed: ParsedResult;
  try {
    parsed = parseTimeseriesResult(env.result, where);
  } catch (e) {
    if (e instanceof DataError) return e.message;
    throw e;
  }
  const bad = checkParsedValues(parsed, where);
  if (bad) return bad;
  if (window) {
    for (const s of parsed.series) {
      const out = s.timestamps.findIndex((t) => t < window.startMs - WINDOW_SLACK_MS || t > window.endMs + WINDOW_SLACK_MS);
      if (out >= 0) return `${where}.${s.name}.timestamps[${out}] is ${new Date(s.timestamps[out]).toISOString()}, outside the requested window ${window.start}..${window.end}`;
    }
  }
  return undefined;
}
