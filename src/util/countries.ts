/** Country codes Radar covers (ISO 3166-1 alpha-2, from the maintained countries-and-timezones data) and the `AT | AT,DE | all` argument. */
import ct from 'countries-and-timezones';
import { InputError } from '../errors';

/** All ISO alpha-2 codes known to the time-zone database (about 250). */
export function knownCountryCodes(): string[] {
  return Object.keys(ct.getAllCountries()).sort();
}

/** Country name for a code, or the code itself. */
export function countryName(code: string): string {
  return ct.getCountry(code)?.name ?? code;
}

/** Primary IANA time zone of a country (the first listed; the most populous for most countries). */
export function countryTimezone(code: string): string {
  const c = ct.getCountry(code);
  if (!c || c.timezones.length === 0) return 'UTC';
  return c.timezones[0];
}

/**
 * Parses a country argument: `AT`, `AT,DE` or `all` (the models.yml list). Codes are upper-cased;
 * an unknown code throws with the list of what is allowed.
 */
export function parseCountries(arg: string | undefined, defaults: string[]): string[] {
  if (!arg || arg.trim().toLowerCase() === 'all') return [...defaults];
  const known = new Set(knownCountryCodes());
  const codes = arg.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  if (codes.length === 0) throw new InputError(`Expected a country list such as AT, AT,DE or all; got "${arg}"`);
  for (const c of codes) {
    if (!known.has(c)) throw new InputError(`Unknown country "${c}". Expected an ISO 3166-1 alpha-2 code such as AT, DE, US (one of ${known.size} known), or "all" for: ${defaults.join(', ')}`);
  }
  return [...new Set(codes)];
}
