/** The one frozen registry of Radar endpoints radarwatch fetches, keyed by the raw series names used in paths and config. */
import { HOUR_MS, MINUTE_MS } from '../base/time';
import { InputError } from '../errors';

/** The series fetched per country; each is one Radar endpoint. `outages`/`anomalies` are label feeds. */
export const RAW_SERIES = ['http', 'bot_class', 'netflows', 'l3', 'l7', 'bgp_ips', 'outages', 'anomalies'] as const;
export type RawSeries = (typeof RAW_SERIES)[number];

/**
 * How a response is shaped, which decides its validation and how it is fetched:
 * - `timeseries`: `result.<serie>` = `{ timestamps[], values[] }`;
 * - `groups`: `result.<serie>` = `{ timestamps[], <group>[]… }` (bot/human, ipv4/ipv6);
 * - `labels`: an event list under `result.<labelKey>`, paged with limit/offset.
 */
export type EndpointKind = 'timeseries' | 'groups' | 'labels';

/** One endpoint: path under the Radar base URL, fixed query params and shape. */
export interface EndpointSpec {
  readonly series: RawSeries;
  /** Path below `/client/v4/radar`, starting with `/`. */
  readonly path: string;
  readonly kind: EndpointKind;
  /** Fixed query params sent with every request (window, location and paging are added per request). */
  readonly params: Readonly<Record<string, string>>;
  /** For `labels`: the array under `result` holding the items. */
  readonly labelKey?: 'annotations' | 'trafficAnomalies';
}

// aggInterval=1h everywhere except BGP IPs, whose endpoint has no such parameter (it would be a 400);
// endpointFor(name, '15m') swaps it for 15-minute points.
// normalization is pinned for volume series: Radar's default for /http/timeseries is undocumented, and
// the stitching of chunks assumes MIN0_MAX (each window scaled to its own max).
const HOURLY = { aggInterval: '1h', format: 'json' } as const;

/** Series → endpoint. Frozen: variants live here, nowhere else. */
export const ENDPOINTS: Readonly<Record<RawSeries, EndpointSpec>> = Object.freeze({
  http: Object.freeze({ series: 'http', path: '/http/timeseries', kind: 'timeseries', params: Object.freeze({ ...HOURLY, normalization: 'MIN0_MAX' }) }),
  bot_class: Object.freeze({ series: 'bot_class', path: '/http/timeseries_groups/bot_class', kind: 'groups', params: Object.freeze({ ...HOURLY }) }),
  netflows: Object.freeze({ series: 'netflows', path: '/netflows/timeseries', kind: 'timeseries', params: Object.freeze({ ...HOURLY, product: 'ALL', normalization: 'MIN0_MAX' }) }),
  l3: Object.freeze({ series: 'l3', path: '/attacks/layer3/timeseries', kind: 'timeseries', params: Object.freeze({ ...HOURLY, direction: 'TARGET', normalization: 'MIN0_MAX' }) }),
  l7: Object.freeze({ series: 'l7', path: '/attacks/layer7/timeseries', kind: 'timeseries', params: Object.freeze({ ...HOURLY, normalization: 'MIN0_MAX' }) }),
  bgp_ips: Object.freeze({ series: 'bgp_ips', path: '/bgp/ips/timeseries', kind: 'groups', params: Object.freeze({ format: 'json' }) }),
  outages: Object.freeze({ series: 'outages', path: '/annotations/outages', kind: 'labels', params: Object.freeze({ format: 'json' }), labelKey: 'annotations' }),
  anomalies: Object.freeze({ series: 'anomalies', path: '/traffic_anomalies', kind: 'labels', params: Object.freeze({ format: 'json' }), labelKey: 'trafficAnomalies' }),
} satisfies Record<RawSeries, EndpointSpec>);

/** Label feeds are small, so they use long windows (Radar accepts up to about a year per request). */
export const LABEL_WINDOW_DAYS = 364;

/** The aggregation intervals series can be fetched at (`data.aggInterval`); `1h` is the default. */
export const FETCH_INTERVALS = ['1h', '15m'] as const;
export type FetchInterval = (typeof FETCH_INTERVALS)[number];

/** Step of the points of each fetch interval, ms. */
export const FETCH_INTERVAL_MS: Readonly<Record<FetchInterval, number>> = Object.freeze({ '1h': HOUR_MS, '15m': 15 * MINUTE_MS });

/** Validates an interval name (`--agg-interval`, config); an unknown one throws and lists the valid ones. */
export function parseFetchInterval(s: string, what = '--agg-interval'): FetchInterval {
  if (!(FETCH_INTERVALS as readonly string[]).includes(s)) throw new InputError(`${what}: unknown aggregation interval "${s}". Expected one of: ${FETCH_INTERVALS.join(', ')}`);
  return s as FetchInterval;
}

/** True when the endpoint takes `aggInterval`: the series except BGP IPs (the label feeds have none either). */
export function takesAggInterval(spec: EndpointSpec): boolean {
  return 'aggInterval' in spec.params;
}

/**
 * The endpoint of a series name, asking for `aggInterval` points where the endpoint takes that parameter (the
 * registry holds the 1h variant; others are frozen copies). An unknown name throws and lists the valid ones.
 */
export function endpointFor(name: string, aggInterval: FetchInterval = '1h'): EndpointSpec {
  if (!Object.prototype.hasOwnProperty.call(ENDPOINTS, name)) {
    throw new InputError(`Unknown Radar series "${name}". Expected one of: ${RAW_SERIES.join(', ')}`);
  }
  const spec = ENDPOINTS[name as RawSeries];
  if (aggInterval === spec.params.aggInterval || !takesAggInterval(spec)) return spec;
  return Object.freeze({ ...spec, params: Object.freeze({ ...spec.params, aggInterval }) });
}

/** Parses a `--series` argument (`http,l3` or `all`) into series names, validating each. */
export function parseSeries(arg: string | undefined): RawSeries[] {
  if (!arg || arg.trim().toLowerCase() === 'all') return [...RAW_SERIES];
  const names = arg.split(',').map((s) => s.trim()).filter(Boolean);
  return [...new Set(names.map((n) => endpointFor(n).series))];
}
