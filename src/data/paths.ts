/** Where every stage reads and writes: fixed folders, so notebooks, scripts and the CLI produce the same files. */
import * as path from 'path';

/** The series fetched per country; each is one Radar endpoint. `outages`/`anomalies` are label feeds. */
export const RAW_SERIES = ['http', 'bot_class', 'netflows', 'l3', 'l7', 'bgp_ips', 'outages', 'anomalies'] as const;
export type RawSeries = (typeof RAW_SERIES)[number];

/** Root folder for results (`RADARWATCH_RESULTS` overrides, for tests). */
export function resultsRoot(): string {
  return process.env.RADARWATCH_RESULTS ?? 'results';
}

/**
 * One raw chunk: `<rawDir>/<source>/<CC>/<series>/<start>_<end>.json`, where start/end are the
 * request's dateStart/dateEnd as compact UTC (`20230101T00`). The file holds the API envelope as received.
 */
export function rawChunkPath(rawDir: string, source: string, country: string, series: RawSeries, startIso: string, endIso: string): string {
  const compact = (s: string) => s.replace(/[-:]/g, '').replace(/\.\d+Z$|Z$/, '').slice(0, 11);
  return path.join(rawDir, source, country, series, `${compact(startIso)}_${compact(endIso)}.json`);
}

/** Folder of one country's raw chunks for one series. */
export function rawSeriesDir(rawDir: string, source: string, country: string, series: RawSeries): string {
  return path.join(rawDir, source, country, series);
}

/** Processed table files of one country or imported id. */
export function processedPaths(processedDir: string, id: string): { csv: string; labels: string; meta: string } {
  return {
    csv: path.join(processedDir, `${id}.csv`),
    labels: path.join(processedDir, `${id}.labels.json`),
    meta: path.join(processedDir, `${id}.meta.json`),
  };
}

/** Result folders per country. */
export const resultDirs = {
  model: (cc: string) => path.join(resultsRoot(), 'models', cc),
  validation: (cc: string) => path.join(resultsRoot(), 'validation', cc),
  testing: (cc: string) => path.join(resultsRoot(), 'testing', cc),
  tuning: (cc: string) => path.join(resultsRoot(), 'tuning', cc),
  analysis: (cc: string) => path.join(resultsRoot(), 'analysis', cc),
  benchmarks: () => path.join(resultsRoot(), 'benchmarks'),
  watch: () => path.join(resultsRoot(), 'watch'),
};
