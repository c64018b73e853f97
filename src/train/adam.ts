/**
 * Adam with its update computed on the host: the weights it gives are bit for bit tf.train.adam's, at a fraction of
 * the cost. tfjs's optimizer runs about 14 kernels per variable and step (420 for the autoencoder's 30 weight
 * tensors, a third of a training step's kernels); on the wasm backend their dispatch took 30 % of a step. Here each
 * step reads every gradient and weight once, updates them in JS and writes each weight back once.
 *
 * Exactness: tfjs computes every operation of the update in float32. IEEE float32 +, −, ×, ÷ and √ are correctly
 * rounded, and a double result of one such operation on float32 operands rounded to float32 (Math.fround) is the
 * correctly rounded float32 result (double has more than 2·24 + 2 bits), so replaying tfjs's operations in its order
 * with a rounding after each gives its numbers exactly (checked in test/train/adam.test.ts).
 */
import * as tf from '@tensorflow/tfjs';

const f32 = Math.fround;

/** tf.train.adam's defaults. */
const BETA1 = 0.9;
const BETA2 = 0.999;

/** Adam over `variables` (learning rate settable between steps, as tfjs's `learningRate`). */
export class HostAdam {
  private readonly b1 = f32(BETA1);
  private readonly b2 = f32(BETA2);
  // tfjs takes 1 − β in double, then makes a float32 scalar of it
  private readonly oneMinusB1 = f32(1 - BETA1);
  private readonly oneMinusB2 = f32(1 - BETA2);
  private readonly epsilon = f32(tf.backend().epsilon());
  /** β1^t and β2^t of the next step t (tfjs's accBeta1 / accBeta2, float32). */
  private accB1 = f32(BETA1);
  private accB2 = f32(BETA2);
  private readonly m = new Map<string, Float32Array>();
  private readonly v = new Map<string, Float32Array>();

  constructor(
    public learningRate: number,
    private readonly variables: tf.Variable[],
  ) {}

  /** One step: the gradients of `loss` for the variables, then the update. Returns the loss (the caller disposes it). */
  minimize(loss: () => tf.Scalar): tf.Scalar {
    const { value, grads } = tf.variableGrads(loss, this.variables);
    const c1 = f32(1 - this.accB1);
    const c2 = f32(1 - this.accB2);
    const step = f32(-this.learningRate);
    for (const variable of this.variables) {
      const grad = grads[variable.name];
      // a variable the loss does not reach keeps its value and moments, as in tfjs
      if (!grad) continue;
      const g = grad.dataSync() as Float32Array;
      grad.dispose();
      // read only: on the cpu backend dataSync is the tensor's own storage
      const w = variable.dataSync() as Float32Array;
      const next = new Float32Array(g.length);
      const m = this.moment(this.m, variable.name, g.length);
      const v = this.moment(this.v, variable.name, g.length);
      for (let i = 0; i < g.length; i++) {
        const mi = f32(f32(m[i] * this.b1) + f32(g[i] * this.oneMinusB1));
        const vi = f32(f32(v[i] * this.b2) + f32(f32(g[i] * g[i]) * this.oneMinusB2));
        m[i] = mi;
        v[i] = vi;
        const denom = f32(f32(Math.sqrt(f32(vi / c2))) + this.epsilon);
        next[i] = f32(f32(f32(f32(mi / c1) / denom) * step) + w[i]);
      }
      tf.tidy(() => variable.assign(tf.tensor(next, variable.shape, 'float32')));
    }
    this.accB1 = f32(this.accB1 * this.b1);
    this.accB2 = f32(this.accB2 * this.b2);
    return value;
  }

  /** A variable's moment, zeros on its first step. */
  private moment(store: Map<string, Float32Array>, name: string, size: number): Float32Array {
    let a = store.get(name);
    if (!a) store.set(name, (a = new Float32Array(size)));
    return a;
  }
}

/** The tf.Variables behind a layers model's trainable weights (what tfjs's optimizer would update). */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}
