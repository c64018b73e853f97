import { strict as assert } from 'assert';
import { initBackend } from '../../src/model/backend';
import { trainCountry } from '../../src/train/country';
import { splitRows } from '../../src/train/split';
import { DataError } from '../../src/errors';
import { makeFrame } from '../features/fixtures';
import { tinyCountryConfig } from './fixtures';
import { parseConfig } from '../../src/config/load';

describe('train/country', () => {
  before(async () => {
    await initBackend();
  });

  it('splits rows chronologically with [start, end) ranges covering every row once', () => {
    assert.deepEqual(splitRows(100, { train: 0.6, validation: 0.2, test: 0.2 }), { train: { start: 0, end: 60 }, validation: { start: 60, end: 80 }, test: { start: 80, end: 100 } });
    assert.deepEqual(splitRows(7, { train: 0.5, validation: 0.25, test: 0.25 }), { train: { start: 0, end: 4 }, validation: { start: 4, end: 5 }, test: { start: 5, end: 7 } });
    assert.throws(() => splitRows(3, { train: 0.6, validation: 0.2, test: 0.2 }), (e: Error) => e instanceof DataError && /validation part of 3 rows is empty/.test(e.message));
  });

  it('fits features on train rows only and keeps warmup, gap and labelled hours out of the loss', async () => {
    const frame = makeFrame('AT', 24 * 7 * 5);
    // Label 24 training hours and gap-fill 10 validation hours: neither may enter the fitted rows.
    for (let i = 400; i < 424; i++) frame.labelKind[i] = 'outage';
    for (let i = 600; i < 610; i++) frame.gap[i] = 1;
    const cfg = tinyCountryConfig(2);
    const r = await trainCountry(frame, cfg, { progress: false });
    assert.deepEqual(r.split.train, { start: 0, end: 504 });
    assert.equal(r.spec.fit.to, new Date(frame.timestamps[504]).toISOString(), 'spec fitted on [0, 504) only');
    assert.equal(r.features.rows, frame.timestamps.length);
    const warm = r.spec.warmupRows;
    assert.equal(r.fittedRows.train, 504 - warm - 24);
    assert.equal(r.fittedRows.validation, 672 - 504 - 10);
    assert.equal(r.history.length, 2);
    assert.ok(Number.isFinite(r.bestValLoss));

    const keep = await trainCountry(frame, parseConfig({ ...cfg, train: { ...cfg.train, excludeLabeled: false } }), { progress: false, maxEpochs: 1 });
    assert.equal(keep.fittedRows.train, 504 - warm, 'labelled hours count when excludeLabeled is false');
    assert.equal(keep.history.length, 1, 'maxEpochs caps train.epochs');
    r.model.dispose();
    keep.model.dispose();
  });
});
