import { strict as assert } from 'assert';
import { parseSplitFlags } from '../../../src/cli/commands/train';
import { InputError } from '../../../src/errors';

describe('cli train: --split and --train-fraction', () => {
  it('turns shares, dates and a NAB-style fraction into the train-config patch', () => {
    assert.deepEqual(parseSplitFlags({}), {});
    assert.deepEqual(parseSplitFlags({ split: '0.7,0.15,0.15' }), { split: { train: 0.7, validation: 0.15, test: 0.15 } });
    assert.deepEqual(parseSplitFlags({ split: '2024-03-01,2024-04-01' }), { splitDates: { validation: '2024-03-01', test: '2024-04-01' } });
    assert.deepEqual(parseSplitFlags({ trainFraction: '0.15' }), { trainFraction: 0.15 });
  });
  it('refuses malformed values and both flags at once, naming the flag and the accepted forms', () => {
    const cases: [Parameters<typeof parseSplitFlags>[0], RegExp][] = [
      [{ split: '0.5,0.5' }, /--split must be three shares that sum to 1 .* or two UTC dates/],
      [{ split: '0.6,0.2,0.3' }, /--split must be three shares/],
      [{ split: '2024-04-01,2024-03-01' }, /--split dates must be in order/],
      [{ trainFraction: '1.5' }, /--train-fraction must be a number between 0 and 1/],
      [{ trainFraction: 'x' }, /--train-fraction must be a number/],
      [{ split: '0.6,0.2,0.2', trainFraction: '0.2' }, /either --split or --train-fraction/],
    ];
    for (const [o, re] of cases) assert.throws(() => parseSplitFlags(o), (e: unknown) => e instanceof InputError && re.test((e as Error).message), JSON.stringify(o));
  });
});
