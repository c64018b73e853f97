/**
 * What `serve` can offer without loading anything: the model folders under results/models whose files pass the checks
 * that need no TensorFlow, with a calibration and a processed table whose two ends agree with its meta. Milliseconds
 * per model, so a fleet of hundreds is verified at start; the model itself loads on first use (detect/service).
 */
import * as fs from 'fs';
import * as path from 'path';
import { HOUR_MS, describeStep } from '../base/time';
import { readFingerprint } from '../calibrate/fingerprint';
import { loadCalibration } from '../calibrate/store';
import type { Config } from '../config/schema';
import { processedPaths, resultDirs, resultsRoot } from '../data/paths';
import { readProcessedMeta } from '../data/processed';
import { DataError, NotFittedError } from '../errors';
import { DETECTOR_FILES, checkDetectorFiles, type DetectorMeta } from '../model/artifact';
import type { ServedCountry } from '../server/deps';
import { countryName } from '../util/countries';
import { dataCommand, isSeriesId } from '../util/series-id';

const iso = (ms: number) => new Date(ms).toISOString();

/** Folders under results/models named like a series (a country code or an imported --id, util/series-id), sorted. */
export function modelFolders(): string[] {
  const root = path.join(resultsRoot(), 'models');
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && isSeriesId(d.name))
    .map((d) => d.name)
    .sort();
}

/** A country that passed discovery: what `countries()` shows and where its table's rows lie, without its model or table in memory. */
export interface Servable {
  served: ServedCountry;
  /** First row and end (exclusive) of the table, epoch ms; its grid step and row count. */
  fromMs: number;
  toMs: number;
  step: number;
  rows: number;
}

/**
 * The checks of loadDetector that need no TensorFlow (checkDetectorFiles), so a fleet is verified at start in
 * milliseconds per model, plus a finished split in meta.json and a parseable fingerprint.json (when there is one).
 * What they cannot see — weights that are finite but not the calibrated ones — the fingerprint check of loadDetector
 * finds on the country's first request. Returns meta.json.
 */
function checkModelFiles(dir: string, cc: string): DetectorMeta {
  const { meta } = checkDetectorFiles(dir);
  if (typeof meta.split?.train?.from !== 'string' || typeof meta.split.train.to !== 'string') throw new DataError(`${path.join(dir, DETECTOR_FILES.meta)} lacks split.train.from/to; the file is corrupt. Retrain the country (radarwatch train ${cc}).`);
  readFingerprint(dir);
  return meta;
}

/** The timestamps of the first and last row of a processed CSV, read from its two ends (not the whole file). */
function csvEnds(file: string): { first: string; last: string } {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const readAt = (pos: number, len: number): string => {
      const b = Buffer.alloc(len);
      return b.subarray(0, fs.readSync(fd, b, 0, len, pos)).toString('utf8');
    };
    const chunk = 64 * 1024;
    // a header and a first row longer than the chunk: read the whole file once
    let head = readAt(0, Math.min(size, chunk)).split('\n');
    if (head.length < 3 && size > chunk) head = readAt(0, size).split('\n');
    const tail = (size > chunk ? readAt(size - chunk, chunk) : head.join('\n')).split('\n');
    const cell = (line: string | undefined) => (line ?? '').replace(/\r$/, '').split(',')[0].replace(/^"|"$/g, '');
    const rows = tail.filter((l) => l.replace(/\r$/, '') !== '');
    return { first: cell(head[1]), last: cell(rows[rows.length - 1]) };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Discovery of one country (no model load, no table read, no scoring): the model folder holds a finished training
 * (meta.json) and a valid calibration, its files pass checkModelFiles, and the processed table exists with a first
 * and last row consistent with its meta.json. Throws the typed error that makes the country degraded.
 */
export function discoverCountry(cfg: Config, cc: string): Servable {
  const dir = resultDirs.model(cc);
  if (!fs.existsSync(path.join(dir, DETECTOR_FILES.meta))) throw new NotFittedError(`${dir} has no ${DETECTOR_FILES.meta} (training did not finish); run \`radarwatch train ${cc}\``);
  loadCalibration(dir, cc);
  const table = processedPaths(cfg.data.processedDir, cc);
  if (!fs.existsSync(table.csv)) throw new DataError(`no processed table ${table.csv}; run \`${dataCommand(cc)}\``);
  const tmeta = readProcessedMeta(cfg.data.processedDir, cc);
  const meta = checkModelFiles(dir, cc);
  const step = tmeta.stepMs ?? HOUR_MS;
  const ends = csvEnds(table.csv);
  const first = Date.parse(ends.first);
  const last = Date.parse(ends.last);
  const rows = (last - first) / step + 1;
  if (!Number.isFinite(first) || !Number.isFinite(last) || rows !== tmeta.rows) {
    throw new DataError(
      `${table.csv}: its first row is at "${ends.first}" and its last at "${ends.last}", which is not the ${tmeta.rows} rows (step ${describeStep(step)}) that ${table.meta} describes; the table is truncated or was rewritten without its meta. Re-run \`${dataCommand(cc)}\``,
    );
  }
  const served: ServedCountry = { code: cc, name: countryName(cc), trainedFrom: meta.split.train.from, trainedTo: meta.split.train.to, dataFrom: iso(first), dataTo: iso(last + step) };
  return { served, fromMs: first, toMs: last + step, step, rows };
}
