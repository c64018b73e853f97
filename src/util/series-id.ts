/** The one rule for naming a series — a Radar country (AT) or an imported CSV's --id (ms_api01) — and the commands that make each kind. */
import { InputError } from '../errors';
import { knownCountryCodes } from './countries';

/** Letters, digits, `_` and `-`, 1–64 characters: a series id becomes a file and folder name and a URL parameter. */
export const SERIES_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** The rule in words, for error messages and help texts. */
export const SERIES_ID_RULE = 'letters, digits, "_" or "-" (1–64 characters), e.g. AT or web_eu-1';

/** True when `value` is a well-formed series id (says nothing about whether the series exists). */
export function isSeriesId(value: unknown): boolean {
  return typeof value === 'string' && SERIES_ID_RE.test(value);
}

let countrySet: Set<string> | undefined;
/** True when `id` is an ISO 3166-1 alpha-2 code (any case) that Radar covers. */
export function isCountryCode(id: string): boolean {
  countrySet ??= new Set(knownCountryCodes());
  return id.length === 2 && countrySet.has(id.toUpperCase());
}

/**
 * Checks an id against the one rule and returns it in canonical form: country codes upper-cased (at → AT), any other id
 * exactly as given (imported ids are case-sensitive file names). Throws InputError naming `what` and the rule.
 */
export function checkSeriesId(value: string | undefined, what = 'id'): string {
  const v = (value ?? '').trim();
  if (!isSeriesId(v)) {
    const shown = JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
    throw new InputError(`Invalid ${what} ${shown}: expected a country code such as AT or the --id of an imported CSV, made of ${SERIES_ID_RULE}.`);
  }
  return isCountryCode(v) ? v.toUpperCase() : v;
}

/**
 * Resolves a user's id against the series that exist (`known`: country codes and imported ids): an exact match wins,
 * then a case-insensitive match of a country code. Returns undefined when nothing matches.
 */
export function matchSeriesId(value: string, known: Iterable<string>): string | undefined {
  const list = [...known];
  if (list.includes(value)) return value;
  if (isCountryCode(value)) {
    const cc = value.toUpperCase();
    if (list.includes(cc)) return cc;
  }
  return undefined;
}

/** The command that (re)creates the processed table of `id`: preprocess for a country, import for anything else. */
export function dataCommand(id: string): string {
  return isCountryCode(id) ? `radarwatch preprocess --countries ${id}` : `radarwatch import FILE.csv --id ${id}`;
}

/** The command that fetches the raw data of `id`, or (for an imported id) re-imports it. */
export function sourceCommand(id: string): string {
  return isCountryCode(id) ? `radarwatch fetch --countries ${id}` : `radarwatch import FILE.csv --id ${id}`;
}
