/**
 * A faster transposed matrix product on the wasm backend. Its BatchMatMul kernel runs the fast XNNPACK path only
 * without transposes; with `transposeA` or `transposeB` it falls back to a plain loop that is 3–8× slower for our
 * shapes (measured: [256,98]ᵀ·[256,64] 1.25 ms, transpose + product 0.22 ms). Every dense layer's backward pass
 * takes both transposed products (dW = xᵀ·dy, dx = dy·Wᵀ), so they were 40 % of training time. This wraps the
 * kernel: a transposed operand is transposed explicitly (a cheap copy), then the fast kernel runs. Same products,
 * so results match up to float rounding.
 */
import * as tf from '@tensorflow/tfjs';

type KernelConfig = NonNullable<ReturnType<typeof tf.getKernel>>;
type KernelFunc = KernelConfig['kernelFunc'];
type TensorInfo = { dataId: object; shape: number[]; dtype: string };

const KERNEL = 'BatchMatMul';
let installed: KernelFunc | null = null;

/** Whether the registered wasm BatchMatMul is this module's wrapper (false on other backends or before install). */
export function wasmMatMulInstalled(): boolean {
  return installed !== null && tf.getKernel(KERNEL, 'wasm')?.kernelFunc === installed;
}

/** Wraps the wasm backend's BatchMatMul once (idempotent); call after the wasm backend is registered. */
export function installWasmMatMul(): void {
  if (installed) return;
  const orig = tf.getKernel(KERNEL, 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!orig || !transpose) return;
  const run = orig.kernelFunc;
  const kernelFunc: KernelFunc = (args) => {
    const { inputs, backend, attrs } = args as unknown as { inputs: { a: TensorInfo; b: TensorInfo }; backend: { disposeData(id: object): void }; attrs: { transposeA: boolean; transposeB: boolean } };
    if (!attrs.transposeA && !attrs.transposeB) return run(args);
    const flip = (x: TensorInfo): TensorInfo => {
      const r = x.shape.length;
      const perm = [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2];
      return transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } } as never) as TensorInfo;
    };
    const a = attrs.transposeA ? flip(inputs.a) : inputs.a;
    const b = attrs.transposeB ? flip(inputs.b) : inputs.b;
    try {
      return run({ ...args, inputs: { a, b }, attrs: { ...attrs, transposeA: false, transposeB: false } } as never);
    } finally {
      if (a !== inputs.a) backend.disposeData(a.dataId);
      if (b !== inputs.b) backend.disposeData(b.dataId);
    }
  };
  tf.unregisterKernel(KERNEL, 'wasm');
  tf.registerKernel({ ...orig, kernelFunc });
  installed = kernelFunc;
}
