import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/model/backend';
import { wasmMatMulInstalled } from '../../src/model/wasm-matmul';
import { createRng } from '../../src/util/random';

/** Plain-JS product of a [m,k] and b [k,n] (row-major), with optional transposes of the stored operands. */
function reference(a: Float32Array, aShape: [number, number], b: Float32Array, bShape: [number, number], ta: boolean, tb: boolean): Float64Array {
  const [ar, ac] = aShape;
  const [br, bc] = bShape;
  const m = ta ? ac : ar;
  const k = ta ? ar : ac;
  const n = tb ? br : bc;
  const A = (i: number, j: number) => (ta ? a[j * ac + i] : a[i * ac + j]);
  const B = (i: number, j: number) => (tb ? b[j * bc + i] : b[i * bc + j]);
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) out[i * n + j] += A(i, p) * B(p, j);
  return out;
}

describe('model/wasm-matmul (transposed products on the fast path)', () => {
  before(async function () {
    this.timeout(60_000);
    await initBackend();
  });

  it('is installed on the wasm backend', function () {
    if (tf.getBackend() !== 'wasm') this.skip();
    assert.ok(wasmMatMulInstalled());
  });

  it('gives the same products as the definition, with and without transposes, and leaks no tensors', () => {
    const rng = createRng(3);
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const [m, k, n] = [37, 19, 11];
      const aShape: [number, number] = ta ? [k, m] : [m, k];
      const bShape: [number, number] = tb ? [n, k] : [k, n];
      const a = Float32Array.from({ length: m * k }, () => rng.normal());
      const b = Float32Array.from({ length: k * n }, () => rng.normal());
      const before = tf.memory().numTensors;
      const got = tf.tidy(() => tf.matMul(tf.tensor2d(a, aShape), tf.tensor2d(b, bShape), ta, tb).dataSync());
      assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
      const want = reference(a, aShape, b, bShape, ta, tb);
      assert.equal(got.length, want.length);
      for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) <= 1e-4 * (1 + Math.abs(want[i])), `transposeA=${ta} transposeB=${tb} entry ${i}: ${got[i]} vs ${want[i]}`);
    }
  });

  it('keeps gradients of a dense layer right (x·W, both operands)', () => {
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const w = tf.tensor2d([0.5, -1, 2, 0, 1, 1], [3, 2]);
    const g = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.matMul(xx as tf.Tensor2D, ww as tf.Tensor2D)));
    const [dx, dw] = g([x, w]);
    // d/dx sum(xW) = 1·Wᵀ (row sums of W), d/dW = xᵀ·1 (column sums of x)
    assert.deepEqual(Array.from(dx.dataSync()), [-0.5, 2, 2, -0.5, 2, 2]);
    assert.deepEqual(Array.from(dw.dataSync()), [5, 5, 7, 7, 9, 9]);
    tf.dispose([x, w, dx, dw]);
  });
});
