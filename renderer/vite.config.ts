/**
 * The renderer's build: a Svelte 5 app bundled by Vite into dist/renderer,
 * with relative asset URLs (base './') so the same build loads from
 * `cfm serve` at / and from a file:// URL inside Electron. Everything is
 * emitted as files (no inline scripts or styles), as the strict CSP of both
 * hosts requires.
 */
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [svelte()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1000,
  },
});
