import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/model/backend';
(async () => {
  await initBackend(process.argv[2]);
  const y = tf.oneHot(tf.tensor1d([1, 2], 'int32'), 4, 1, 0, 'float32');
  const x = tf.variable(tf.tensor2d([[0.1, 0.5, -1, 2], [1, 1, 1, 1]]));
  const f1 = (l: tf.Tensor) => tf.neg(tf.mean(tf.sum(tf.mul(y, tf.sub(l, tf.logSumExp(l, 1, true))), 1)));
  const f2 = (l: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, l);
  const f3 = (l: tf.Tensor) => { const m = tf.max(l, 1, true); const s = tf.sub(l, m); return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.sub(s, tf.log(tf.sum(tf.exp(s), 1, true)))), 1))); };
  for (const f of [f1, f2, f3]) { console.log(f(x).dataSync()[0]); tf.grad(f)(x).print(); }
})();
