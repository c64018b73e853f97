import { strict as assert } from 'assert';
import { HOUR_MS } from '../../src/base/time';
import { summarizeDetectResult, summarizeScoredHours } from '../../src/detect/summary';
import { toDetectHours } from '../../src/detect/hours';
import { groupEvents } from '../../src/detect/events';
import type { DetectResult, ScoredHour } from '../../src/detect/types';

const T0 = Date.UTC(2025, 5, 1);
const DETECT = { eventGapHours: 2, minEventHours: 1, confirmProbability: 0.9, topSignals: 2 };

/** Hours from probabilities; NaN = a warm-up row without a score. */
function hours(ps: number[]): ScoredHour[] {
  return ps.map((p, i) => ({
    timestamp: T0 + i * HOUR_MS,
    ...(Number.isNaN(p) ? { scorable: false } : {}),
    score: p,
    threshold: 0.5,
    anomaly: p > 0.5,
    signals: { http: 0.7, l7: 0.3 },
    direction: { http: -2, l7: 0.1 },
  }));
}

/** The same rows as detect() returns them. */
function asResult(h: ScoredHour[]): DetectResult {
  return {
    country: 'AT',
    from: new Date(T0).toISOString(),
    to: new Date(T0 + h.length * HOUR_MS).toISOString(),
    model: { dir: 'x', createdAt: '', detector: 'hybrid', falseAlarmsPerWeek: 1, thresholdMethod: 'probability', threshold: 0.5, temperature: 1, trainedFrom: '', trainedTo: '' },
    hours: toDetectHours(h),
    events: groupEvents(h, DETECT),
  };
}

describe('detect/summary', () => {
  it('when rows are scored, then peak, counts, newest row and events are hand-computed ones', () => {
    const s = summarizeScoredHours('AT', T0, T0 + 6 * HOUR_MS, hours([NaN, 0.1, 0.95, 0.97, 0.2, 0.3]), DETECT);
    assert.deepEqual(
      { ...s, events: s.events.map((e) => [e.start, e.hours, e.severity]) },
      {
        country: 'AT',
        from: '2025-06-01T00:00:00.000Z',
        to: '2025-06-01T06:00:00.000Z',
        rows: 6,
        scorableRows: 5,
        anomalousRows: 2,
        peakProbability: 0.97,
        peakEvidence: null,
        peakAt: '2025-06-01T03:00:00.000Z',
        last: { at: '2025-06-01T05:00:00.000Z', probability: 0.3, anomaly: false },
        threshold: 0.5,
        events: [['2025-06-01T02:00:00.000Z', 2, 'medium']],
      },
    );
  });

  it('when no row is scorable, then there is no peak and the newest row has no probability', () => {
    const s = summarizeScoredHours('AT', T0, T0 + 2 * HOUR_MS, hours([NaN, NaN]), DETECT);
    assert.deepEqual([s.scorableRows, s.peakProbability, s.peakAt, s.last], [0, null, null, { at: '2025-06-01T01:00:00.000Z', probability: null, anomaly: false }]);
  });

  it('when the same rows come as a DetectResult, then the summary is the same', () => {
    const h = hours([NaN, 0.1, 0.95, 0.97, 0.2, 0.6, 0.999, 0.3]);
    const r = asResult(h);
    assert.deepEqual(summarizeDetectResult(r), summarizeScoredHours('AT', T0, T0 + h.length * HOUR_MS, h, DETECT));
  });

  it('when rows tie at probability 1, then the peak is the one with the most evidence, from either form', () => {
    const h = hours([0.2, 1, 1, 1, 0.4]).map((x, i) => ({ ...x, evidence: [0.1, 9.5, 14.25678, 12, 0.3][i] }));
    const s = summarizeScoredHours('AT', T0, T0 + h.length * HOUR_MS, h, DETECT);
    assert.deepEqual([s.peakProbability, s.peakEvidence, s.peakAt], [1, 14.257, '2025-06-01T02:00:00.000Z']);
    const r = asResult(h);
    assert.deepEqual(summarizeDetectResult(r), s);
  });
});
