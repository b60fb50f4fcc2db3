/**
 * The status bar's "how do I get the GPU" text. Versions checked against the
 * package itself: @tensorflow/tfjs-node-gpu 4.22.0 downloads libtensorflow
 * 2.9.1 (scripts/deps-constants.js), and TensorFlow 2.9 is built and tested
 * with CUDA 11.2 and cuDNN 8.1 (tensorflow.org's tested build configurations;
 * CUDA 11.8 / cuDNN 8.6 belong to TensorFlow 2.12, which no tfjs-node uses).
 * Prebuilt GPU binaries exist for Linux x64 and Windows x64 only.
 */
export const GPU_HELP =
  'To train on an NVIDIA GPU: on Linux x64 (or Windows x64) with an NVIDIA driver >= 450, CUDA 11.2 and cuDNN 8.1 ' +
  'installed (what @tensorflow/tfjs-node-gpu 4.22 needs: it loads TensorFlow 2.9.1), run `npm install @tensorflow/tfjs-node-gpu` ' +
  'in the workbench folder and restart it; it then picks the GPU by itself (force it with --backend tensorflow-gpu or CFM_BACKEND=tensorflow-gpu). ' +
  'Without a GPU, `npm install @tensorflow/tfjs-node` runs TensorFlow on the CPU, faster than WebAssembly.';

/**
 * An installer's app carries the backends it was built with; its users cannot
 * npm install into it, so they get the two routes that work for them.
 */
export const PACKAGED_GPU_HELP =
  'To train on an NVIDIA GPU, run the workbench from its source folder on a Linux x64 or Windows x64 machine with an NVIDIA driver >= 450, ' +
  'CUDA 11.2 and cuDNN 8.1 (`npm install`, then `npm install @tensorflow/tfjs-node-gpu`), or run `cfm serve` on the GPU machine and open ' +
  'the address it prints in a browser (through an SSH tunnel for a remote machine).';

export function gpuHelp(backend: { name: string; description: string }, o: { packaged?: boolean } = {}): string {
  const help = o.packaged ? PACKAGED_GPU_HELP : GPU_HELP;
  if (backend.name === 'tensorflow-gpu' && backend.description === 'TensorFlow (CUDA)') {
    return 'Training uses the GPU (TensorFlow with CUDA).';
  }
  if (backend.name === 'tensorflow-gpu') {
    return `The GPU build of TensorFlow is installed but found no CUDA device, so it runs on the CPU. ${help}`;
  }
  return `Training runs on ${backend.description}. ${help}`;
}
