/** Naming a raw chunk back as a window, and the `radarwatch fetch --refetch …` command that replaces it: every error that blames a chunk says how to replace it. */
import * as path from 'path';
import { RAW_SERIES, type RawSeries } from '../data/paths';
import { HOUR_MS } from '../data/types';
import { isoSeconds, type DateWindow } from './windows';

/** What a chunk file's path says: raw root, source, country, series and the window it holds. */
export interface ChunkFileInfo {
  rawDir: string;
  source: string;
  country: string;
  series: RawSeries;
  window: DateWindow;
  file: string;
}

const COMPACT = /^(\d{4})(\d{2})(\d{2})T(\d{2})$/;

function compactMs(s: string): number | undefined {
  const m = COMPACT.exec(s);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4]) : undefined;
}

/**
 * Parses `<rawDir>/<source>/<CC>/<series>/<start>_<end>.json` (data/paths rawChunkPath), or undefined for any other
 * path. Series windows end on the hour; label windows end at the hour's last second (how fetch plans them).
 */
export function parseChunkFile(file: string): ChunkFileInfo | undefined {
  const parts = file.split(/[/\\]/);
  if (parts.length < 5) return undefined;
  const name = parts[parts.length - 1];
  const series = parts[parts.length - 2] as RawSeries;
  const country = parts[parts.length - 3];
  const source = parts[parts.length - 4];
  const m = /^(\d{8}T\d{2})_(\d{8}T\d{2})\.json$/.exec(name);
  if (!m || !(RAW_SERIES as readonly string[]).includes(series)) return undefined;
  const startMs = compactMs(m[1]);
  const endHour = compactMs(m[2]);
  if (startMs === undefined || endHour === undefined) return undefined;
  const endMs = series === 'outages' || series === 'anomalies' ? endHour + HOUR_MS - 1000 : endHour;
  return {
    rawDir: parts.slice(0, parts.length - 4).join(path.sep) || '.',
    source,
    country,
    series,
    window: { start: isoSeconds(startMs), end: isoSeconds(endMs), startMs, endMs },
    file,
  };
}

/** `radarwatch fetch --refetch --source S --countries CC [--series X] --from D --to D [--raw-dir R]` (days inclusive). */
export function refetchCommand(o: { source: string; country: string; series?: string; from: string; to: string; rawDir?: string }): string {
  const day = (s: string) => s.slice(0, 10);
  const raw = o.rawDir && path.normalize(o.rawDir) !== path.normalize('datasets/raw') ? ` --raw-dir ${o.rawDir}` : '';
  return `radarwatch fetch --refetch --source ${o.source} --countries ${o.country}${o.series ? ` --series ${o.series}` : ''} --from ${day(o.from)} --to ${day(o.to)}${raw}`;
}

/**
 * The fix for an error that blames a chunk, with a leading space: " Replace the chunk with `radarwatch fetch
 * --refetch …`." when `where` starts with a chunk path (as preprocess's parse errors do); "" otherwise (a live
 * window, which is fetched again anyway).
 */
export function refetchHint(where: string): string {
  const file = /^(.*?\.json)/.exec(where)?.[1];
  const info = file ? parseChunkFile(file) : undefined;
  if (!info) return '';
  return ` Replace the chunk with \`${refetchCommand({ source: info.source, country: info.country, series: info.series, from: info.window.start, to: info.window.end, rawDir: info.rawDir })}\`.`;
}
