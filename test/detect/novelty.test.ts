import { strict as assert } from 'assert';
import { NOVELTY_MIN_VALUES, noveltyEvidence, noveltyExcessUnit, seasonalNovelty } from '../../src/detect/novelty';
import type { SeasonalRule, SeasonalZ } from '../../src/detect/seasonal';
import { normalQuantile } from '../../src/util/stats';
import { createRng } from '../../src/util/random';
import { HOLIDAY_DAY_TYPE } from '../../src/util/calendar';

/** Gaussian noise from a seeded generator. */
function noise(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => rng.normal());
}

describe('detect/novelty', () => {
  it('is a conformal p-value: on exchangeable data, evidence ≥ e on at most about 10^−e of the rows', () => {
    const x = noise(20_000, 7);
    const e = noveltyEvidence(x, 2000, false);
    const scored = e.filter(Number.isFinite);
    assert.ok(scored.length > 19_000);
    for (const d of [1, 2, 3]) {
      const share = scored.filter((v) => v >= d).length / scored.length;
      // two-sided p-value: "at least this rare on either side" on at most 10^−d of the rows (plus sampling noise)
      assert.ok(share <= Math.pow(10, -d) * 1.3 + 2e-4, `share ≥ ${d}: ${share}`);
      assert.ok(share >= 0.5 * Math.pow(10, -d), `share ≥ ${d} is not degenerate: ${share}`);
    }
  });

  it('scores a level outside everything of the window by its rank and its excess beyond the range', () => {
    const x = noise(600, 3);
    x[500] = 12; // far above anything before
    const e = noveltyEvidence(x, 400, false);
    const n = 400;
    assert.ok(e[500] > -Math.log10(1 / (n + 1)) + 3, `spike evidence ${e[500]}`);
    // the row after it is ordinary again
    assert.ok(e[501] < 2, `next row ${e[501]}`);
    // no value until NOVELTY_MIN_VALUES rows of history, and NaN rows are neither scored nor history
    assert.ok(Number.isNaN(e[NOVELTY_MIN_VALUES - 1]));
    assert.ok(Number.isFinite(e[NOVELTY_MIN_VALUES]));
    const gappy = x.slice();
    gappy[499] = NaN;
    assert.ok(Number.isNaN(noveltyEvidence(gappy, 400, false)[499]));
  });

  it('counts only rises for a rise-only signal, and a drop to a never-seen floor for the others', () => {
    const x = noise(600, 5);
    x[500] = -12;
    assert.ok(noveltyEvidence(x, 400, false)[500] > 5);
    assert.ok(noveltyEvidence(x, 400, true)[500] < 0.01);
  });

  it('measures the excess of a flat window in `minSpread` units at least: a never-moving count\'s small step is no outlier', () => {
    const x = new Float64Array(600).fill(10);
    x[500] = 10.002;
    const bare = noveltyEvidence(x, 400, false)[500];
    const floored = noveltyEvidence(x, 400, false, 0, x, 0.005)[500];
    assert.ok(bare > 1000, `without a floor ${bare}`);
    // rank part: 2 / 401, excess: 0.002 / 0.005 — a window that held still has no tail to extrapolate, so a decade
    // per floor, not the normal slope (that would make an announced-space step of 0.2 % alarm)
    assert.ok(Math.abs(floored - (-Math.log10(2 / 401) + 0.4)) < 1e-9, `with the floor ${floored}`);
    assert.ok(0.002 / noveltyExcessUnit(0.005, 400, false) > 0.6, 'the normal slope would count it 1.6 times as much');
    // a window with more spread than the floor is unaffected by it
    const y = noise(600, 11);
    assert.deepEqual(Array.from(noveltyEvidence(y, 400, false, 0, y, 1e-3)), Array.from(noveltyEvidence(y, 400, false)));
  });

  it('counts the excess beyond the range at a normal tail\'s slope, and a decade per IQR for a rise-only signal', () => {
    // at N values a normal tail beyond its own maximum falls by z_N / ln 10 decades per σ, σ = IQR / 1.349
    for (const N of [188, 672, 8064]) {
      const zN = normalQuantile(1 - 1 / (N + 1));
      assert.ok(Math.abs(1 / noveltyExcessUnit(1.349, N, false) - zN / Math.LN10) < 1e-12);
      assert.equal(noveltyExcessUnit(2, N, true), 2);
    }
    // 1.5 decades per IQR at 188 values, 2.1 at four weeks of 5-minute rows: sharper than a decade per IQR
    assert.ok(Math.abs(1 / noveltyExcessUnit(1, 188, false) - 1.50) < 0.01);
    assert.ok(Math.abs(1 / noveltyExcessUnit(1, 8064, false) - 2.15) < 0.01);
    // on Gaussian noise, a value 1 σ beyond the window's maximum adds about z_N / ln 10 decades to its rank's
    const x = noise(700, 13);
    const n = 600;
    const max = Math.max(...x.subarray(100, 700));
    const y = Float64Array.from([...x, max + 1]);
    const e = noveltyEvidence(y, n, false)[700];
    const rank = -Math.log10(2 / (n + 1));
    const added = e - rank;
    const expected = normalQuantile(1 - 1 / (n + 1)) / Math.LN10;
    assert.ok(Math.abs(added - expected) < 0.25 * expected, `added ${added}, a normal tail ${expected}`);
    // the rise-only count adds a decade per IQR (about 1.35 σ): about 0.74 decades for 1 σ
    const r = noveltyEvidence(y, n, true)[700] - -Math.log10(1 / (n + 1));
    assert.ok(r > 0.5 && r < 1, `rise-only excess ${r}`);
  });

  it('scores rows from `from` on exactly as a pass over every row does', () => {
    const x = noise(3000, 9);
    const whole = noveltyEvidence(x, 400, false);
    for (const from of [1, 399, 400, 401, 1500, 2999]) {
      const part = noveltyEvidence(x, 400, false, from);
      assert.ok(Number.isNaN(part[from - 1]));
      for (let t = from; t < 3000; t++) assert.equal(part[t], whole[t], `from ${from}, row ${t}`);
    }
  });

  it('abstains on public holidays (their low is expected: evidence 0), while they stay history and an ordinary day at that low still counts', () => {
    const n = 900;
    const level = noise(n, 5);
    const dayType = new Uint8Array(n);
    for (let i = 600; i < 624; i++) {
      dayType[i] = HOLIDAY_DAY_TYPE;
      level[i] -= 8;
    }
    level[800] = -8;
    const rule = { scaleRows: 672, signals: [{ name: 'http', scaleFloor: 0.005 }] } as unknown as SeasonalRule;
    const z: SeasonalZ = { signals: ['http'], references: ['similar'], kinds: ['volume'], z: [new Float64Array(n)], levels: [level], dayType, shift: new Uint8Array(n) };
    const e = seasonalNovelty(rule, z).http;
    for (let i = 600; i < 624; i++) assert.equal(e[i], 0, `holiday row ${i}`);
    const ordinary = seasonalNovelty(rule, { ...z, dayType: new Uint8Array(n) }).http;
    assert.ok(ordinary[600] > 5, `the same low on an ordinary day: ${ordinary[600]}`);
    // the holiday's levels are history: a later ordinary row at that low is no longer beyond the range
    assert.ok(e[800] > 1 && e[800] < ordinary[600], `row 800: ${e[800]}`);
    // shift days (the fasting month's first week) abstain the same way
    const shifted = seasonalNovelty(rule, { ...z, dayType: new Uint8Array(n), shift: Uint8Array.from({ length: n }, (_, i) => (i >= 600 && i < 624 ? 1 : 0)) }).http;
    for (let i = 600; i < 624; i++) assert.equal(shifted[i], 0, `shift-day row ${i}`);
    assert.equal(shifted[800], e[800]);
  });
});
