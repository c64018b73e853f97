/**
 * The overview: every served country's state over a window (normal, anomalous now, event in window, data late, no
 * model), its peak probability and evidence, open or worst event and data freshness, and a feed of the newest events
 * across all countries. Computed from the detection service, merged with the live watcher's state when a watch
 * database exists.
 */
import { DAY_MS, HOUR_MS } from '../base/time';
import { summarizeDetectResult, type WindowSummary } from '../detect/summary';
import type { AnomalyEvent } from '../detect/types';
import { isRadarwatchError } from '../errors';
import { countryName } from '../util/countries';
import { alpha3 } from '../util/iso3';
import { isCountryCode } from '../util/series-id';
import { peakAbove, peakHour, type HourPeak } from '../watch/peak';
import type { DataStatus, WatchEvent } from '../watch/types';
import type { WatchedCountry, WatchWindow } from '../watch/view';
import type { DetectionService, ServedCountry } from './deps';
import { mapResolution } from './vendor';

/** The windows the overview offers, by name, in ms. */
export const OVERVIEW_WINDOWS = Object.freeze({ '24h': DAY_MS, '7d': 7 * DAY_MS, '30d': 30 * DAY_MS });
export type OverviewWindow = keyof typeof OVERVIEW_WINDOWS;

/**
 * A country's state, most urgent first: `anomalous` = an event is open now (the watcher's open event, or one running
 * to the end of up-to-date data); `late` = its newest data is watch.lateAfterHours or more behind (or the watcher
 * reports it late or missing); `event` = an event in the window; `normal`; `no_model` = configured but not served.
 */
export const COUNTRY_STATES = ['anomalous', 'late', 'event', 'normal', 'no_model'] as const;
export type CountryState = (typeof COUNTRY_STATES)[number];

/** Newest events listed in the feed, at most. */
export const FEED_LIMIT = 50;

const SEVERITY_RANK: Record<AnomalyEvent['severity'], number> = { low: 1, medium: 2, high: 3, critical: 4 };

/** An event as the overview shows it. */
export interface OverviewEvent extends AnomalyEvent {
  country: string;
  name: string;
  /** `open`: still running (announced open by the watcher, or reaching the end of up-to-date data). */
  status: 'open' | 'closed';
  /** `watch`: announced by `radarwatch watch`; `detect`: found by the detection service in its table. */
  source: 'detect' | 'watch';
  /** The country view on the days around the event (relative URL). */
  view: string;
}

/** One served country (or imported series). Times are ISO-8601 UTC. */
export interface OverviewRow {
  code: string;
  name: string;
  /** ISO 3166-1 alpha-3 for the map; null for an imported series. */
  iso3: string | null;
  state: Exclude<CountryState, 'no_model'>;
  /**
   * The window's most anomalous hour, chosen as an event's peak is (by evidence where the hours compared carry it, else
   * by probability): its calibrated probability, its evidence (decades, as `hours[].evidence` of /api/detect; null where
   * unknown: hours without evidence, such as those the watcher scored before it kept it)
   * and its start.
   */
  peakProbability: number | null;
  peakEvidence: number | null;
  peakAt: string | null;
  scoredHours: number;
  anomalousHours: number;
  /** Calibrated probability of the newest scored hour. */
  lastProbability: number | null;
  /** Start of the hour holding the newest data (table or watcher). */
  lastDataHour: string;
  /** Whole hours between the end of that data and the end of the window. */
  hoursBehind: number;
  /** End (exclusive) of the model's training data. */
  trainedTo: string;
  /** The watcher's data status, when it watches this country. */
  watch?: { status: DataStatus; detail?: string };
  /** The open event, else the most severe (then newest) event in the window. */
  event: OverviewEvent | null;
  /** Events in the window. */
  events: number;
}

/** `GET /api/overview`: what the overview page draws. */
export interface Overview {
  window: OverviewWindow;
  /** The window [from, to): it ends at the newest data (table or watcher). */
  from: string;
  to: string;
  /** True when the newest data is more than a day old: the window ends at the data, not now. */
  historical: boolean;
  generatedAt: string;
  /** Probability threshold (0.5). */
  threshold: number;
  /** Whether a watch database exists (then its state and events are merged in). */
  watch: boolean;
  /** The world map to draw: resolution 110 (small file) unless a country is only on the 50 m map. */
  map: { resolution: 110 | 50 };
  counts: Record<CountryState, number>;
  /** Served countries and imported series, most urgent first (state, then severity, then peak: rowOrder). */
  countries: OverviewRow[];
  /** Configured countries without a served model, and model folders that failed to load. */
  unmodelled: { code: string; name: string; iso3: string | null; reason: string }[];
  /** The newest events of the window across all countries, newest first, at most FEED_LIMIT. */
  feed: OverviewEvent[];
  warnings?: string[];
}

export interface OverviewInput {
  service: DetectionService;
  /** The watcher's state over the window (see windowBounds), when a watch database exists. */
  watch?: WatchWindow;
  window: OverviewWindow;
  /** Wall clock, epoch ms. */
  now: number;
  /** Hours behind after which data counts as late (watch.lateAfterHours). */
  lateAfterHours: number;
  /** The configured country list (models.yml countries): those without a model are listed as unmodelled. */
  configured: string[];
  /** Summaries kept from the previous build of the same window (createOverviewSource keeps one per window). */
  memo?: SummaryMemo;
}

/**
 * Each served country's window summary from the last build, for the next. A served country's table and model do not
 * change while the service serves it (a grown table is served over the rows found at start; a model folder that
 * changes fails its checks and is degraded), so its summary of the same range is the same. A watcher's cycle commits
 * country after country; after its first commit moved the window, a rebuild takes the table parts from here and reads
 * only the watcher's hours anew (250 series over 30 days: a build of 17–26 ms takes 4–7 ms). Keyed by the service's
 * ServedCountry object; failed summaries are not kept.
 */
export class SummaryMemo {
  private kept = new WeakMap<ServedCountry, { from: number; to: number; summary: WindowSummary }>();

  /** The summary of `c` over [from, to), from the last build when it covered the same range, else from `compute`. */
  async get(c: ServedCountry, from: number, to: number, compute: () => Promise<WindowSummary>): Promise<WindowSummary> {
    const k = this.kept.get(c);
    if (k && k.from === from && k.to === to) return k.summary;
    const summary = await compute();
    this.kept.set(c, { from, to, summary });
    return summary;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
const floorHour = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;

/** ISO alpha-3 of a served id, only for country codes (imported ids are series, not places). */
export function iso3Of(code: string): string | null {
  return code === code.toUpperCase() && isCountryCode(code) ? (alpha3(code) ?? null) : null;
}

/** Where the newest data ends (exclusive, epoch ms): the latest table end or watched hour; NaN when there is none. */
export function dataEnd(served: ServedCountry[], watched: Pick<WatchedCountry, 'lastStoredHour'>[] = []): number {
  let end = -Infinity;
  for (const c of served) end = Math.max(end, Date.parse(c.dataTo));
  for (const w of watched) end = Math.max(end, w.lastStoredHour + HOUR_MS);
  return Number.isFinite(end) ? end : NaN;
}

/** The window [from, to) of `window` ending at `end`. */
export function windowBounds(window: OverviewWindow, end: number): { from: number; to: number } {
  return { from: end - OVERVIEW_WINDOWS[window], to: end };
}

/** The country view's URL for an event: the day before its start to the day after its end. */
export function eventView(country: string, e: Pick<AnomalyEvent, 'start' | 'end'>): string {
  const day = (ms: number) => iso(ms).slice(0, 10);
  const from = Math.floor(Date.parse(e.start) / DAY_MS) * DAY_MS - DAY_MS;
  const to = Math.floor((Date.parse(e.end) - 1) / DAY_MS) * DAY_MS + DAY_MS;
  return `country?${new URLSearchParams({ country, from: day(from), to: day(to), event: e.start })}`;
}

/** The event as the overview shows it; its `view` is filled in only for the events that are sent (withView). */
function toOverviewEvent(code: string, name: string, e: AnomalyEvent, status: 'open' | 'closed', source: 'detect' | 'watch'): OverviewEvent {
  // only the fields the page shows: watch events also carry id, openedAt, closedAt
  const { start, end, hours, peakScore, peakEvidence, peakAt, severity, cause, topSignals } = e;
  return { country: code, name, start, end, hours, peakScore, ...(peakEvidence !== undefined ? { peakEvidence } : {}), peakAt, severity, cause, topSignals, status, source, view: '' };
}

function withView(e: OverviewEvent): OverviewEvent {
  if (!e.view) e.view = eventView(e.country, e);
  return e;
}

const overlaps = (a: Pick<AnomalyEvent, 'start' | 'end'>, b: Pick<AnomalyEvent, 'start' | 'end'>) => Date.parse(a.start) < Date.parse(b.end) && Date.parse(b.start) < Date.parse(a.end);

/** Newest first; event times are all `toISOString()` text, so text order is time order. */
const byStartDesc = (a: OverviewEvent, b: OverviewEvent) => (a.start < b.start ? 1 : a.start > b.start ? -1 : 0);

/** Most urgent first: open, then severity, then newest start. */
function eventOrder(a: OverviewEvent, b: OverviewEvent): number {
  return Number(b.status === 'open') - Number(a.status === 'open') || SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || byStartDesc(a, b);
}

/**
 * Higher peak first: by evidence where both rows have it (two peaks at probability 1 still differ there), else by
 * probability, as peakHour compares hours; then by probability, and a row without a peak last.
 */
function peakOrder(a: Pick<OverviewRow, 'peakProbability' | 'peakEvidence'>, b: Pick<OverviewRow, 'peakProbability' | 'peakEvidence'>): number {
  const pa = { probability: a.peakProbability ?? -1, evidence: a.peakEvidence };
  const pb = { probability: b.peakProbability ?? -1, evidence: b.peakEvidence };
  return Number(peakAbove(pb, pa)) - Number(peakAbove(pa, pb)) || pb.probability - pa.probability;
}

/** Rows most urgent first: state, then event severity, then peak (peakOrder), then code. */
export function rowOrder(a: OverviewRow, b: OverviewRow): number {
  const sev = (r: OverviewRow) => (r.event ? SEVERITY_RANK[r.event.severity] : 0);
  return COUNTRY_STATES.indexOf(a.state) - COUNTRY_STATES.indexOf(b.state) || sev(b) - sev(a) || peakOrder(a, b) || a.code.localeCompare(b.code);
}

/** The window of one served country's table: [max(from, dataFrom), min(to, dataTo)), or undefined when they do not meet. */
function tableRange(c: ServedCountry, from: number, to: number): { from: number; to: number } | undefined {
  const f = Math.max(from, Date.parse(c.dataFrom));
  const t = Math.min(to, Date.parse(c.dataTo));
  return f < t ? { from: f, to: t } : undefined;
}

/** The service's summary of a range: summarize() when the service has it, else detect() condensed. */
async function summaryOf(service: DetectionService, code: string, from: number, to: number): Promise<WindowSummary> {
  if (service.summarize) return service.summarize(code, new Date(from), new Date(to));
  return summarizeDetectResult(await service.detect(code, new Date(from), new Date(to), { series: false }));
}

/**
 * Builds the overview. The window ends at the newest data (dataEnd): with live data that is about now, with a
 * historical table it is the table's last hour. Per country, the table's summary over the window and the watcher's
 * scores after the table (and its announced events) are merged; a watcher event replaces the table's events it overlaps.
 */
export async function buildOverview(input: OverviewInput): Promise<Overview> {
  const { service, watch } = input;
  const served = service.countries();
  const watched = new Map((watch?.countries ?? []).map((w) => [w.country, w]));
  const end = dataEnd(served, watch?.countries);
  const asOf = Number.isFinite(end) ? end : floorHour(input.now);
  const { from, to } = windowBounds(input.window, asOf);
  const warnings: string[] = [];
  const watchEvents = new Map<string, WatchEvent[]>();
  for (const e of watch?.events ?? []) watchEvents.set(e.country, [...(watchEvents.get(e.country) ?? []), e]);
  const feed: OverviewEvent[] = [];
  const rows: OverviewRow[] = [];

  for (const c of served) {
    const w = watched.get(c.code);
    const range = tableRange(c, from, to);
    let s: WindowSummary | undefined;
    if (range) {
      try {
        const summarise = () => summaryOf(service, c.code, range.from, range.to);
        s = await (input.memo ? input.memo.get(c, range.from, range.to, summarise) : summarise());
      } catch (e) {
        if (!isRadarwatchError(e)) throw e;
        warnings.push(`${c.code}: ${e.message}`);
      }
    }
    const tableEnd = Date.parse(c.dataTo);
    const lastEnd = Math.max(tableEnd, w ? w.lastStoredHour + HOUR_MS : -Infinity);
    const hoursBehind = Math.max(0, Math.floor((asOf - lastEnd) / HOUR_MS));
    const late = hoursBehind >= input.lateAfterHours || w?.status === 'late' || w?.status === 'missing';

    // peak and counts: the table's hours, then the watcher's (which the server reads from where the table ends)
    const tablePeak: HourPeak | null = s && s.peakProbability !== null && s.peakAt !== null ? { probability: s.peakProbability, evidence: s.peakEvidence, hour: Date.parse(s.peakAt) } : null;
    const peak = peakHour([tablePeak, w?.peak ?? null].filter((p): p is HourPeak => p !== null));
    const wLast = w?.last && w.last.hour >= tableEnd ? w.last : null;
    const lastProbability = wLast ? wLast.probability : (s?.last?.probability ?? null);

    const wEvents = (watchEvents.get(c.code) ?? []).map((e) => toOverviewEvent(c.code, c.name, e, e.status, 'watch'));
    const tEvents = (s?.events ?? [])
      .filter((e) => !wEvents.some((x) => overlaps(x, e)))
      // an event reaching the end of up-to-date data is still running
      .map((e) => toOverviewEvent(c.code, c.name, e, !late && s && Date.parse(e.end) >= Date.parse(s.to) && !w ? 'open' : 'closed', 'detect'));
    const events = [...wEvents, ...tEvents].filter((e) => e.status === 'open' || Date.parse(e.end) > from);
    let worst: OverviewEvent | null = null;
    for (const e of events) if (!worst || eventOrder(e, worst) < 0) worst = e;
    const open = events.some((e) => e.status === 'open');
    const state: OverviewRow['state'] = open ? 'anomalous' : late ? 'late' : events.length ? 'event' : 'normal';
    feed.push(...events);
    rows.push({
      code: c.code,
      name: c.name,
      iso3: iso3Of(c.code),
      state,
      peakProbability: peak?.probability ?? null,
      peakEvidence: peak?.evidence ?? null,
      peakAt: peak ? iso(peak.hour) : null,
      scoredHours: (s?.scorableRows ?? 0) + (w?.scoredHours ?? 0),
      anomalousHours: (s?.anomalousRows ?? 0) + (w?.anomalousHours ?? 0),
      lastProbability,
      lastDataHour: iso(floorHour(lastEnd - 1)),
      hoursBehind,
      trainedTo: c.trainedTo,
      ...(w ? { watch: { status: w.status, ...(w.statusDetail ? { detail: w.statusDetail } : {}) } } : {}),
      event: worst && withView(worst),
      events: events.length,
    });
  }

  // a model that failed its checks when first loaded (by this build) is degraded now: listed with the unmodelled, not
  // as a row whose missing summary would read as a quiet "normal"
  const degraded = service.degraded?.() ?? [];
  const failed = new Set(degraded.map((d) => d.country));
  const servedCodes = new Set(served.map((c) => c.code).filter((cc) => !failed.has(cc)));
  if (servedCodes.size < served.length) {
    rows.splice(0, rows.length, ...rows.filter((r) => servedCodes.has(r.code)));
    feed.splice(0, feed.length, ...feed.filter((e) => servedCodes.has(e.country)));
  }

  // watched countries the service does not serve still feed their events
  for (const [code, list] of watchEvents) {
    if (!servedCodes.has(code)) feed.push(...list.map((e) => toOverviewEvent(code, countryName(code), e, e.status, 'watch')));
  }

  const unmodelled = [
    ...degraded.filter((d) => !servedCodes.has(d.country)).map((d) => ({ code: d.country, reason: d.reason })),
    ...input.configured.filter((cc) => !servedCodes.has(cc) && !degraded.some((d) => d.country === cc)).map((cc) => ({ code: cc, reason: `no model under results/models; run \`radarwatch train ${cc}\` and \`radarwatch calibrate ${cc}\`` })),
  ].map((u) => ({ code: u.code, name: countryName(u.code), iso3: iso3Of(u.code), reason: u.reason }));

  rows.sort(rowOrder);
  feed.sort((a, b) => byStartDesc(a, b) || a.country.localeCompare(b.country));
  const counts = Object.fromEntries(COUNTRY_STATES.map((st) => [st, 0])) as Record<CountryState, number>;
  for (const r of rows) counts[r.state]++;
  counts.no_model = unmodelled.length;
  return {
    window: input.window,
    from: iso(from),
    to: iso(to),
    historical: input.now - to > DAY_MS,
    generatedAt: iso(input.now),
    threshold: 0.5,
    watch: watch !== undefined,
    map: { resolution: mapResolution([...rows, ...unmodelled].flatMap((r) => (r.iso3 ? [r.iso3] : []))) },
    counts,
    countries: rows,
    unmodelled,
    feed: feed.slice(0, FEED_LIMIT).map(withView),
    ...(warnings.length ? { warnings } : {}),
  };
}
