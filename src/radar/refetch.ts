/** The `radarwatch fetch --refetch …` command that replaces a raw chunk: every error that blames a chunk says how to replace it. */
import * as path from 'path';
import { parseChunkFile } from './raw-store';
import { ENDPOINTS, takesAggInterval, type RawSeries } from './endpoints';

/** `radarwatch fetch --refetch --source S --countries CC [--series X] --from D --to D [--agg-interval 1h|15m] [--raw-dir R]` (days inclusive). */
export function refetchCommand(o: { source: string; country: string; series?: string; from: string; to: string; rawDir?: string; aggInterval?: string }): string {
  const day = (s: string) => s.slice(0, 10);
  const raw = o.rawDir && path.normalize(o.rawDir) !== path.normalize('datasets/raw') ? ` --raw-dir ${o.rawDir}` : '';
  // Named even at 1h for a series that takes an interval: fetch's default comes from models.yml, which may say 15m.
  const spec = o.series ? ENDPOINTS[o.series as RawSeries] : undefined;
  const takes = spec !== undefined && takesAggInterval(spec);
  const interval = o.aggInterval && (o.aggInterval !== '1h' || takes) ? ` --agg-interval ${o.aggInterval}` : '';
  return `radarwatch fetch --refetch --source ${o.source} --countries ${o.country}${o.series ? ` --series ${o.series}` : ''} --from ${day(o.from)} --to ${day(o.to)}${interval}${raw}`;
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
  return ` Replace the chunk with \`${refetchCommand({ source: info.source, country: info.country, series: info.series, from: info.window.start, to: info.window.end, rawDir: info.rawDir, aggInterval: info.aggInterval })}\`.`;
}
