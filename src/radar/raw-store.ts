/**
 * The raw store's layout: where the answer to one request window is kept (`<rawDir>/<source>/<CC>/<series>/<start>_<end>.json`)
 * and which window a stored file holds. radar/fetch writes the store, data/preprocess reads it; both name files only here.
 */
import * as path from 'path';
import { HOUR_MS, isoSeconds } from '../base/time';
import { ENDPOINTS, FETCH_INTERVAL_MS, FETCH_INTERVALS, RAW_SERIES, takesAggInterval, type FetchInterval, type RawSeries } from './endpoints';
import type { DateWindow } from './windows';

/**
 * One raw chunk: `<rawSeriesDir>/<start>_<end>.json`, where start/end are the request's dateStart/dateEnd as compact
 * UTC hours (`20230101T00`; a 15-minute window ending 23:45 is named by its hour, 23). The file holds the API envelope
 * as received.
 */
export function rawChunkPath(rawDir: string, source: string, country: string, series: RawSeries, startIso: string, endIso: string, aggInterval: FetchInterval = '1h'): string {
  const compact = (s: string) => s.replace(/[-:]/g, '').replace(/\.\d+Z$|Z$/, '').slice(0, 11);
  return path.join(rawSeriesDir(rawDir, source, country, series, aggInterval), `${compact(startIso)}_${compact(endIso)}.json`);
}

/**
 * Folder of one country's raw chunks for one series: `<rawDir>/<source>/<CC>/<series>` at 1h, `<series>@15m` for a
 * series fetched at 15 minutes, so the two resolutions never stitch into one another. Series without an aggInterval
 * (BGP IPs, the label feeds) have one folder whatever the interval.
 */
export function rawSeriesDir(rawDir: string, source: string, country: string, series: RawSeries, aggInterval: FetchInterval = '1h'): string {
  const folder = aggInterval === '1h' || !takesAggInterval(ENDPOINTS[series]) ? series : `${series}@${aggInterval}`;
  return path.join(rawDir, source, country, folder);
}

/** What a chunk file's path says: raw root, source, country, series and the window it holds. */
export interface ChunkFileInfo {
  rawDir: string;
  source: string;
  country: string;
  series: RawSeries;
  /** The interval of its points (from the folder name). */
  aggInterval: FetchInterval;
  window: DateWindow;
  file: string;
}

const COMPACT = /^(\d{4})(\d{2})(\d{2})T(\d{2})$/;

function compactMs(s: string): number | undefined {
  const m = COMPACT.exec(s);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4]) : undefined;
}

/**
 * Parses a rawChunkPath back, or undefined for any other path. Windows end where fetch plans them: series windows on
 * their last point (the hour at 1h, its last quarter at 15m), label windows at the hour's last second.
 */
export function parseChunkFile(file: string): ChunkFileInfo | undefined {
  const parts = file.split(/[/\\]/);
  if (parts.length < 5) return undefined;
  const name = parts[parts.length - 1];
  const [series, interval = '1h'] = parts[parts.length - 2].split('@') as [RawSeries, string?];
  const country = parts[parts.length - 3];
  const source = parts[parts.length - 4];
  const m = /^(\d{8}T\d{2})_(\d{8}T\d{2})\.json$/.exec(name);
  if (!m || !(RAW_SERIES as readonly string[]).includes(series) || !(FETCH_INTERVALS as readonly string[]).includes(interval)) return undefined;
  const aggInterval = interval as FetchInterval;
  const startMs = compactMs(m[1]);
  const endHour = compactMs(m[2]);
  if (startMs === undefined || endHour === undefined) return undefined;
  const endMs = series === 'outages' || series === 'anomalies' ? endHour + HOUR_MS - 1000 : endHour + HOUR_MS - FETCH_INTERVAL_MS[aggInterval];
  return {
    rawDir: parts.slice(0, parts.length - 4).join(path.sep) || '.',
    source,
    country,
    series,
    aggInterval,
    window: { start: isoSeconds(startMs), end: isoSeconds(endMs), startMs, endMs },
    file,
  };
}
