import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkFingerprint, fitFingerprint, FINGERPRINT_FILE, saveFingerprint, type Fingerprint } from '../../src/calibrate/fingerprint';
import { checkCalibration } from '../../src/calibrate/store';
import type { Calibration } from '../../src/calibrate/calibrate';
import { DataError } from '../../src/errors';
import { DETECTOR_FILES, loadDetector, saveDetector } from '../../src/model/artifact';
import { initBackend } from '../../src/model/backend';
import { trainCountry, type TrainResult } from '../../src/train/country';
import { makeFrame } from '../features/fixtures';
import { tinyCountryConfig } from '../train/fixtures';

describe('calibrate/fingerprint', () => {
  let result: TrainResult;
  let root: string;
  const frame = makeFrame('AT', 24 * 7 * 5);

  before(async () => {
    await initBackend();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-fingerprint-'));
    result = await trainCountry(frame, tinyCountryConfig(2), { progress: false });
  });
  after(() => {
    result.model.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** A model folder with its fingerprint recorded on the validation split, as `radarwatch calibrate` writes it. */
  const folder = async (name: string): Promise<{ dir: string; fp: Fingerprint }> => {
    const dir = path.join(root, name);
    await saveDetector(dir, result, result.config, { country: 'AT' });
    const det = await loadDetector(dir);
    const v = det.meta.split.validation;
    const fp = fitFingerprint(frame, det, Date.parse(v.from), Date.parse(v.to), { country: 'AT' });
    det.dispose();
    saveFingerprint(dir, fp);
    return { dir, fp };
  };

  it('records a validation day with its history and reproduces its scores at load', async () => {
    const { dir, fp } = await folder('ok');
    assert.equal(fp.scores.length, 24);
    assert.ok(fp.scores.every((s) => Number.isFinite(s.score) && s.score > 0));
    const valEnd = result.features.timestamps[result.split.validation.end - 1];
    assert.equal(Date.parse(fp.scores[23].timestamp), valEnd, 'the last validation hour; nothing from the test split');
    const det = await loadDetector(dir);
    assert.doesNotThrow(() => checkFingerprint(det, fp));
    det.dispose();
  });

  it('when training writes a new model, then the old fingerprint is dropped with the old calibration', async () => {
    const { dir } = await folder('retrained');
    await saveDetector(dir, result, result.config, { country: 'AT' });
    assert.ok(!fs.existsSync(path.join(dir, FINGERPRINT_FILE)));
  });

  it('when weights are replaced by finite random floats of the right length, then loading fails naming fingerprint.json', async () => {
    const { dir } = await folder('perturbed');
    const w = path.join(dir, DETECTOR_FILES.weights);
    const floats = new Float32Array(fs.statSync(w).size / 4).map((_, i) => Math.sin(i * 12.9898) * 0.5);
    fs.writeFileSync(w, Buffer.from(floats.buffer));
    await assert.rejects(loadDetector(dir), (e: Error) => e instanceof DataError && /fingerprint\.json: fingerprint check failed: the raw score of \S+ is .*, recorded /.test(e.message) && !e.message.includes('\n'));
  });

  it('when the scaler centres in spec.json are shifted (still finite, still > 0 scales), then the fingerprint catches it', async () => {
    const { dir } = await folder('spec');
    const specFile = path.join(dir, DETECTOR_FILES.spec);
    const spec = JSON.parse(fs.readFileSync(specFile, 'utf8'));
    spec.scaler.center = spec.scaler.center.map((c: number) => c + 0.5);
    fs.writeFileSync(specFile, JSON.stringify(spec));
    await assert.rejects(loadDetector(dir), /fingerprint check failed/);
  });

  it('when fingerprint.json is damaged, then loading fails saying to re-run calibrate', async () => {
    const { dir, fp } = await folder('damaged');
    fs.writeFileSync(path.join(dir, FINGERPRINT_FILE), JSON.stringify({ ...fp, scores: [] }));
    await assert.rejects(loadDetector(dir), /fingerprint check failed: no recorded scores; .*radarwatch calibrate AT/);
  });
});

describe('calibrate/store checkCalibration', () => {
  const cal = (threshold: unknown, T: unknown) => ({ version: 1, threshold: { method: 'mad', value: threshold }, temperature: { T }, thresholds: {} }) as unknown as Calibration;
  const cases: [string, unknown, unknown, RegExp | undefined][] = [
    ['usable', 2.5, 1.3, undefined],
    ['threshold "NaN" (a string, as a hand-edited file has it)', 'NaN', 1, /threshold\.value is "NaN"; expected a finite number > 0/],
    ['threshold −5', -5, 1, /threshold\.value is -5/],
    ['threshold 0', 0, 1, /threshold\.value is 0/],
    ['temperature 0', 2, 0, /temperature\.T is 0; expected a finite number > 0/],
    ['temperature null (NaN in JSON)', 2, null, /temperature\.T is null/],
  ];
  it('a seasonal rule written before the holiday factor (version 2) or the shift-day factor (version 3) → rejected, naming what is expected', () => {
    const base = { ...cal(2.5, 1.3), budget: { falseAlarmsPerWeek: 0.5, share: 0.003 } };
    const rule = { version: 2, signals: [{ hourScale: new Array(24).fill(1), scaleFloor: 0.01 }] };
    const got = checkCalibration({ ...base, seasonal: rule } as unknown as Calibration);
    assert.match(got ?? '', /seasonal rule is version 2 or damaged; expected version 4 with 24 hour factors, holiday and shift-day factors ≥ 1/);
    const v3 = { version: 3, signals: [{ hourScale: new Array(24).fill(1), scaleFloor: 0.01, holidayScale: 1.4 }] };
    assert.match(checkCalibration({ ...base, seasonal: v3 } as unknown as Calibration) ?? '', /seasonal rule is version 3 or damaged/);
    const current = { version: 4, signals: [{ hourScale: new Array(24).fill(1), scaleFloor: 0.01, holidayScale: 1.4, shiftScale: 1, fastingOffset: new Array(24).fill(0) }] };
    assert.doesNotMatch(checkCalibration({ ...base, seasonal: current } as unknown as Calibration) ?? '', /seasonal/);
    assert.match(checkCalibration({ ...base, seasonal: { ...current, signals: [{ ...current.signals[0], holidayScale: 0.5 }] } } as unknown as Calibration) ?? '', /seasonal rule/);
    assert.match(checkCalibration({ ...base, seasonal: { ...current, signals: [{ ...current.signals[0], shiftScale: undefined }] } } as unknown as Calibration) ?? '', /seasonal rule/);
    assert.match(checkCalibration({ ...base, seasonal: { ...current, signals: [{ ...current.signals[0], fastingOffset: [0.1] }] } } as unknown as Calibration) ?? '', /seasonal rule/);
  });
  for (const [name, threshold, T, want] of cases) {
    it(`${name} → ${want ? 'rejected' : 'accepted'}`, () => {
      const got = checkCalibration(cal(threshold, T));
      // (checks of other calibration fields may still complain about this minimal object; these two must not)
      if (want) assert.match(got ?? '', want);
      else assert.doesNotMatch(got ?? '', /threshold|temperature/);
    });
  }
});
