/**
 * electron-vite build of the desktop app into out/:
 * - out/main: ESM main process, the engine host worker and every engine
 *   worker, each as `<basename>.js` in the same folder (src/engine/worker-script.ts
 *   looks for built workers next to the bundle; shared chunks stay there too).
 * - out/preload/index.cjs: CommonJS, because sandboxed preloads cannot be ESM.
 * - out/renderer: the React UI from src/renderer/index.html, with the strict
 *   CSP injected as a <meta> tag (the same policy main sends as a header).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { contentSecurityPolicy } from './src/main/shell/security.js';

const root = import.meta.dirname;
const src = resolve(root, 'src');

/**
 * Every worker module the engine or main starts: the source paths
 * ('engine/pool/rotation-worker.ts', ...) written in files that use
 * spawnWorker, so a new engine worker is never left out of the build.
 */
function workerEntries(): Record<string, string> {
  const entries: Record<string, string> = {};
  const workerSource = /['"]((?:engine|main)\/[\w./-]+\.ts)['"]/g;
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        visit(path);
        continue;
      }
      if (!entry.name.endsWith('.ts')) continue;
      const text = readFileSync(path, 'utf8');
      if (!text.includes('spawnWorker')) continue;
      for (const match of text.matchAll(workerSource)) {
        const file = resolve(src, match[1] as string);
        if (!existsSync(file)) continue;
        const name = basename(file, '.ts');
        if (entries[name] && entries[name] !== file) {
          throw new Error(
            `Two workers share the basename "${name}"; built workers need unique names.`,
          );
        }
        entries[name] = file;
      }
    }
  };
  visit(join(src, 'engine'));
  visit(join(src, 'main'));
  return entries;
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

const mainInputs = {
  index: resolve(src, 'main/index.ts'),
  'engine-host': resolve(src, 'main/host/engine-host.ts'),
  ...workerEntries(),
};

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      externalizeDeps: true,
      rolldownOptions: {
        input: mainInputs,
        output: {
          format: 'es',
          entryFileNames: '[name].js',
          // Not in a chunks/ subfolder: worker-script.ts resolves workers relative to the chunk it lands in.
          chunkFileNames: '[name]-[hash].js',
        },
      },
    },
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
