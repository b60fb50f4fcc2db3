/**
 * Picks the tfjs backend once per process: TensorFlow with CUDA, then TensorFlow
 * on the CPU, then wasm, then plain JS. The choice can be forced (`--backend`,
 * CFM_BACKEND) and is recorded with every run, because losses are reproducible
 * only on the same backend.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients in Node; tfjs-layers' bundle does.
import '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { CfmError } from '../errors.js';

export const BACKENDS = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface BackendInfo {
  name: BackendName;
  /** What a person reads: "TensorFlow (CUDA)", "wasm (SIMD)", ... */
  description: string;
}

let chosen: BackendInfo | null = null;

// Held in variables so the type checker does not insist on optional packages.
const NODE_GPU = '@tensorflow/tfjs-node-gpu';
const NODE_CPU = '@tensorflow/tfjs-node';

async function tryTensorflow(pkg: string): Promise<boolean> {
  try {
    await import(pkg);
    return await tf.setBackend('tensorflow');
  } catch {
    return false;
  }
}

async function tryActivate(name: BackendName): Promise<BackendInfo | null> {
  switch (name) {
    case 'tensorflow-gpu': {
      if (!(await tryTensorflow(NODE_GPU))) return null;
      const b = tf.backend() as unknown as { isUsingGpuDevice?: boolean };
      // tfjs-node-gpu quietly runs on the CPU when CUDA/cuDNN are missing: say so.
      if (b.isUsingGpuDevice === false) {
        return { name: 'tensorflow-gpu', description: 'TensorFlow (GPU build, no CUDA device found: running on CPU)' };
      }
      return { name: 'tensorflow-gpu', description: 'TensorFlow (CUDA)' };
    }
    case 'tensorflow':
      return (await tryTensorflow(NODE_CPU)) ? { name, description: 'TensorFlow (CPU)' } : null;
    case 'wasm':
      try {
        return (await tf.setBackend('wasm')) ? { name, description: 'WebAssembly (SIMD, single thread)' } : null;
      } catch {
        return null;
      }
    case 'cpu':
      return (await tf.setBackend('cpu')) ? { name, description: 'plain JavaScript (slow)' } : null;
  }
}

export function parseBackendName(value: string, field = 'backend'): BackendName {
  if ((BACKENDS as readonly string[]).includes(value)) return value as BackendName;
  throw new CfmError(
    'invalid_input',
    `${field}: unknown backend "${value}"; use one of ${BACKENDS.join(', ')}`,
    field,
  );
}

/**
 * Initialise tfjs. `requested` (or CFM_BACKEND) forces one backend and fails
 * loudly if it is unavailable; otherwise the best available one wins.
 */
export async function initBackend(requested?: string): Promise<BackendInfo> {
  const wanted = requested ?? process.env.CFM_BACKEND;
  if (chosen && (!wanted || wanted === chosen.name)) return chosen;
  tf.env().set('PROD', true);
  // Training on an ill-posed input should surface as a NaN loss we can report, not a throw.
  tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
  const order: BackendName[] = wanted ? [parseBackendName(wanted, requested ? 'backend' : 'CFM_BACKEND')] : [...BACKENDS];
  for (const name of order) {
    const info = await tryActivate(name);
    if (info) {
      await tf.ready();
      chosen = info;
      return info;
    }
  }
  throw new CfmError(
    'backend',
    wanted
      ? `backend: "${wanted}" is not available here; install its package or use --backend wasm`
      : 'backend: no tfjs backend could start; reinstall dependencies (npm ci)',
    'backend',
  );
}

export function currentBackend(): BackendInfo {
  if (!chosen) throw new CfmError('internal', 'backend: initBackend() has not been called');
  return chosen;
}

export { tf };
