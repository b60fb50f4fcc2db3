/**
 * Bundles the sandboxed preload (main/preload.ts) into one CommonJS file,
 * dist/main/preload.cjs: a sandboxed preload has only a small `require`
 * (electron's renderer modules and a few Node polyfills), so everything it
 * imports is inlined and only `electron` stays external.
 *
 * The API's method names are injected as a constant from the contract itself
 * (API_METHODS' keys), so the bundle needs no zod and follows the contract on
 * every build. Run after `tsc -p tsconfig.main.json` (same folder, not emptied).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { API_METHODS } from '../app/contract.js';

export const PRELOAD_METHODS = Object.keys(API_METHODS);

export default defineConfig({
  publicDir: false,
  logLevel: 'warn',
  define: {
    __CFM_API_METHODS__: JSON.stringify(PRELOAD_METHODS),
  },
  build: {
    outDir: fileURLToPath(new URL('../dist/main', import.meta.url)),
    emptyOutDir: false,
    // Electron 45 is Chromium 140.
    target: 'chrome140',
    minify: false,
    sourcemap: false,
    reportCompressedSize: false,
    copyPublicDir: false,
    lib: {
      entry: fileURLToPath(new URL('./preload.ts', import.meta.url)),
      formats: ['cjs'],
      fileName: () => 'preload.cjs',
    },
    rolldownOptions: {
      external: ['electron'],
    },
  },
});
