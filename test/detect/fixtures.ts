/** A tiny trained and calibrated country in a temp results folder (RADARWATCH_RESULTS), with a processed table holding one injected, labelled outage. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fitCalibration } from '../../src/calibrate/calibrate';
import { saveCalibration } from '../../src/calibrate/store';
import { fitFingerprint, saveFingerprint } from '../../src/calibrate/fingerprint';
import { parseConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { resultDirs } from '../../src/data/paths';
import { preprocessCountryDetailed } from '../../src/data/preprocess';
import { readProcessed, writeProcessed } from '../../src/data/processed';
import type { CountryFrame } from '../../src/data/types';
import { HOUR_MS } from '../../src/base/time';
import { loadCountryDetector } from '../../src/detect/load';
import { saveDetector } from '../../src/model/artifact';
import { initBackend } from '../../src/model/backend';
import { fetchRadar } from '../../src/radar/fetch';
import { trainCountry } from '../../src/train/country';
import { makeFrame } from '../features/fixtures';
import { tinyCountryConfig } from '../train/fixtures';

/** Six weeks from Monday 2023-01-02; split 60/20/20, so rows ≥ 806 are the test part. */
export const TINY_HOURS = 24 * 7 * 6;
/** First row and length of the injected outage (in the test part, a Tuesday afternoon). */
export const OUTAGE_ROW = 902;
export const OUTAGE_HOURS = 4;

export interface TinyRun {
  root: string;
  cfg: Config;
  /** The table as written (before the CSV round trip). */
  frame: CountryFrame;
  /** Epoch ms of the first outage hour and of the hour after it (of outageFrame; meaningless for given frames). */
  outage: { start: number; end: number };
  /** Restores RADARWATCH_RESULTS and removes the folder. */
  cleanup(): void;
}

/** The fixture frame: makeFrame plus a total drop of http and netflows (and 40 % of announced prefixes) for OUTAGE_HOURS, labelled as an outage. */
export function outageFrame(id = 'AT'): CountryFrame {
  const frame = makeFrame(id, TINY_HOURS);
  // makeFrame's random attack spikes would be the loudest "normal" hours of a model this small; flatten them.
  for (let i = 0; i < TINY_HOURS; i++) {
    frame.signals.l3[i] = 0.002 + Math.min(frame.signals.l3[i], 0.001);
    frame.signals.l7[i] = Math.min(frame.signals.l7[i], 0.16);
  }
  for (let i = OUTAGE_ROW; i < OUTAGE_ROW + OUTAGE_HOURS; i++) {
    frame.signals.http[i] *= 0.001;
    frame.signals.netflows[i] *= 0.001;
    frame.signals.bgp_ips[i] = Math.round(frame.signals.bgp_ips[i] * 0.6);
    frame.labelKind[i] = 'outage';
  }
  const start = frame.timestamps[OUTAGE_ROW];
  frame.labels = [{ start: new Date(start).toISOString(), end: new Date(start + OUTAGE_HOURS * HOUR_MS).toISOString(), kind: 'outage', source: 'synthetic', id: 'fixture-1' }];
  return frame;
}

/**
 * Writes the processed table of each code, trains a tiny model on it, saves it under `<root>/results/models/<CC>`
 * and calibrates it on its validation part. `uncalibrated` codes get a model without calibration.json.
 */
export async function makeTinyRun(opts: { countries?: string[]; uncalibrated?: string[]; epochs?: number; frames?: Record<string, CountryFrame> } = {}): Promise<TinyRun> {
  await initBackend();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-detect-'));
  const saved = process.env.RADARWATCH_RESULTS;
  process.env.RADARWATCH_RESULTS = path.join(root, 'results');
  const base = tinyCountryConfig(opts.epochs ?? 20);
  const cfg = parseConfig({ ...base, countries: ['AT', 'DE'], data: { ...base.data, processedDir: path.join(root, 'processed'), rawDir: path.join(root, 'raw') } });
  const codes = [...(opts.countries ?? ['AT']), ...(opts.uncalibrated ?? [])];
  let first: CountryFrame | undefined;
  for (const cc of codes) {
    const frame = opts.frames?.[cc] ?? outageFrame(cc);
    first ??= frame;
    writeProcessed(cfg.data.processedDir, frame, { source: 'synthetic', fill: { maxInterpolateHours: 3, rule: 'test' }, gapHours: {} });
    const r = await trainCountry(frame, cfg, { progress: false });
    await saveDetector(resultDirs.model(cc), r, cfg, { country: cc });
    r.model.dispose();
    if (opts.uncalibrated?.includes(cc)) continue;
    const det = await loadCountryDetector(cfg, cc);
    const table = await readProcessed(cfg.data.processedDir, cc);
    const v = det.meta.split.validation;
    saveCalibration(det.dir, fitCalibration(table, det, Date.parse(v.from), Date.parse(v.to)));
    saveFingerprint(det.dir, fitFingerprint(table, det, Date.parse(v.from), Date.parse(v.to), { country: cc }));
    det.dispose();
  }
  const start = first!.timestamps[Math.min(OUTAGE_ROW, first!.timestamps.length - 1)];
  return {
    root,
    cfg,
    frame: first!,
    outage: { start, end: start + OUTAGE_HOURS * HOUR_MS },
    cleanup() {
      if (saved === undefined) delete process.env.RADARWATCH_RESULTS;
      else process.env.RADARWATCH_RESULTS = saved;
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Generator settings of synthetic tables: the defaults (seed 42), as `--source synthetic` serves them. */
export const SYNTHETIC_CONFIG = parseConfig({ countries: ['AT'], dateRange: { from: '2024-03-04', to: '2024-04-28' } });

/**
 * A processed table from the embedded generator, made the way the datasets are: fetchRadar from the in-process mock
 * into a temporary raw store, then preprocessCountryDetailed. Days inclusive, YYYY-MM-DD.
 */
export async function syntheticFrame(country: string, from: string, to: string): Promise<CountryFrame> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-synth-'));
  try {
    const cfg = parseConfig({ ...SYNTHETIC_CONFIG, data: { ...SYNTHETIC_CONFIG.data, rawDir: dir } });
    await fetchRadar({ countries: [country], from, to, source: 'synthetic', cfg, rawDir: dir, now: Date.parse('2025-06-01T00:00:00Z') });
    return preprocessCountryDetailed({ rawDir: dir, source: 'synthetic', country, from, to, cfg: cfg.data }).frame;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
