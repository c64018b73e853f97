/** Picks the fastest TensorFlow.js backend available on this machine: native (tfjs-node[-gpu]) → wasm → cpu. */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../errors';
import { log } from '../util/log';
import { installWasmMatMul } from './wasm-matmul';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/**
 * Finds a *native* tfjs-node package. package.json overrides may alias `@tensorflow/tfjs-node` to
 * plain `@tensorflow/tfjs` (see facts.md, for danfojs), so the resolved package must really be the native one.
 */
function findNative(): string | undefined {
  for (const name of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      const pkgFile = require.resolve(`${name}/package.json`);
      const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { name?: string };
      if (pkg.name === name) return name;
    } catch {
      // not installed: try the next one
    }
  }
  return undefined;
}

async function tryNative(): Promise<boolean> {
  const name = findNative();
  if (!name) return false;
  try {
    require(name);
    // A native package built against another tfjs-core copy registers into that copy's engine, not ours.
    if (!tf.findBackendFactory('tensorflow')) {
      log.warn(`${name} is installed but did not register a "tensorflow" backend with @tensorflow/tfjs ${tf.version.tfjs}; check that their versions match`);
      return false;
    }
    return await tf.setBackend('tensorflow');
  } catch (e) {
    log.warn(`${name} is installed but failed to load (${(e as Error).message}); falling back`);
    return false;
  }
}

/**
 * The wasm backend, single-threaded with SIMD. Its threaded binary is disabled in Node by tfjs itself (flags_wasm.js:
 * IS_NODE → no multithread support); forcing it needs a patched Worker for blob: URLs and still caps threads at half
 * the cores. Measured here: no faster for these small models, and 2–3× slower whenever the other core is busy.
 * Throughput comes from the fast transposed products instead (wasm-matmul.ts) and from worker threads per country.
 */
async function tryWasm(): Promise<boolean> {
  try {
    const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    // In Node the .wasm binaries live next to the package's main file; point the loader there explicitly.
    const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    wasm.setWasmPaths(dist + path.sep);
    installWasmMatMul();
    return await tf.setBackend('wasm');
  } catch (e) {
    log.warn(`wasm backend failed to start (${(e as Error).message}); falling back to cpu`);
    return false;
  }
}

let pending: Promise<BackendName> | undefined;

/**
 * Initialises the fastest available backend once and returns its name. `RADARWATCH_BACKEND=wasm|cpu|tensorflow`
 * (or `prefer`) forces one; a forced backend that cannot start is an error rather than a silent fallback.
 * Idempotent: later calls return the backend chosen first.
 */
export function initBackend(prefer: string | undefined = process.env.RADARWATCH_BACKEND): Promise<BackendName> {
  // tfjs's engine is process-global, so the choice is too; caching the promise keeps concurrent callers from racing.
  if (!pending) pending = choose(prefer).catch((e) => { pending = undefined; throw e; });
  return pending;
}

async function choose(prefer: string | undefined): Promise<BackendName> {
  const forced = prefer?.trim().toLowerCase() || undefined;
  if (forced && !BACKEND_NAMES.includes(forced as BackendName)) {
    throw new ConfigError(`RADARWATCH_BACKEND="${prefer}" is not a backend. Expected one of ${BACKEND_NAMES.join(', ')} (or unset for the fastest available).`);
  }
  const attempts: Record<BackendName, () => Promise<boolean>> = {
    tensorflow: tryNative,
    wasm: tryWasm,
    cpu: () => tf.setBackend('cpu'),
  };
  const order: BackendName[] = forced ? [forced as BackendName] : ['tensorflow', 'wasm', 'cpu'];
  for (const name of order) {
    if (await attempts[name]()) {
      await tf.ready();
      log.info(`tfjs backend: ${name}${forced ? ' (forced by RADARWATCH_BACKEND)' : ''}`);
      return name;
    }
  }
  throw new ConfigError(
    forced === 'tensorflow'
      ? 'RADARWATCH_BACKEND=tensorflow but no working @tensorflow/tfjs-node(-gpu) was found. Install it (npm i @tensorflow/tfjs-node) or unset RADARWATCH_BACKEND.'
      : `RADARWATCH_BACKEND=${forced} could not be started; unset it to pick the fastest available backend.`,
  );
}
