/**
 * Country calendars from maintained data, never hand-kept tables: IANA time zones (via Intl and
 * countries-and-timezones), weekend days from CLDR week data (Intl.Locale weekInfo), public
 * holidays and the fasting month of Ramadan from date-holidays (its Hijri calendar). Used by the generator and by the
 * features.
 */
import Holidays from 'date-holidays';
import { countryTimezone } from './countries';

/** Day types, also the categories of the day-type feature. */
export const DAY_TYPES = ['workday', 'weekend', 'holiday'] as const;
export type DayType = (typeof DAY_TYPES)[number];
/** The index of 'holiday' in DAY_TYPES (the value of a public holiday's row in LocalTimeColumns.dayType). */
export const HOLIDAY_DAY_TYPE = DAY_TYPES.indexOf('holiday');

export interface CountryCalendar {
  country: string;
  /** IANA zone used for local time (the country's first listed zone). */
  timezone: string;
  /** Weekend days as ISO weekdays (1 = Monday … 7 = Sunday), from CLDR. */
  weekend: number[];
  /** Public holidays keyed by local date `YYYY-MM-DD` → name. */
  holidays: Map<string, string>;
  /** False when date-holidays has no data for the country (then no day is a holiday). */
  hasHolidayData: boolean;
  /** Local dates `YYYY-MM-DD` of the fasting month where the country observes Ramadan (ramadanDates); empty elsewhere. */
  fasting: Set<string>;
}

/**
 * Days a shift of the daily rhythm lasts as a "shift day" (LocalTimeColumns.shift): the first SHIFT_DAYS days of the
 * fasting month and the SHIFT_DAYS days after it. A week: the similar-days reference (the most similar of the last 28
 * days) needs a few days of the new rhythm before its median follows it.
 */
export const SHIFT_DAYS = 7;

/** Whether a date-holidays holiday is a public one ruled by the fasting month's calendar (Eid al-Fitr: 1 Shawwal, or 30 Ramadan in SA). */
function isFastingHoliday(h: { type: string; rule?: string }): boolean {
  return h.type === 'public' && /\b(Shawwal|Ramadan)\b/.test(String(h.rule ?? ''));
}

/** Local dates `YYYY-MM-DD` of the fasting month (1 Ramadan up to the day before 1 Shawwal) in `fromYear − 1 … toYear`, from date-holidays' Hijri calendar. */
function fastingMonthDates(fromYear: number, toYear: number): Set<string> {
  const out = new Set<string>();
  const hijri = new Holidays();
  hijri.setHoliday('1 Ramadan', { name: 'ramadan', type: 'observance' });
  hijri.setHoliday('1 Shawwal', { name: 'shawwal', type: 'observance' });
  const day = (h: { date: string }) => Date.parse(`${h.date.slice(0, 10)}T00:00:00Z`);
  const byYear = new Map<number, { name: string; date: string }[]>();
  const year = (y: number) => byYear.get(y) ?? byYear.set(y, hijri.getHolidays(y)).get(y)!;
  for (let y = fromYear - 1; y <= toYear; y++) {
    const start = year(y).find((h) => h.name === 'ramadan');
    if (!start) continue;
    const from = day(start);
    const end = [...year(y), ...year(y + 1)].filter((h) => h.name === 'shawwal').map(day).filter((t) => t > from).sort((a, b) => a - b)[0];
    if (end === undefined) continue;
    for (let t = from; t < end; t += 86_400_000) out.add(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

/**
 * Local dates `YYYY-MM-DD` of the fasting month of Ramadan (1 Ramadan up to the day before 1 Shawwal, from
 * date-holidays' Hijri calendar) in the years `fromYear − 1 … toYear`, for a country whose public holidays include
 * Eid al-Fitr (a holiday ruled by Shawwal or Ramadan: EG, ID, TR, PK, SA, …); empty elsewhere and for unknown codes.
 * The country calendar's `fasting` (countryCalendar reads the holidays once and caches them).
 */
export function ramadanDates(country: string, fromYear: number, toYear: number): Set<string> {
  return countryCalendar(country, fromYear, toYear).fasting;
}

/** Weekend days of a country per CLDR (e.g. SA → Friday–Saturday, IR → Friday). Falls back to Sat–Sun. */
export function weekendDays(country: string): number[] {
  try {
    const loc = new Intl.Locale(`und-${country}`) as Intl.Locale & { weekInfo?: { weekend: number[] }; getWeekInfo?: () => { weekend: number[] } };
    const info = loc.getWeekInfo?.() ?? loc.weekInfo;
    if (info && Array.isArray(info.weekend) && info.weekend.length > 0) return [...info.weekend];
  } catch {
    /* unknown region: fall through */
  }
  return [6, 7];
}

const calendarCache = new Map<string, CountryCalendar>();

/** Builds (and caches) a country's calendar covering `fromYear..toYear` holidays. */
export function countryCalendar(country: string, fromYear: number, toYear: number): CountryCalendar {
  const key = `${country}|${fromYear}|${toYear}`;
  const hit = calendarCache.get(key);
  if (hit) return hit;
  const hd = new Holidays();
  const hasHolidayData = Boolean(hd.init(country));
  const holidays = new Map<string, string>();
  let observesRamadan = false;
  if (hasHolidayData) {
    for (let y = fromYear; y <= toYear; y++) {
      for (const h of hd.getHolidays(y)) {
        if (h.type !== 'public') continue;
        observesRamadan ||= isFastingHoliday(h);
        const days = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / 86_400_000));
        const first = new Date(`${h.date.slice(0, 10)}T00:00:00Z`);
        for (let d = 0; d < days; d++) holidays.set(new Date(first.getTime() + d * 86_400_000).toISOString().slice(0, 10), h.name);
      }
    }
  }
  // the holidays just read tell whether the country observes Ramadan
  const fasting = observesRamadan ? fastingMonthDates(fromYear, toYear) : new Set<string>();
  const cal: CountryCalendar = { country, timezone: countryTimezone(country), weekend: weekendDays(country), holidays, hasHolidayData, fasting };
  calendarCache.set(key, cal);
  return cal;
}

/** Local calendar columns for a series of UTC hours. */
export interface LocalTimeColumns {
  /** Local hour of day, 0–23. */
  hour: Uint8Array;
  /** Local ISO weekday, 1 = Monday … 7 = Sunday. */
  weekday: Uint8Array;
  /** Local month, 1–12. */
  month: Uint8Array;
  /** Local day of year, 1–366. */
  dayOfYear: Uint16Array;
  /** Index into DAY_TYPES. */
  dayType: Uint8Array;
  /** Offset from UTC in minutes (DST aware). */
  offsetMinutes: Int16Array;
  /**
   * 1 on days whose daily rhythm the recent days do not show: the first SHIFT_DAYS days of the fasting month and the
   * SHIFT_DAYS days after it (CountryCalendar.fasting); 0 elsewhere.
   */
  shift: Uint8Array;
  /** 1 on the days of the fasting month (CountryCalendar.fasting); 0 elsewhere. */
  fasting: Uint8Array;
}

/** Whether local date `key` is a shift day: its fasting status differs from one of the SHIFT_DAYS days before it. */
function isShiftDay(fasting: Set<string>, key: string): boolean {
  if (fasting.size === 0) return false;
  const t = Date.parse(`${key}T00:00:00Z`);
  const f = fasting.has(key);
  for (let k = 1; k <= SHIFT_DAYS; k++) if (fasting.has(new Date(t - k * 86_400_000).toISOString().slice(0, 10)) !== f) return true;
  return false;
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();
/** UTC offset (minutes) of `tz` at instant `ms`, DST aware. */
export function utcOffsetMinutes(tz: string, ms: number): number {
  let f = offsetFormatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
    offsetFormatters.set(tz, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(ms)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return Math.round((asUtc - Math.floor(ms / 60000) * 60000) / 60000);
}

/**
 * Local calendar columns for `timestamps` (epoch ms, UTC). The offset is looked up once per UTC day
 * boundary change and re-checked hourly only around changes, which keeps 3 years of hours fast.
 */
export function localTimeColumns(cal: CountryCalendar, timestamps: ArrayLike<number>): LocalTimeColumns {
  const n = timestamps.length;
  const out: LocalTimeColumns = {
    hour: new Uint8Array(n),
    weekday: new Uint8Array(n),
    month: new Uint8Array(n),
    dayOfYear: new Uint16Array(n),
    dayType: new Uint8Array(n),
    offsetMinutes: new Int16Array(n),
    shift: new Uint8Array(n),
    fasting: new Uint8Array(n),
  };
  // shift and fasting are properties of the local day: looked up once per day
  let dayKey = '';
  let shiftDay = 0;
  let fastingDay = 0;
  const weekend = new Set(cal.weekend);
  let cachedDay = NaN;
  let dayOffsetStart = 0;
  let dayOffsetEnd = 0;
  for (let i = 0; i < n; i++) {
    const ms = timestamps[i];
    const utcDay = Math.floor(ms / 86_400_000);
    if (utcDay !== cachedDay) {
      cachedDay = utcDay;
      dayOffsetStart = utcOffsetMinutes(cal.timezone, utcDay * 86_400_000);
      dayOffsetEnd = utcOffsetMinutes(cal.timezone, utcDay * 86_400_000 + 86_399_000);
    }
    const off = dayOffsetStart === dayOffsetEnd ? dayOffsetStart : utcOffsetMinutes(cal.timezone, ms);
    const local = new Date(ms + off * 60_000);
    const dow = local.getUTCDay();
    const iso = dow === 0 ? 7 : dow;
    const key = local.toISOString().slice(0, 10);
    out.hour[i] = local.getUTCHours();
    out.weekday[i] = iso;
    out.month[i] = local.getUTCMonth() + 1;
    out.dayOfYear[i] = Math.floor((Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) - Date.UTC(local.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
    out.dayType[i] = cal.holidays.has(key) ? 2 : weekend.has(iso) ? 1 : 0;
    out.offsetMinutes[i] = off;
    if (key !== dayKey) {
      dayKey = key;
      shiftDay = isShiftDay(cal.fasting, key) ? 1 : 0;
      fastingDay = cal.fasting.has(key) ? 1 : 0;
    }
    out.shift[i] = shiftDay;
    out.fasting[i] = fastingDay;
  }
  return out;
}
