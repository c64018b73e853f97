import { strict as assert } from 'assert';
import type { LabelWindow } from '../../src/base/labels';
import { computeMetrics } from '../../src/evaluate/metrics';

const H = 3_600_000;
const T0 = Date.UTC(2025, 0, 1);
const iso = (i: number) => new Date(T0 + i * H).toISOString();
const ts = Array.from({ length: 100 }, (_, i) => T0 + i * H);
const label = (a: number, b: number, kind: LabelWindow['kind']): LabelWindow => ({ start: iso(a), end: iso(b), kind, source: 'synthetic' });
const flags = (idx: number[]) => {
  const f = new Uint8Array(100);
  for (const i of idx) f[i] = 1;
  return f;
};

describe('evaluate/metrics', () => {
  it('counts detection, hourly FPR, event precision, F1 and time to detect on hand-built labels', () => {
    const labels = [label(10, 20, 'outage'), label(40, 45, 'l3_ddos'), label(70, 72, 'outage')];
    // outage 1 detected 3 h late; l3 missed; outage 2 detected at once; 2 false hours at 50, 51 (one event), 1 at 90
    const flagged = flags([13, 14, 50, 51, 70, 90]);
    const events = [
      { start: iso(13), end: iso(15) },
      { start: iso(50), end: iso(52) },
      { start: iso(70), end: iso(71) },
      { start: iso(90), end: iso(91) },
    ];
    const m = computeMetrics({ timestamps: ts, flagged, evaluated: new Uint8Array(100).fill(1), labels, events });
    assert.equal(m.labeledEvents, 3);
    assert.equal(m.detectedEvents, 2);
    assert.ok(Math.abs(m.detectionRate - 2 / 3) < 1e-12);
    assert.deepEqual(m.perKind.outage, { events: 2, detected: 2, detectionRate: 1 });
    assert.deepEqual(m.perKind.l3_ddos, { events: 1, detected: 0, detectionRate: 0 });
    // normal hours = 100 − (10 + 5 + 2) = 83, false positives = 50, 51, 90
    assert.equal(m.normalHours, 83);
    assert.equal(m.falsePositiveHours, 3);
    assert.ok(Math.abs(m.hourlyFpr - 3 / 83) < 1e-12);
    assert.equal(m.predictedEvents, 4);
    assert.equal(m.truePredictedEvents, 2);
    assert.equal(m.eventPrecision, 0.5);
    assert.ok(Math.abs(m.f1 - (2 * (2 / 3) * 0.5) / (2 / 3 + 0.5)) < 1e-12);
    assert.equal(m.medianTimeToDetectHours, 1.5); // delays 3 and 0
    assert.equal(m.missed[0].kind, 'l3_ddos');
  });

  it('handles labels at the split edge: only the evaluated part counts, delay from the first evaluated hour', () => {
    const evaluated = new Uint8Array(100);
    evaluated.fill(1, 50); // test split starts at hour 50
    const labels = [label(45, 55, 'outage'), label(20, 30, 'outage')];
    const m1 = computeMetrics({ timestamps: ts, flagged: flags([46, 52]), evaluated, labels, events: [] });
    assert.equal(m1.labeledEvents, 1, 'the label wholly before the split is not counted');
    assert.equal(m1.detectedEvents, 1);
    assert.equal(m1.detected[0].delayHours, 2, 'flag at 46 is outside the split and ignored');
    const m2 = computeMetrics({ timestamps: ts, flagged: flags([46]), evaluated, labels, events: [] });
    assert.equal(m2.detectedEvents, 0, 'a flag before the split does not detect');
    assert.equal(m2.normalHours, 45, 'hours 55..99');
  });

  it('ignores predicted events outside the evaluated hours', () => {
    const evaluated = new Uint8Array(100);
    evaluated.fill(1, 50);
    const m = computeMetrics({ timestamps: ts, flagged: flags([]), evaluated, labels: [], events: [{ start: iso(10), end: iso(12) }, { start: iso(60), end: iso(61) }] });
    assert.equal(m.predictedEvents, 1);
    assert.equal(m.truePredictedEvents, 0);
    assert.ok(Number.isNaN(m.detectionRate));
  });
});
