import { strict as assert } from 'assert';
import type { CountryFrame } from '../../src/data/types';
import { HOUR_MS } from '../../src/base/time';
import { correlationFigure, edaFigures, groupMeans, labelsFigure, pearson, seasonalProfiles, signalCorrelations, signalsFigure } from '../../src/report/eda';
import { makeFrame } from '../features/fixtures';
import { addLabel } from './fixtures';

/**
 * Two weeks of AT in January 2024 (Europe/Vienna = UTC+1, no DST change): `hour` is the local hour, `twice` is
 * 2·hour + 1 (perfectly correlated), `anti` is 23 − hour (perfectly anti-correlated).
 */
function hourFrame(): CountryFrame {
  const n = 14 * 24;
  const t0 = Date.parse('2024-01-08T00:00:00Z');
  const timestamps = Array.from({ length: n }, (_, i) => t0 + i * HOUR_MS);
  const local = timestamps.map((t) => (new Date(t).getUTCHours() + 1) % 24);
  return {
    id: 'AT',
    timestamps,
    signalNames: ['hour', 'twice', 'anti'],
    signalKinds: { hour: 'rate', twice: 'rate', anti: 'rate' },
    signals: { hour: Float64Array.from(local), twice: Float64Array.from(local, (h) => 2 * h + 1), anti: Float64Array.from(local, (h) => 23 - h) },
    gap: new Uint8Array(n),
    unreliable: new Uint8Array(n),
    labelKind: new Array<string>(n).fill(''),
    labels: [],
  };
}

describe('report/eda', () => {
  it('groupMeans averages per group over the used rows only; empty groups are NaN', () => {
    const m = groupMeans([1, 2, 3, 10, 20], [0, 0, 1, 1, 2], 4, [1, 1, 1, 0, 1]);
    assert.deepEqual(m.slice(0, 3), [1.5, 3, 20]);
    assert.ok(Number.isNaN(m[3]));
  });

  for (const [name, a, b, want] of [
    ['identical', [1, 2, 3, 4], [1, 2, 3, 4], 1],
    ['affine', [1, 2, 3, 4], [3, 5, 7, 9], 1],
    ['reversed', [1, 2, 3, 4], [4, 3, 2, 1], -1],
    ['hand-computed', [1, 2, 3], [1, 3, 2], 0.5],
  ] as const) {
    it(`pearson: ${name} → ${want}`, () => assert.ok(Math.abs(pearson(a, b) - want) < 1e-12));
  }

  it('pearson is NaN for a constant series and honours the row mask', () => {
    assert.ok(Number.isNaN(pearson([1, 1, 1], [1, 2, 3])));
    assert.ok(Math.abs(pearson([1, 2, 3, 100], [1, 2, 3, -100], [1, 1, 1, 0]) - 1) < 1e-12);
  });

  it('daily profile is the local hour over its mean, weekly has 168 slots starting Monday 00:00 local', () => {
    const p = seasonalProfiles(hourFrame());
    assert.equal(p.timezone, 'Europe/Vienna');
    assert.equal(p.daily.hour.length, 24);
    p.daily.hour.forEach((v, h) => assert.ok(Math.abs(v - h / 11.5) < 1e-9, `hour ${h}: ${v}`));
    assert.equal(p.weekly.hour.length, 168);
    p.weekly.hour.forEach((v, s) => assert.ok(Math.abs(v - (s % 24) / 11.5) < 1e-9, `slot ${s}: ${v}`));
  });

  it('correlation matrix has 1 on the diagonal and ±1 for affine signals; the heatmap shows the same numbers', () => {
    const c = signalCorrelations(hourFrame());
    assert.deepEqual(c.signals, ['hour', 'twice', 'anti']);
    const near = (x: number, y: number) => Math.abs(x - y) < 1e-9;
    assert.ok(near(c.matrix[0][1], 1) && near(c.matrix[1][0], 1) && near(c.matrix[0][2], -1) && near(c.matrix[2][2], 1));
    const fig = correlationFigure(c);
    assert.deepEqual(fig.data[0].z, c.matrix.map((r) => r.map((v) => Number(v.toPrecision(4)))));
    assert.equal((fig.data[0].text as string[][])[0][2], '-1.00');
  });

  it('signals figure: one panel per signal with the table values, one shaded band per label at its window', () => {
    const frame = makeFrame('DE', 21 * 24, '2024-03-04T00:00:00Z');
    const label = addLabel(frame, 100, 5, 'l7_attack', 1);
    addLabel(frame, 300, 2, 'outage', 0.1);
    const fig = signalsFigure(frame);
    const lines = fig.data.filter((t) => t.mode === 'lines');
    assert.deepEqual(lines.map((t) => t.name), frame.signalNames);
    assert.deepEqual(lines.map((t) => t.yaxis), ['y', 'y2', 'y3', 'y4', 'y5', 'y6']);
    assert.equal((lines[0].y as number[])[7], Number(frame.signals.http[7].toPrecision(5)));
    const shapes = fig.layout!.shapes as Record<string, unknown>[];
    assert.equal(shapes.length, 2);
    assert.equal(shapes[0].x0, label.start.slice(0, 19));
    assert.equal(shapes[0].x1, label.end.slice(0, 19));
    // legend entries explain the colours of the kinds present, in ANOMALY_KINDS order
    assert.deepEqual(fig.data.filter((t) => t.mode === 'markers').map((t) => t.name), ['label: outage', 'label: l7_attack']);
  });

  it('labels figure counts windows and hours per kind', () => {
    const frame = makeFrame('DE', 10 * 24);
    addLabel(frame, 10, 5, 'l7_attack', 1);
    addLabel(frame, 50, 2, 'l7_attack', 1);
    addLabel(frame, 90, 4, 'outage', 1);
    const bar = labelsFigure(frame).data[0];
    assert.deepEqual(bar.x, ['l7_attack', 'outage']);
    assert.deepEqual(bar.y, [2, 1]);
    assert.deepEqual(bar.text, ['7 h', '4 h']);
  });

  it('edaFigures: signals, daily, weekly, correlation, labels', () => {
    const figs = edaFigures(makeFrame('AT', 15 * 24));
    assert.equal(figs.length, 5);
    assert.match(String((figs[1].layout!.title as { text: string }).text), /Daily/);
    assert.match(String((figs[2].layout!.title as { text: string }).text), /Weekly/);
    assert.equal(figs[3].data[0].type, 'heatmap');
  });
});
