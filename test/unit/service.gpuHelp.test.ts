import { describe, expect, it } from 'vitest';
import { gpuHelp } from '../../app/service/gpuHelp.js';

const wasm = { name: 'wasm', description: 'WebAssembly (tfjs-backend-wasm)' };

describe('the GPU help text', () => {
  it('from a source folder: install tfjs-node-gpu there, with the CUDA and cuDNN it needs', () => {
    const t = gpuHelp(wasm);
    expect(t).toMatch(/^Training runs on WebAssembly/);
    expect(t).toMatch(/npm install @tensorflow\/tfjs-node-gpu` in the workbench folder/);
    expect(t).toMatch(/CUDA 11\.2 and cuDNN 8\.1/);
  });

  it('in an installed app: never "install into the workbench folder", but the source folder or cfm serve on the GPU machine', () => {
    const t = gpuHelp(wasm, { packaged: true });
    expect(t).not.toMatch(/in the workbench folder/);
    expect(t).toMatch(/from its source folder/);
    expect(t).toMatch(/cfm serve` on the GPU machine/);
    expect(t).toMatch(/CUDA 11\.2 and cuDNN 8\.1/);
  });

  it('says so when the GPU is in use, and when the GPU build found no device', () => {
    expect(gpuHelp({ name: 'tensorflow-gpu', description: 'TensorFlow (CUDA)' })).toBe('Training uses the GPU (TensorFlow with CUDA).');
    expect(gpuHelp({ name: 'tensorflow-gpu', description: 'TensorFlow (CPU)' }, { packaged: true })).toMatch(/found no CUDA device/);
  });
});
