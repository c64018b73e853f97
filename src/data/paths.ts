/** Where every stage reads and writes: fixed folders, so notebooks, scripts and the CLI produce the same files (the raw store's layout is radar/raw-store's). */
import * as path from 'path';

/** Root folder for results (`RADARWATCH_RESULTS` overrides, for tests). */
export function resultsRoot(): string {
  return process.env.RADARWATCH_RESULTS ?? 'results';
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
