/** Turns Radar label feeds (outages, traffic anomalies, time-series annotations) into label candidates and unreliable-data windows (merged by base/labels). */
import { ANOMALY_KINDS, labelCandidate, type AnomalyKind, type LabelCandidate, type TimeWindow } from '../base/labels';
import { HOUR_MS } from '../base/time';
import { DataError } from '../errors';
import { parseRadarTime, type RadarAnnotation } from './parse';

/** Context for turning events into windows. */
export interface LabelOptions {
  /** ISO alpha-2 code the labels are for. */
  country: string;
  /** Epoch ms where ongoing events (endDate null) end: the end of the data range. */
  rangeEnd: number;
  /** Also keep UNVERIFIED traffic anomalies (Cloudflare's raw detector output). Default false. */
  includeUnverified?: boolean;
}

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
    out.push(labelCandidate(spanOf(it.startDate, it.endDate, opts, w), kind, false, 'radar-outage', id, desc || undefined));
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
    out.push(labelCandidate(spanOf(it.startDate, it.endDate, opts, w), rk ?? 'partial_outage', rk === undefined, 'radar-anomaly', id, desc));
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
      labels.push(labelCandidate(span, rk ?? 'partial_outage', rk === undefined, 'radar-annotation', undefined, desc));
    }
  });
  return { labels, unreliable };
}
