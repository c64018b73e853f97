/** Country codes Radar covers (ISO 3166-1 alpha-2, from the maintained countries-and-timezones data) and the `AT | AT,DE | all` argument. */
import ct from 'countries-and-timezones';
import cityTimezones from 'city-timezones';
import { InputError } from '../errors';

/** All ISO alpha-2 codes known to the time-zone database (about 250). */
export function knownCountryCodes(): string[] {
  return Object.keys(ct.getAllCountries()).sort();
}

/** Country name for a code, or the code itself. */
export function countryName(code: string): string {
  return ct.getCountry(code)?.name ?? code;
}

let primaryZones: Map<string, string> | undefined;
/** Per country, the IANA zone holding the largest city population (city-timezones data). */
function populationZones(): Map<string, string> {
  if (primaryZones) return primaryZones;
  const pop = new Map<string, Map<string, number>>();
  for (const c of cityTimezones.cityMapping) {
    if (!c.iso2 || !c.timezone) continue;
    const zones = pop.get(c.iso2) ?? new Map<string, number>();
    zones.set(c.timezone, (zones.get(c.timezone) ?? 0) + (Number(c.pop) || 0));
    pop.set(c.iso2, zones);
  }
  primaryZones = new Map([...pop].map(([cc, zones]) => [cc, [...zones].sort((a, b) => b[1] - a[1])[0][0]]));
  return primaryZones;
}

/**
 * Primary IANA time zone of a country: where most of its city population lives (so US → New_York,
 * AU → Sydney), else the time-zone database's only or first zone, else UTC.
 */
export function countryTimezone(code: string): string {
  const byPopulation = populationZones().get(code);
  if (byPopulation) return byPopulation;
  const c = ct.getCountry(code);
  if (!c || c.timezones.length === 0) return 'UTC';
  return c.timezones[0];
}

/**
 * Parses a country argument: `AT`, `AT,DE`, `all` (the models.yml list) or `world` (every code Radar covers). Codes are upper-cased;
 * an unknown code throws with the list of what is allowed.
 */
export function parseCountries(arg: string | undefined, defaults: string[]): string[] {
  if (!arg || arg.trim().toLowerCase() === 'all') return [...defaults];
  if (arg.trim().toLowerCase() === 'world') return knownCountryCodes();
  const known = new Set(knownCountryCodes());
  const codes = arg.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  if (codes.length === 0) throw new InputError(`Expected a country list such as AT, AT,DE or all; got "${arg}"`);
  for (const c of codes) {
    if (!known.has(c)) throw new InputError(`Unknown country "${c}". Expected an ISO 3166-1 alpha-2 code such as AT, DE, US (one of ${known.size} known), "all" for: ${defaults.join(', ')}, or "world" for all ${known.size}`);
  }
  return [...new Set(codes)];
}
