/** Turns Radar label feeds (outages, traffic anomalies, time-series annotations) into merged LabelWindows and unreliable-data windows. */
import { DataError } from '../errors';
import { ANOMALY_KINDS, HOUR_MS, type AnomalyKind, type LabelSource, type LabelWindow } from '../data/types';
import { isoUtc, parseRadarTime, type RadarAnnotation } from './parse';
import { labelKindPerStep } from '../data/grid';

/** A [start, end) span in epoch ms. */
export interface TimeWindow {
  start: number;
  end: number;
}

/** Context for turning events into windows. */
export interface LabelOptions {
  /** ISO alpha-2 code the labels are for. */
  country: string;
  /** Epoch ms where ongoing events (endDate null) end: the end of the data range. */
  rangeEnd: number;
  /** Also keep UNVERIFIED traffic anomalies (Cloudflare's raw detector output). Default false. */
  includeUnverified?: boolean;
}

/** A window before merging: `kindGuessed` when the feed did not say which kind it was. */
export interface LabelCandidate extends LabelWindow {
  startMs: number;
  endMs: number;
  kindGuessed: boolean;
}

// When windows of several feeds merge, the most curated source names the result.
const SOURCE_RANK: Record<LabelSource, number> = { synthetic: 0, csv: 0, 'radar-outage': 1, 'radar-annotation': 2, 'radar-anomaly': 3 };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates a `radarwatchKind` extension field. */
function explicitKind(v: unknown, where: string): AnomalyKind | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' && (ANOMALY_KINDS as readonly string[]).includes(v)) return v as AnomalyKind;
  throw new DataError(`${where}: radarwatchKind ${JSON.stringify(v)} is not a known kind; expected one of ${ANOMALY_KINDS.join(', ')}.`);
}

/** Location codes of an `asnsDetails[]` / `asnDetails` entry, accepting `location` and `locations`. */
function asnLocations(d: unknown): string[] {
  if (!isObject(d)) return [];
  const out: string[] = [];
  for (const l of [d.location, d.locations].flatMap((x) => (Array.isArray(x) ? x : [x]))) {
    if (isObject(l) && typeof l.code === 'string') out.push(l.code.toUpperCase());
    else if (typeof l === 'string') out.push(l.toUpperCase());
  }
  return out;
}

/** [start, end) of an event; null end = ongoing (ends at rangeEnd); instantaneous or zero-length events last one hour. */
function spanOf(startV: unknown, endV: unknown, opts: LabelOptions, where: string, instantaneous = false): TimeWindow {
  const start = parseRadarTime(startV, `${where}.startDate`);
  let end = endV === null || endV === undefined || endV === '' ? (instantaneous ? start + HOUR_MS : opts.rangeEnd) : parseRadarTime(endV, `${where}.endDate`);
  if (end <= start) end = start + HOUR_MS;
  return { start, end };
}

function candidate(span: TimeWindow, kind: AnomalyKind, kindGuessed: boolean, source: LabelSource, id: string | undefined, description: string | undefined): LabelCandidate {
  return {
    start: isoUtc(span.start),
    end: isoUtc(span.end),
    kind,
    source,
    ...(id ? { id } : {}),
    ...(description ? { description } : {}),
    startMs: span.start,
    endMs: span.end,
    kindGuessed,
  };
}

/**
 * `/annotations/outages` items → windows. Kind: `radarwatchKind` when present, else outageType
 * NATIONWIDE → outage, REGIONAL / NETWORK / anything else → partial_outage. Items naming only other
 * countries (in locations, locationsDetails or asnsDetails) are dropped; items naming none are kept,
 * since the request was already filtered by `location`.
 */
export function outageLabels(items: unknown[], opts: LabelOptions, where = 'outages'): LabelCandidate[] {
  const cc = opts.country.toUpperCase();
  const out: LabelCandidate[] = [];
  items.forEach((it, i) => {
    const w = `${where}[${i}]`;
    if (!isObject(it)) throw new DataError(`${w}: expected an outage annotation object, got ${JSON.stringify(it)}.`);
    const named = new Set<string>();
    if (Array.isArray(it.locations)) it.locations.forEach((l) => typeof l === 'string' && named.add(l.toUpperCase()));
    if (Array.isArray(it.locationsDetails)) it.locationsDetails.forEach((l) => isObject(l) && typeof l.code === 'string' && named.add(l.code.toUpperCase()));
    if (Array.isArray(it.asnsDetails)) it.asnsDetails.forEach((d) => asnLocations(d).forEach((c) => named.add(c)));
    if (named.size > 0 && !named.has(cc)) return;
    const rk = explicitKind(it.radarwatchKind, w);
    const type = isObject(it.outage) ? String(it.outage.outageType ?? '').toUpperCase() : '';
    const kind: AnomalyKind = rk ?? (type === 'NATIONWIDE' ? 'outage' : 'partial_outage');
    const cause = isObject(it.outage) && typeof it.outage.outageCause === 'string' ? it.outage.outageCause : '';
    const desc = [typeof it.description === 'string' ? it.description : '', typeof it.scope === 'string' ? it.scope : '', cause].filter(Boolean).join('; ');
    const id = it.id !== undefined && it.id !== null ? `outage:${String(it.id)}` : undefined;
    out.push(candidate(spanOf(it.startDate, it.endDate, opts, w), kind, false, 'radar-outage', id, desc || undefined));
  });
  return out;
}

/**
 * `/traffic_anomalies` items → windows. Keeps type LOCATION for the country, and AS when the AS's
 * location(s) is the country; status VERIFIED (UNVERIFIED only with `includeUnverified`). Kind:
 * `radarwatchKind`, else partial_outage, because Radar's anomalies are traffic drops of unknown extent.
 */
export function anomalyLabels(items: unknown[], opts: LabelOptions, where = 'trafficAnomalies'): LabelCandidate[] {
  const cc = opts.country.toUpperCase();
  const out: LabelCandidate[] = [];
  items.forEach((it, i) => {
    const w = `${where}[${i}]`;
    if (!isObject(it)) throw new DataError(`${w}: expected a traffic anomaly object, got ${JSON.stringify(it)}.`);
    const status = String(it.status ?? '').toUpperCase();
    if (status !== 'VERIFIED' && !(opts.includeUnverified && status === 'UNVERIFIED')) return;
    const type = String(it.type ?? '').toUpperCase();
    if (type === 'LOCATION') {
      const code = isObject(it.locationDetails) && typeof it.locationDetails.code === 'string' ? it.locationDetails.code.toUpperCase() : cc;
      if (code !== cc) return;
    } else if (type === 'AS') {
      if (!asnLocations(it.asnDetails).includes(cc)) return;
    } else return; // ORIGIN (cloud regions) and unknown types are not country events
    const rk = explicitKind(it.radarwatchKind, w);
    const asName = type === 'AS' && isObject(it.asnDetails) ? `AS${String(it.asnDetails.asn ?? '?')} ${String(it.asnDetails.name ?? '')}`.trim() : '';
    const desc = [`${status.toLowerCase()} ${type.toLowerCase()} anomaly`, asName].filter(Boolean).join(': ');
    const id = typeof it.uuid === 'string' ? `anomaly:${it.uuid}` : undefined;
    out.push(candidate(spanOf(it.startDate, it.endDate, opts, w), rk ?? 'partial_outage', rk === undefined, 'radar-anomaly', id, desc));
  });
  return out;
}

/**
 * Time-series `meta.confidenceInfo.annotations` → labels (OUTAGE, TRAFFIC_ANOMALY; kind from
 * `radarwatchKind`, else a partial_outage guess) and unreliable windows (PIPELINE, PARTIAL_PROJECTION).
 */
export function annotationWindows(annotations: RadarAnnotation[], opts: LabelOptions): { labels: LabelCandidate[]; unreliable: TimeWindow[] } {
  const labels: LabelCandidate[] = [];
  const unreliable: TimeWindow[] = [];
  annotations.forEach((a, i) => {
    if (a.start === null) return; // nothing to place on the time axis
    const end = a.end ?? (a.isInstantaneous ? a.start + HOUR_MS : opts.rangeEnd);
    const span = { start: a.start, end: end > a.start ? end : a.start + HOUR_MS };
    if (a.eventType === 'PIPELINE' || a.eventType === 'PARTIAL_PROJECTION') unreliable.push(span);
    else if (a.eventType === 'OUTAGE' || a.eventType === 'TRAFFIC_ANOMALY') {
      const rk = explicitKind(a.radarwatchKind, `annotations[${i}]`);
      const desc = [a.eventType.toLowerCase(), a.dataSource, a.description].filter(Boolean).join(': ');
      labels.push(candidate(span, rk ?? 'partial_outage', rk === undefined, 'radar-annotation', undefined, desc));
    }
  });
  return { labels, unreliable };
}

/** Union of windows: overlapping or touching spans become one, sorted by start. */
export function mergeTimeWindows(windows: TimeWindow[]): TimeWindow[] {
  const sorted = [...windows].sort((a, b) => a.start - b.start);
  const out: TimeWindow[] = [];
  for (const w of sorted) {
    const last = out[out.length - 1];
    if (last && w.start <= last.end) last.end = Math.max(last.end, w.end);
    else out.push({ ...w });
  }
  return out;
}

function overlaps(a: TimeWindow, b: TimeWindow): boolean {
  return a.start < b.end && b.start < a.end;
}

/**
 * Merges candidates into final windows, so one event seen in several feeds or chunks is one window:
 * 1. same-kind windows that overlap or touch merge into their union (the most curated source,
 *    outage feed > annotation > anomaly, gives id/description);
 * 2. a window whose kind was only guessed (an anomaly or annotation without radarwatchKind) that
 *    overlaps a window of known kind is the same event seen by a less specific feed and is dropped.
 */
export function mergeLabels(cands: LabelCandidate[]): LabelWindow[] {
  const byKind = new Map<string, LabelCandidate[]>();
  for (const c of [...cands].sort((a, b) => a.startMs - b.startMs || SOURCE_RANK[a.source] - SOURCE_RANK[b.source])) {
    const list = byKind.get(c.kind) ?? [];
    const last = list[list.length - 1];
    if (last && c.startMs <= last.endMs) {
      const keep = SOURCE_RANK[c.source] < SOURCE_RANK[last.source] ? c : last;
      list[list.length - 1] = { ...keep, startMs: last.startMs, endMs: Math.max(last.endMs, c.endMs), kindGuessed: last.kindGuessed && c.kindGuessed };
    } else list.push({ ...c });
    byKind.set(c.kind, list);
  }
  const merged = [...byKind.values()].flat();
  const known = merged.filter((m) => !m.kindGuessed);
  const kept = merged.filter((m) => !m.kindGuessed || !known.some((k) => overlaps({ start: m.startMs, end: m.endMs }, { start: k.startMs, end: k.endMs })));
  return kept
    .sort((a, b) => a.startMs - b.startMs || ANOMALY_KINDS.indexOf(a.kind) - ANOMALY_KINDS.indexOf(b.kind))
    .map(({ startMs, endMs, kindGuessed: _g, ...w }) => ({ ...w, start: isoUtc(startMs), end: isoUtc(endMs) }));
}

/** Label kind per hour of an hourly grid (labelKindPerStep at 1 h): the first kind in ANOMALY_KINDS order wins; '' = normal. */
export function labelKindPerHour(timestamps: ArrayLike<number>, labels: LabelWindow[]): string[] {
  return labelKindPerStep(timestamps, labels, HOUR_MS);
}

/** 1 for each hour overlapping one of `windows`. */
export function hoursInWindows(timestamps: ArrayLike<number>, windows: TimeWindow[]): Uint8Array {
  const out = new Uint8Array(timestamps.length);
  if (timestamps.length === 0) return out;
  const t0 = timestamps[0];
  for (const w of windows) {
    for (let i = Math.max(0, Math.floor((w.start - t0) / HOUR_MS)); i < timestamps.length && timestamps[i] < w.end; i++) {
      if (timestamps[i] + HOUR_MS > w.start) out[i] = 1;
    }
  }
  return out;
}
