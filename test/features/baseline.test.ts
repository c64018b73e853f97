import { strict as assert } from 'assert';
import { fitSeasonalBaseline, seasonalResidual, type SeasonalIndex } from '../../src/features/baseline';

/** Hour-of-week index for n hours starting Monday 00:00, with the given rows marked holiday. */
function index(n: number, holidays: number[] = []): SeasonalIndex {
  const slot = Uint8Array.from({ length: n }, (_, i) => i % 168);
  const hour = Uint8Array.from({ length: n }, (_, i) => i % 24);
  const holiday = new Uint8Array(n);
  for (const i of holidays) holiday[i] = 1;
  return { slot, hour, holiday };
}

/** A known weekly shape: +1 on weekday afternoons, −0.5 on weekends. */
const shape = (s: number): number => (s >= 120 ? -0.5 : s % 24 >= 12 && s % 24 < 18 ? 1 : 0);
const shapeMean = Array.from({ length: 168 }, (_, s) => shape(s)).reduce((a, b) => a + b, 0) / 168;

describe('features/baseline', () => {
  it('recovers a mean-zero hour-of-week profile despite a trend and a spike', () => {
    const n = 168 * 6;
    const idx = index(n);
    const level = Float64Array.from({ length: n }, (_, i) => 3 + i * 1e-4 + shape(i % 168));
    level[500] += 20; // one anomalous hour: the median ignores it
    const b = fitSeasonalBaseline(level, new Uint8Array(n).fill(1), idx, false);
    for (let s = 0; s < 168; s++) assert.ok(Math.abs(b.profile[s] - (shape(s) - shapeMean)) < 0.03, `slot ${s}: ${b.profile[s]}`);
    assert.deepEqual(b.holiday, new Array(24).fill(0));
  });

  it('ignores excluded rows entirely', () => {
    const n = 168 * 5;
    const idx = index(n);
    const level = Float64Array.from({ length: n }, (_, i) => shape(i % 168) + 0.01 * Math.sin(i));
    const include = new Uint8Array(n).fill(1);
    for (let i = 300; i < 700; i += 3) include[i] = 0;
    const a = fitSeasonalBaseline(level, include, idx, false);
    const changed = Float64Array.from(level);
    for (let i = 300; i < 700; i += 3) changed[i] = -50;
    assert.deepEqual(fitSeasonalBaseline(changed, include, idx, false), a);
  });

  it('learns a holiday adjustment only when at least three holidays back it', () => {
    const n = 168 * 8;
    const holidays: number[] = [];
    // Tuesdays of weeks 2, 4, 6 are holidays with traffic 0.7 below the Tuesday profile.
    for (const wk of [2, 4, 6]) for (let h = 0; h < 24; h++) holidays.push(wk * 168 + 24 + h);
    const level = Float64Array.from({ length: n }, (_, i) => shape(i % 168));
    for (const i of holidays) level[i] -= 0.7;
    const b = fitSeasonalBaseline(level, new Uint8Array(n).fill(1), index(n, holidays), true);
    assert.equal(b.holidayHours, 72);
    for (const v of b.holiday) assert.ok(Math.abs(v + 0.7) < 1e-9);
    const two = fitSeasonalBaseline(level, new Uint8Array(n).fill(1), index(n, holidays.slice(0, 48)), true);
    assert.equal(two.holidayHours, 0);
  });

  it('gives ~0 residuals on normal weeks and a negative residual on an outage, causally', () => {
    const n = 168 * 4;
    const idx = index(n);
    const level = Float64Array.from({ length: n }, (_, i) => 2 + shape(i % 168));
    const b = { profile: Array.from({ length: 168 }, (_, s) => shape(s) - shapeMean), holiday: new Array(24).fill(0), holidayHours: 0 };
    const out = level.slice();
    for (let i = 400; i < 406; i++) out[i] -= 3;
    const r = seasonalResidual(out, b, idx, 168);
    for (let i = 168; i < 400; i++) assert.ok(Math.abs(r.resid[i]) < 1e-9, `row ${i}`);
    for (let i = 400; i < 406; i++) assert.ok(Math.abs(r.resid[i] + 3) < 1e-9, 'outage shows at full depth');
    assert.ok(Math.abs(r.resid[406]) < 1e-9, 'six outage hours do not move the weekly median');
    assert.ok(Math.abs(r.expected[400] - level[400]) < 1e-9);
  });
});
