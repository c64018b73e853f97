import { strict as assert } from 'assert';
import { normalQuantile } from '../../src/util/stats';

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
});
