/**
 * What the tslab notebooks import (`import * as rw from './src/notebook'`): the figure builders and loaders of the
 * analyses, plus openProject(). A narrow entry on purpose — tslab type-checks every imported file with its own
 * TypeScript (5.0) and options, and some server modules do not pass that check, so `src/index` cannot be imported.
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadConfig } from './config/load';
import type { Config } from './config/schema';
import { ConfigError } from './errors';

export { loadConfig, resolveCountryConfig } from './config/load';
export type { Config } from './config/schema';
export { resultDirs, resultsRoot, processedPaths } from './data/paths';
export { readProcessed, readProcessedMeta } from './data/processed';
export { initBackend } from './model/backend';
export { loadDetector, DETECTOR_FILES } from './model/artifact';
export { loadCalibration } from './calibrate/store';
export { loadCountryRun, loadCountryDetector } from './detect/load';
export { trainAndSave } from './train/fleet';
export { createStudy } from './tune/shim';
export { studyName, studyPath, tuneCountry } from './tune/tune';
export { tuningFigures, writeTuningReport } from './report/tuning';
export { edaFigures, processedSummaryRows, seasonalProfiles, signalCorrelations, writeEdaReport } from './report/eda';
export { trainingFigures, trainingCurveFigure, exampleWindows, reconstructionExample, reconstructionFigure, writeTrainingReport } from './report/training';
export { calibrationData, calibrationFigures, thresholdList, writeCalibrationReport } from './report/calibration';
export { testingData, testingFigures, metricsRows, testingSummaryRows, writeTestingReport } from './report/testing';
export { trialCounts, trialRows } from './report/study-table';
export { figureHtml, figuresHtml, plotlyLoaderHtml } from './report/inline';
export { scanAnalyses, writeIndexPage } from './report/index-page';
export type { PlotlyFigure } from './report/html';

/** Where a notebook works: the repository root, the folder relative paths resolve against, and the loaded config. */
export interface NotebookProject {
  /** The radarwatch checkout (the folder with its package.json). */
  root: string;
  /** The process's working folder after openProject: relative paths of the config and `results/` resolve here. */
  workdir: string;
  configPath: string;
  config: Config;
  /** The country the notebook looks at. */
  country: string;
}

/** Nearest folder at or above `from` holding radarwatch's package.json. */
export function findProjectRoot(from: string = __dirname): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        if ((JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'radarwatch') return dir;
      } catch {
        // unreadable package.json: keep looking upwards
      }
    }
    if (path.dirname(dir) === dir) throw new ConfigError(`No radarwatch package.json above ${from}; open the notebooks from the radarwatch checkout (notebooks/ next to src/).`);
  }
}

/**
 * Prepares a notebook: changes the working folder to `workdir` ($RADARWATCH_WORKDIR, default the repository root, as
 * when the CLI runs there), loads the config ($RADARWATCH_CONFIG, default models.yml) and picks the country
 * ($RADARWATCH_COUNTRY, default the first of the config's list). CI sets these to run the notebooks on a tiny config.
 */
export function openProject(opts: { workdir?: string; config?: string; country?: string } = {}): NotebookProject {
  const root = findProjectRoot();
  const workdir = path.resolve(root, opts.workdir ?? process.env.RADARWATCH_WORKDIR ?? '.');
  if (!fs.existsSync(workdir)) throw new ConfigError(`RADARWATCH_WORKDIR ${workdir} does not exist; create it or unset the variable to work in ${root}.`);
  process.chdir(workdir);
  const configPath = path.resolve(workdir, opts.config ?? process.env.RADARWATCH_CONFIG ?? path.join(root, 'models.yml'));
  const config = loadConfig(configPath);
  const country = (opts.country ?? process.env.RADARWATCH_COUNTRY ?? config.countries[0]).toUpperCase();
  return { root, workdir, configPath, config, country };
}
