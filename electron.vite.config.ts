/**
 * electron-vite build of the desktop app into out/:
 * - out/main: the ESM main process; out/main/workers: the engine host and every
 *   engine worker, each one self-contained CommonJS bundle (scripts/build-workers.mjs)
 *   that main starts from memory (src/engine/worker-script.ts).
 * - out/preload/index.cjs: CommonJS, because sandboxed preloads cannot be ESM.
 * - out/renderer: the React UI from src/renderer/index.html, with the strict
 *   CSP injected as a <meta> tag (the same policy main sends as a header).
 */
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { appWorkerEntries, buildWorkers } from './scripts/build-workers.mjs';
import { contentSecurityPolicy } from './src/main/shell/security.js';

const root = import.meta.dirname;
const src = resolve(root, 'src');

/** After main's bundle: the worker bundles in out/main/workers (scripts/build-workers.mjs). */
function workerBundles(): Plugin {
  return {
    name: 'vaultstore-admin:worker-bundles',
    apply: 'build',
    async closeBundle() {
      await buildWorkers(appWorkerEntries(), { outdir: resolve(root, 'out/main/workers') });
    },
  };
}

/** Adds the CSP <meta> tag to the built index.html (dev uses the relaxed header from main instead). */
function cspMetaTag(): Plugin {
  return {
    name: 'vaultstore-admin:csp-meta',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: () => [
        {
          tag: 'meta',
          attrs: {
            'http-equiv': 'Content-Security-Policy',
            content: contentSecurityPolicy({ forMetaTag: true }),
          },
          injectTo: 'head-prepend',
        },
      ],
    },
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      externalizeDeps: true,
      rolldownOptions: {
        input: { index: resolve(src, 'main/index.ts') },
        output: {
          format: 'es',
          entryFileNames: '[name].js',
          // Not in a chunks/ subfolder: worker-script.ts finds workers/ relative to the chunk it lands in.
          chunkFileNames: '[name]-[hash].js',
        },
      },
    },
    plugins: [workerBundles()],
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      rolldownOptions: {
        input: { index: resolve(src, 'preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(src, 'renderer'),
    plugins: [react(), cspMetaTag()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      rolldownOptions: { input: resolve(src, 'renderer/index.html') },
    },
  },
});
