import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

const root = import.meta.dirname;

// electron-vite only looks for electron.vite.config.*, so every script passes `-c electron.config.ts`
// and every entry and root is spelled out here.
export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      rollupOptions: {
        input: {
          // The Electron shell, the plain-Node web host and the engine process share one build.
          main: resolve(root, 'electron/main.ts'),
          web: resolve(root, 'electron/host/web-main.ts'),
          engine: resolve(root, 'electron/engine/process/engine-main.ts'),
          // A documents' extraction worker (worker_threads), one per file read.
          'extract-worker': resolve(root, 'electron/services/documents/extract-worker.ts'),
        },
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      rollupOptions: {
        input: { preload: resolve(root, 'electron/preload.ts') },
        // A sandboxed preload must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [react()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      // electron-vite leaves every build unminified; the page parses its script on every start.
      minify: true,
      rollupOptions: { input: resolve(root, 'renderer/index.html') },
    },
  },
});
