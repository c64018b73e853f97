import { strict as assert } from 'assert';
import { brownEvidence, log10GammaQ, logGamma, normalQuantile } from '../../src/util/stats';

describe('util/stats', () => {
  it('normalQuantile inverts the normal CDF: known quantiles, symmetry, both tails and the edges', () => {
    // Φ⁻¹ at textbook points
    const known: [number, number][] = [
      [0.5, 0],
      [0.75, 0.6744897501960817],
      [0.975, 1.959963984540054],
      [0.999, 3.090232306167813],
      [1e-6, -4.753424308822899],
      [0.02425, -1.9729610513118845],
      [0.3, -0.5244005127080407],
      [1e-12, -7.034483825301132],
    ];
    for (const [p, z] of known) assert.ok(Math.abs(normalQuantile(p) - z) < 2e-8, `Φ⁻¹(${p}) = ${normalQuantile(p)}, expected ${z}`);
    for (const p of [1e-6, 0.01, 0.2, 0.49]) assert.ok(Math.abs(normalQuantile(p) + normalQuantile(1 - p)) < 1e-6, `symmetric at ${p}`);
    // increasing across the three branches
    let prev = -Infinity;
    for (let i = 1; i < 1000; i++) {
      const z = normalQuantile(i / 1000);
      assert.ok(z > prev, `increasing at ${i / 1000}`);
      prev = z;
    }
    assert.equal(normalQuantile(0), -Infinity);
    assert.equal(normalQuantile(1), Infinity);
    assert.ok(Number.isNaN(normalQuantile(1.5)) && Number.isNaN(normalQuantile(NaN)));
  });

  it('logGamma and log10GammaQ match closed forms, deep in the tail included', () => {
    const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a}, expected ${b}`);
    close(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-13, 'lnΓ(1/2)');
    close(logGamma(5), Math.log(24), 1e-13, 'lnΓ(5)');
    close(logGamma(1.5), Math.log(Math.sqrt(Math.PI) / 2), 1e-13, 'lnΓ(3/2)');
    close(logGamma(0.25), 1.2880225246980774, 1e-13, 'lnΓ(1/4)');
    // Q(1, x) = e^-x and Q(2, x) = e^-x (1 + x), on both branches (series below a + 1) and far past double range
    for (const x of [0.01, 0.5, 1, 2.5, 3, 10, 50, 700, 1000]) {
      close(log10GammaQ(1, x), -x / Math.LN10, 1e-12, `Q(1, ${x})`);
      close(log10GammaQ(2, x), (-x + Math.log(1 + x)) / Math.LN10, 1e-12, `Q(2, ${x})`);
    }
    // Q(1/2, x) = erfc(√x) and Q(3/2, x) = erfc(√x) + 2√(x/π) e^-x, erfc at 1, 2, 3 from tables
    const erfc: [number, number][] = [[1, 0.157299207050285], [4, 0.004677734981047266], [9, 2.209049699858544e-5]];
    for (const [x, e] of erfc) {
      close(Math.pow(10, log10GammaQ(0.5, x)), e, 1e-10, `Q(1/2, ${x})`);
      close(Math.pow(10, log10GammaQ(1.5, x)), e + 2 * Math.sqrt(x / Math.PI) * Math.exp(-x), 1e-10, `Q(3/2, ${x})`);
    }
    assert.equal(log10GammaQ(1.3, 0), 0);
  });

  it("brownEvidence is Fisher's method at ρ = 0, the geometric mean at ρ = 1, and between them depends on the sum alone", () => {
    const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a}, expected ${b}`);
    for (const [a, b] of [[0, 0], [1, 2], [3, 3], [40, 0.5], [250, 100]]) {
      const T = Math.LN10 * (a + b);
      close(brownEvidence(a, b, 0), T / Math.LN10 - Math.log10(1 + T), `Fisher at ${a}, ${b}`);
      close(brownEvidence(a, b, 1), (a + b) / 2, `geometric mean at ${a}, ${b}`);
      close(brownEvidence(a, b, 0.5), brownEvidence(a + b, 0, 0.5), `sum at ${a}, ${b}`);
    }
    // more dependence, less evidence from the same two p-values; never more than their sum, never below their mean
    let prev = Infinity;
    for (const rho of [0, 0.25, 0.5, 0.75, 1]) {
      const e = brownEvidence(3, 2, rho);
      assert.ok(e < prev && e <= 5 && e >= 2.5 - 1e-12, `ρ = ${rho}: ${e}`);
      prev = e;
    }
    // two sources that agree at 1 in 1000 each outrank one at 1 in 100,000 alone
    assert.ok(brownEvidence(3, 3, 0.5) > brownEvidence(5, 0, 0.5));
    assert.equal(brownEvidence(Infinity, 1, 0.5), Infinity);
    assert.ok(Number.isNaN(brownEvidence(NaN, 1, 0.5)));
    assert.equal(brownEvidence(-1, 0, 0.5), brownEvidence(0, 0, 0.5), 'negative evidence counts as none');
  });
});
