/**
 * Labels of injected anomalies in Radar's own shapes: outages as `/annotations/outages` items, the
 * other kinds as `/traffic_anomalies` items, PIPELINE windows as `/annotations` items, and plain
 * LabelWindow records. Every synthetic item carries one extension field, `radarwatchKind`, which real
 * Radar items lack (the parser derives the kind from `outage.outageType` for those).
 */
import type { AnomalyKind, LabelWindow } from '../../base/labels';
import { isoSeconds } from '../../base/time';
import { countryName } from '../../util/countries';
import type { InjectedAnomaly } from './anomalies';
import type { PipelineWindow } from './quality';

/** Item of `result.annotations` from `/radar/annotations/outages` (plus `radarwatchKind`). */
export interface RadarOutageAnnotation {
  id: string;
  dataSource: string;
  eventType: 'OUTAGE';
  startDate: string;
  /** null while the outage is ongoing (at the server's `now`). */
  endDate: string | null;
  locations: string[];
  locationsDetails: { code: string; name: string }[];
  asns: number[];
  asnsDetails: { asn: string; name: string; location?: { code: string; name: string } }[];
  outage: { outageCause: string; outageType: 'NATIONWIDE' | 'REGIONAL' | 'NETWORK' };
  description: string | null;
  scope: string | null;
  linkedUrl: string | null;
  /** radarwatch extension: the anomaly kind of a synthetic item. */
  radarwatchKind?: AnomalyKind;
}

/** Item of `result.trafficAnomalies` from `/radar/traffic_anomalies` (plus `radarwatchKind`). */
export interface RadarTrafficAnomaly {
  uuid: string;
  type: 'LOCATION' | 'AS' | 'ORIGIN';
  status: 'VERIFIED' | 'UNVERIFIED';
  startDate: string;
  endDate: string | null;
  locationDetails: { code: string; name: string };
  visibleInDataSources: string[];
  /** radarwatch extension: the anomaly kind of a synthetic item. */
  radarwatchKind?: AnomalyKind;
}

/** Item of `/radar/annotations` for a PIPELINE (unreliable data) window. */
export interface RadarPipelineAnnotation {
  id: string;
  dataSource: string;
  eventType: 'PIPELINE';
  startDate: string;
  endDate: string | null;
  locations: string[];
  locationsDetails: { code: string; name: string }[];
  asns: number[];
  asnsDetails: never[];
  description: string;
  scope: null;
  linkedUrl: null;
}

/** True for kinds Radar lists as outages (annotations) rather than traffic anomalies. */
export function isOutageKind(kind: AnomalyKind): boolean {
  return kind === 'outage' || kind === 'partial_outage';
}

/** Radar data sources (HTTP, NET, DOS, FW, BOTS, BGP) in which an anomaly is visible. */
export function anomalyDataSources(a: InjectedAnomaly): string[] {
  switch (a.kind) {
    case 'outage':
    case 'partial_outage':
      return a.bgpWithdraw > 0 ? ['HTTP', 'BOTS', 'NET', 'BGP'] : ['HTTP', 'BOTS', 'NET'];
    case 'l3_ddos':
      return ['DOS'];
    case 'l7_attack':
      return ['FW', 'HTTP'];
    case 'bot_surge':
      return ['BOTS', 'HTTP'];
    case 'traffic_surge':
      return ['HTTP', 'NET'];
    case 'routing_change':
      return a.netflowShift !== 0 ? ['BGP', 'NET'] : ['BGP'];
  }
}

const KIND_TEXT: Record<AnomalyKind, string> = {
  outage: 'nationwide outage',
  partial_outage: 'regional outage',
  l3_ddos: 'L3/4 DDoS attack',
  l7_attack: 'L7 (HTTP) attack',
  bot_surge: 'bot traffic surge',
  traffic_surge: 'traffic surge',
  routing_change: 'change in announced IP space',
};
const REGIONAL_SCOPES = ['Multiple regions', 'Capital region', 'Northern provinces', 'Southern provinces', 'Coastal areas', 'Several cities'];

/** Human-readable description of an injected anomaly, e.g. "Synthetic nationwide outage in Austria (cable cut)". */
export function describeAnomaly(a: InjectedAnomaly): string {
  return `Synthetic ${KIND_TEXT[a.kind]} in ${countryName(a.country)} (${a.cause.toLowerCase().replace(/_/g, ' ')})`;
}

/** End date as Radar reports it: null while ongoing at `nowMs`. */
function endDateAt(end: number, nowMs: number | undefined): string | null {
  return nowMs !== undefined && end > nowMs ? null : isoSeconds(end);
}

/** An outage or partial outage as a `/annotations/outages` item. */
export function outageAnnotation(a: InjectedAnomaly, nowMs?: number): RadarOutageAnnotation {
  if (!isOutageKind(a.kind)) throw new TypeError(`outageAnnotation expects an outage or partial_outage, got ${a.kind}; use trafficAnomalyItem for other kinds`);
  const name = countryName(a.country);
  return {
    id: a.id,
    dataSource: 'ALL',
    eventType: 'OUTAGE',
    startDate: isoSeconds(a.start),
    endDate: endDateAt(a.end, nowMs),
    locations: [a.country],
    locationsDetails: [{ code: a.country, name }],
    asns: [],
    asnsDetails: [],
    outage: { outageCause: a.cause, outageType: a.kind === 'outage' ? 'NATIONWIDE' : 'REGIONAL' },
    description: describeAnomaly(a),
    scope: a.kind === 'outage' ? null : REGIONAL_SCOPES[a.key % REGIONAL_SCOPES.length],
    linkedUrl: null,
    radarwatchKind: a.kind,
  };
}

/** A non-outage anomaly as a verified, location-level `/traffic_anomalies` item. */
export function trafficAnomalyItem(a: InjectedAnomaly, nowMs?: number): RadarTrafficAnomaly {
  if (isOutageKind(a.kind)) throw new TypeError(`trafficAnomalyItem expects a non-outage kind, got ${a.kind}; use outageAnnotation`);
  return {
    uuid: a.id,
    type: 'LOCATION',
    status: 'VERIFIED',
    startDate: isoSeconds(a.start),
    endDate: endDateAt(a.end, nowMs),
    locationDetails: { code: a.country, name: countryName(a.country) },
    visibleInDataSources: anomalyDataSources(a),
    radarwatchKind: a.kind,
  };
}

/** A PIPELINE window as an `/annotations` item. */
export function pipelineAnnotation(w: PipelineWindow, nowMs?: number): RadarPipelineAnnotation {
  return {
    id: w.id,
    dataSource: w.dataSource,
    eventType: 'PIPELINE',
    startDate: isoSeconds(w.start),
    endDate: endDateAt(w.end, nowMs),
    locations: [w.country],
    locationsDetails: [{ code: w.country, name: countryName(w.country) }],
    asns: [],
    asnsDetails: [],
    description: `Data pipeline issue: ${w.dataSource} data for ${countryName(w.country)} is incomplete`,
    scope: null,
    linkedUrl: null,
  };
}

/** Plain label windows `[start, end)` of injected anomalies, source 'synthetic', ids equal to the Radar item ids. */
export function labelWindows(anomalies: readonly InjectedAnomaly[]): LabelWindow[] {
  return anomalies.map((a) => ({
    start: isoSeconds(a.start),
    end: isoSeconds(a.end),
    kind: a.kind,
    source: 'synthetic' as const,
    id: a.id,
    description: describeAnomaly(a),
  }));
}
