import { strict as assert } from 'assert';
import { applyLevelTransform, fitLevelTransform, smallCountOffset } from '../../src/features/transform';
import { DataError } from '../../src/errors';

describe('features/transform', () => {
  it('logs volumes with eps = 5 % of the median positive value, so zeros stay finite', () => {
    const t = fitLevelTransform('http', 'volume', [0, 2, 4, 6, 0]);
    assert.deepEqual(t, { name: 'log', eps: 0.2 });
    const y = applyLevelTransform(t, [0, 4, -1]);
    assert.ok(Math.abs(y[0] - Math.log(0.2)) < 1e-12);
    assert.ok(Math.abs(y[1] - Math.log(4.2)) < 1e-12);
    assert.equal(y[2], y[0], 'negative inputs are clamped to 0');
  });

  it('is unit-invariant: scaling a volume by 1000 shifts its level by a constant', () => {
    const a = [1, 2, 3, 5, 0];
    const b = a.map((v) => v * 1000);
    const ya = applyLevelTransform(fitLevelTransform('x', 'volume', a), a);
    const yb = applyLevelTransform(fitLevelTransform('x', 'volume', b), b);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(yb[i] - ya[i] - Math.log(1000)) < 1e-9);
  });

  it('logits percent shares symmetrically, but leaves out-of-range "rates" as they are', () => {
    const t = fitLevelTransform('bot_share', 'rate', [10, 50, 90]);
    assert.equal(t.name, 'logit');
    const y = applyLevelTransform(t, [50, 10, 90, 0, 100]);
    assert.ok(Math.abs(y[0]) < 1e-12);
    assert.ok(Math.abs(y[1] + y[2]) < 1e-12);
    assert.ok(Number.isFinite(y[3]) && Math.abs(y[3] + y[4]) < 1e-12);
    assert.equal(fitLevelTransform('rps', 'rate', [-5, 250]).name, 'identity');
  });

  it('gives an all-zero signal a unit scale and rejects negative volumes', () => {
    assert.deepEqual(fitLevelTransform('l3', 'volume', [0, 0, 0]), { name: 'log', eps: 0.05 });
    assert.throws(() => fitLevelTransform('bgp_ips', 'count', [3, -1]), (e: unknown) => e instanceof DataError && /"bgp_ips".*negative/.test(e.message));
    assert.throws(() => fitLevelTransform('http', 'volume', [NaN]), DataError);
  });

  it('gives small integer counts an offset of two medians, and nothing else one', () => {
    assert.equal(smallCountOffset([0, 2, 3, 4, 1, NaN, 9]), 2 * 3);
    assert.equal(smallCountOffset([0.5, 2, 3]), 0, 'not a count: a value is not an integer');
    assert.equal(smallCountOffset([100, 101, 102]), 0, 'median above 100: counting noise under 10 %');
    assert.equal(smallCountOffset([99, 100, 100]), 200);
    assert.equal(smallCountOffset([0, 0, 0]), 0);
    assert.equal(smallCountOffset([]), 0);
  });
});
