/** A small trained, saved, reloaded and calibrated detector on an 8-week seeded frame with labelled anomalies, shared by the report tests. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fitCalibration, type Calibration } from '../../src/calibrate/calibrate';
import type { CountryFrame } from '../../src/data/types';
import { HOUR_MS } from '../../src/base/time';
import type { LabelWindow } from '../../src/base/labels';
import { loadDetector, saveDetector, type Detector } from '../../src/model/artifact';
import { initBackend } from '../../src/model/backend';
import { trainCountry } from '../../src/train/country';
import { makeFrame } from '../features/fixtures';
import { tinyCountryConfig } from '../train/fixtures';

export interface TrainedFixture {
  frame: CountryFrame;
  det: Detector;
  cal: Calibration;
}

const WEEKS = 8;

/** Marks hours [start, start + hours) as a labelled window of `kind`; `scale` multiplies http and netflows there (1 = a label with no visible change). */
export function addLabel(frame: CountryFrame, start: number, hours: number, kind: LabelWindow['kind'], scale: number): LabelWindow {
  for (let i = start; i < start + hours; i++) {
    frame.labelKind[i] = kind;
    frame.signals.http[i] *= scale;
    frame.signals.netflows[i] *= scale;
  }
  const label: LabelWindow = { start: new Date(frame.timestamps[start]).toISOString(), end: new Date(frame.timestamps[start] + hours * HOUR_MS).toISOString(), kind, source: 'synthetic' };
  frame.labels.push(label);
  return label;
}

/** 8 weeks for AT: an outage in validation, a strong outage and an invisible label in test. */
export function labelledFrame(): CountryFrame {
  const frame = makeFrame('AT', WEEKS * 168, '2024-01-01T00:00:00Z', 3);
  addLabel(frame, Math.round(WEEKS * 168 * 0.7), 6, 'outage', 0.05);
  addLabel(frame, Math.round(WEEKS * 168 * 0.85), 8, 'outage', 0.02);
  addLabel(frame, Math.round(WEEKS * 168 * 0.93), 3, 'routing_change', 1);
  return frame;
}

let cached: Promise<TrainedFixture> | undefined;

/** Trains (2 epochs), saves, reloads with loadDetector and calibrates once per test process. */
export function trainedFixture(): Promise<TrainedFixture> {
  cached ??= (async () => {
    await initBackend();
    const frame = labelledFrame();
    const cfg = tinyCountryConfig(2);
    const result = await trainCountry(frame, cfg, { progress: false });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'radarwatch-report-'));
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    await saveDetector(dir, result, cfg, { country: 'AT' });
    result.model.dispose();
    const det = await loadDetector(dir);
    const v = det.meta.split.validation;
    const cal = fitCalibration(frame, det, Date.parse(v.from), Date.parse(v.to));
    return { frame, det, cal };
  })();
  return cached;
}
