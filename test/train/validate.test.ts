import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadDetector, saveDetector } from '../../src/model/artifact';
import { initBackend } from '../../src/model/backend';
import { trainCountry } from '../../src/train/country';
import { validateDetector, writeValidation } from '../../src/train/validate';
import { DataError } from '../../src/errors';
import { makeFrame } from '../features/fixtures';
import { tinyCountryConfig } from './fixtures';

describe('train/validate', () => {
  let root: string;
  before(async () => {
    await initBackend();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-validate-'));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reproduces the best validation loss from the saved folder and reports errors per feature and signal', async () => {
    const frame = makeFrame('AT', 24 * 7 * 5);
    for (let i = 550; i < 560; i++) frame.labelKind[i] = 'l7_attack';
    const r = await trainCountry(frame, tinyCountryConfig(3), { progress: false });
    const dir = path.join(root, 'AT');
    await saveDetector(dir, r, r.config);
    r.model.dispose();
    const det = await loadDetector(dir);
    const report = validateDetector(det, frame);
    assert.ok(Math.abs(report.loss.loss - r.bestValLoss) < 1e-6, `${report.loss.loss} vs ${r.bestValLoss}`);
    assert.equal(report.range.fittedRows, r.fittedRows.validation);
    assert.equal(report.features.length, r.features.contNames.length);
    for (const f of report.features) assert.ok(f.p50 <= f.p90 && f.p90 <= f.p99 && f.mean >= 0, f.name);
    assert.deepEqual(report.categorical.map((c) => c.name), r.features.catNames);
    assert.deepEqual(report.signals.map((s) => s.signal), [...new Set(r.features.contSignal)]);
    assert.ok(Math.abs(report.signals.reduce((s, x) => s + x.share, 0) - 1) < 1e-9);
    // Mean over features of the per-feature means is the continuous MSE.
    const mse = report.features.reduce((s, f) => s + f.mean, 0) / report.features.length;
    assert.ok(Math.abs(mse - report.loss.contMse) < 1e-9);
    const file = writeValidation(report, path.join(root, 'validation', 'AT'));
    assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).country, 'AT');

    const short = { ...frame, timestamps: frame.timestamps.slice(0, 500) };
    assert.throws(() => validateDetector(det, short), (e: Error) => e instanceof DataError && /does not cover the validation hours/.test(e.message));
    det.dispose();
  });
});
