import { strict as assert } from 'assert';
import { inWindowsPerStep, labelCandidate, labelKindPerHour, labelKindPerStep, mergeLabels, mergeTimeWindows } from '../../src/base/labels';

const T = (d: number, h: number, m = 0) => Date.UTC(2025, 0, d, h, m);

describe('base/labels', () => {
  it('unions same-kind overlapping windows and keeps different kinds apart', () => {
    const c = (s: number, e: number, kind: 'l3_ddos' | 'l7_attack') => labelCandidate({ start: s, end: e }, kind, false, 'synthetic');
    const m = mergeLabels([c(T(1, 0), T(1, 3), 'l3_ddos'), c(T(1, 2), T(1, 5), 'l3_ddos'), c(T(1, 5), T(1, 6), 'l3_ddos'), c(T(1, 1), T(1, 2), 'l7_attack'), c(T(2, 0), T(2, 1), 'l3_ddos')]);
    assert.deepEqual(m.map((w) => [w.kind, w.start, w.end]), [
      ['l3_ddos', '2025-01-01T00:00:00Z', '2025-01-01T06:00:00Z'],
      ['l7_attack', '2025-01-01T01:00:00Z', '2025-01-01T02:00:00Z'],
      ['l3_ddos', '2025-01-02T00:00:00Z', '2025-01-02T01:00:00Z'],
    ]);
    assert.deepEqual(mergeTimeWindows([{ start: 5, end: 7 }, { start: 0, end: 2 }, { start: 1, end: 3 }]), [{ start: 0, end: 3 }, { start: 5, end: 7 }]);
  });

  it('drops a window whose kind was only guessed when it overlaps one of known kind, and the most curated source names a merge', () => {
    const guessed = labelCandidate({ start: T(1, 1), end: T(1, 3) }, 'partial_outage', true, 'radar-anomaly', 'anomaly:a');
    const known = labelCandidate({ start: T(1, 2), end: T(1, 4) }, 'outage', false, 'radar-outage', 'outage:1', 'cable cut');
    const annotation = labelCandidate({ start: T(1, 2), end: T(1, 5) }, 'outage', false, 'radar-annotation', undefined, 'outage: ALL');
    assert.deepEqual(mergeLabels([guessed, annotation, known]), [{ start: '2025-01-01T02:00:00Z', end: '2025-01-01T05:00:00Z', kind: 'outage', source: 'radar-outage', id: 'outage:1', description: 'cable cut' }]);
  });

  it('puts labels on every hour they overlap, the first kind in ANOMALY_KINDS order winning', () => {
    const hours = Array.from({ length: 6 }, (_, i) => T(1, i));
    const kinds = labelKindPerHour(hours, [
      { start: '2025-01-01T01:15:00Z', end: '2025-01-01T02:30:00Z', kind: 'l7_attack', source: 'csv' },
      { start: '2025-01-01T02:00:00Z', end: '2025-01-01T04:00:00Z', kind: 'outage', source: 'csv' },
    ]);
    assert.deepEqual(kinds, ['', 'l7_attack', 'outage', 'outage', '', '']);
    assert.deepEqual(Array.from(inWindowsPerStep(hours, [{ start: T(1, 4, 30), end: T(1, 5, 1) }])), [0, 0, 0, 0, 1, 1]);
  });

  it('marks the 5- or 15-minute steps a window overlaps, at the grid step', () => {
    const S = 300_000;
    const g = Array.from({ length: 12 }, (_, i) => T(1, 0) + i * S);
    const kinds = labelKindPerStep(g, [{ start: new Date(T(1, 0) + 2 * S + 1000).toISOString(), end: new Date(T(1, 0) + 4 * S).toISOString(), kind: 'outage', source: 'csv' }], S);
    assert.deepEqual(kinds.slice(0, 5), ['', '', 'outage', 'outage', '']);
    const quarters = Array.from({ length: 8 }, (_, i) => T(1, 0, 15 * i));
    // the grid step comes from the grid: 15 minutes here, so 00:40–01:05 marks 00:30, 00:45 and 01:00
    assert.deepEqual(Array.from(inWindowsPerStep(quarters, [{ start: T(1, 0, 40), end: T(1, 1, 5) }])), [0, 0, 1, 1, 1, 0, 0, 0]);
    assert.deepEqual(Array.from(inWindowsPerStep([T(1, 0)], [{ start: T(1, 0, 50), end: T(1, 2) }], 15 * 60_000)), [0], 'a one-step grid takes the step it is given');
  });
});
