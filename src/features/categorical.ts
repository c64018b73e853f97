/** Time categories in the series' local time: time of day, ISO weekday, month, day type (workday/weekend/holiday) and meteorological season. */
import { ConfigError } from '../errors';
import { countryCalendar, localTimeColumns, weekendDays, type CountryCalendar, type LocalTimeColumns } from '../util/calendar';
import { countryTimezone, knownCountryCodes } from '../util/countries';

/**
 * Which calendar the features use (plain JSON, saved in the spec). Countries get their IANA zone, CLDR weekend and
 * date-holidays public holidays; an imported (non-country) series gets UTC, a Saturday–Sunday weekend and no holidays
 * unless the caller says otherwise.
 */
export interface FeatureCalendar {
  timezone: string;
  /** Weekend days as ISO weekdays (1 = Monday … 7 = Sunday). */
  weekend: number[];
  /** ISO alpha-2 code whose date-holidays public holidays mark day type 2 (and whose fasting month marks shift days); null = none. */
  holidayCountry: string | null;
}

/** Caller overrides of the calendar, e.g. `{ timezone: 'Europe/Vienna' }` for an imported CSV series. */
export type FeatureCalendarOptions = Partial<FeatureCalendar>;

/** Resolves the calendar for a frame id: a known country code gets its own calendar; anything else UTC without holidays. */
export function resolveFeatureCalendar(id: string, opts: FeatureCalendarOptions = {}): FeatureCalendar {
  const isCountry = knownCountryCodes().includes(id);
  const timezone = opts.timezone ?? (isCountry ? countryTimezone(id) : 'UTC');
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new ConfigError(`Unknown time zone "${timezone}" for series "${id}"; expected an IANA zone such as Europe/Vienna or UTC.`);
  }
  const weekend = opts.weekend ?? (isCountry ? weekendDays(id) : [6, 7]);
  if (weekend.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) {
    throw new ConfigError(`Weekend days for "${id}" must be ISO weekdays 1–7 (1 = Monday); got ${JSON.stringify(weekend)}.`);
  }
  const holidayCountry = opts.holidayCountry !== undefined ? opts.holidayCountry : isCountry ? id : null;
  if (holidayCountry !== null && !knownCountryCodes().includes(holidayCountry)) {
    throw new ConfigError(`Unknown holiday country "${holidayCountry}" for "${id}"; expected an ISO alpha-2 code such as AT, or null for no holidays.`);
  }
  return { timezone, weekend: [...weekend], holidayCountry };
}

/** Local time columns for UTC hour starts under a FeatureCalendar (holidays looked up for the years the data spans). */
export function featureLocalTime(cal: FeatureCalendar, timestamps: ArrayLike<number>): LocalTimeColumns {
  let holidays = new Map<string, string>();
  let fasting = new Set<string>();
  if (cal.holidayCountry !== null && timestamps.length > 0) {
    // One year either side covers local dates that straddle New Year in UTC.
    const y0 = new Date(timestamps[0]).getUTCFullYear() - 1;
    const y1 = new Date(timestamps[timestamps.length - 1]).getUTCFullYear() + 1;
    ({ holidays, fasting } = countryCalendar(cal.holidayCountry, y0, y1));
  }
  const cc: CountryCalendar = { country: cal.holidayCountry ?? 'UTC', timezone: cal.timezone, weekend: cal.weekend, holidays, hasHolidayData: holidays.size > 0, fasting };
  return localTimeColumns(cc, timestamps);
}

/** Categorical block of a FeatureSet: indices row-major [rows, names.length]. */
export interface CategoricalBlock {
  cat: Int32Array;
  names: string[];
  cardinalities: number[];
}

/** Names and cardinalities of the categorical features for a given number of day segments. */
export function categoricalLayout(daySegments: number): { names: string[]; cardinalities: number[] } {
  return { names: [daySegments === 24 ? 'hour' : 'daySegment', 'weekday', 'month', 'dayType', 'season'], cardinalities: [daySegments, 7, 12, 3, 4] };
}

/**
 * Builds the categorical block from local time columns: time of day (hour, or `daySegments` equal segments), ISO
 * weekday − 1, month − 1, day type (0 workday, 1 weekend, 2 holiday, see DAY_TYPES) and meteorological season
 * (0 = Dec–Feb, 1 = Mar–May, 2 = Jun–Aug, 3 = Sep–Nov; an index, so it is equally valid in the southern hemisphere).
 */
export function categoricalFeatures(local: LocalTimeColumns, daySegments: number): CategoricalBlock {
  const { names, cardinalities } = categoricalLayout(daySegments);
  const n = local.hour.length;
  const k = names.length;
  const cat = new Int32Array(n * k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    cat[o] = Math.floor((local.hour[i] * daySegments) / 24);
    cat[o + 1] = local.weekday[i] - 1;
    cat[o + 2] = local.month[i] - 1;
    cat[o + 3] = local.dayType[i];
    cat[o + 4] = Math.floor((local.month[i] % 12) / 3);
  }
  return { cat, names, cardinalities };
}
