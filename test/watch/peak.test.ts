import { strict as assert } from 'assert';
import { HOUR_MS } from '../../src/base/time';
import { peakHour, type HourPeak } from '../../src/watch/peak';

const T = Date.UTC(2025, 6, 1);

/** Hours T, T+1h, … from [probability, evidence] pairs. */
const hours = (...rows: [number, number | null][]): HourPeak[] => rows.map(([probability, evidence], i) => ({ probability, evidence, hour: T + i * HOUR_MS }));

describe('watch/peak (peakHour)', () => {
  const cases: { name: string; hours: HourPeak[]; peak: number | null }[] = [
    { name: 'when there are no hours, then there is no peak', hours: [], peak: null },
    { name: 'when hours tie at probability 1, then the one with the most evidence is the peak', hours: hours([1, 9.5], [1, 14.25], [1, 12]), peak: 1 },
    { name: 'when no hour kept its evidence, then the highest probability is the peak', hours: hours([0.7, null], [0.95, null], [0.9, null]), peak: 1 },
    { name: 'when hours tie, then the earlier one is the peak', hours: hours([0.2, 1.5], [1, null], [1, null]), peak: 1 },
    { name: 'when only one of two hours has evidence, then their probabilities decide', hours: hours([1, 20], [0.99, null]), peak: 0 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(peakHour(c.hours), c.peak === null ? null : c.hours[c.peak]);
    });
  }

  it('when the evidence has more than 3 decimals, then the peak carries it rounded as the JSON does', () => {
    assert.deepEqual(peakHour(hours([1, 12.34567])), { probability: 1, evidence: 12.346, hour: T });
  });
});
