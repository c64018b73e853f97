import { strict as assert } from 'assert';
import { splitFrame, splitRows } from '../../src/train/split';
import { DataError } from '../../src/errors';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const ts = (n: number) => Array.from({ length: n }, (_, i) => T0 + i * H);
const shares = { train: 0.6, validation: 0.2, test: 0.2 };

describe('train/split', () => {
  it('splits by shares (the default), earliest rows train', () => {
    assert.deepEqual(splitRows(100, shares), { train: { start: 0, end: 60 }, validation: { start: 60, end: 80 }, test: { start: 80, end: 100 } });
    assert.deepEqual(splitFrame(ts(100), { split: shares }), splitRows(100, shares));
  });

  it('splits by dates: validation and test start at the first row at or after each date', () => {
    const s = splitFrame(ts(240), { split: shares, splitDates: { validation: '2024-01-05', test: '2024-01-08T12:00Z' } });
    assert.deepEqual(s, { train: { start: 0, end: 96 }, validation: { start: 96, end: 180 }, test: { start: 180, end: 240 } });
    assert.throws(() => splitFrame(ts(240), { split: shares, splitDates: { validation: '2024-02-01', test: '2024-02-05' } }), (e: unknown) => e instanceof DataError && /validation part of 240 rows is empty .*pick dates inside the data \(2024-01-01T00:00:00.000Z \.\. 2024-01-10T23:00:00.000Z\)/.test(e.message));
    assert.throws(() => splitFrame(ts(240), { split: shares, splitDates: { validation: '2024-01-08', test: '2024-01-05' } }), /validation 2024-01-08 is not before test 2024-01-05/);
  });

  it('NAB-style --train-fraction: 70 % of the fraction trains, 30 % calibrates, every later row is test', () => {
    assert.deepEqual(splitFrame(ts(4000), { split: shares, trainFraction: 0.15 }), { train: { start: 0, end: 420 }, validation: { start: 420, end: 600 }, test: { start: 600, end: 4000 } });
    assert.throws(() => splitFrame(ts(4), { split: shares, trainFraction: 0.1 }), /train part of 4 rows is empty with train.trainFraction 0.1 .*use a larger --train-fraction/);
  });
});
