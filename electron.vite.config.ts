import { resolve } from 'node:path';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { existsSync, readFileSync } from 'node:fs';

// Electron is an optional dependency: where its binary cannot be downloaded (no network) npm drops
// it, and the build only needs its major version, which package.json pins.
if (!process.env.ELECTRON_MAJOR_VER && !existsSync(resolve(__dirname, 'node_modules/electron/package.json'))) {
  const pkg = JSON.parse(readFileSync(resolve(__dirname, 'package.json'), 'utf8'));
  process.env.ELECTRON_MAJOR_VER = /\d+/.exec(pkg.optionalDependencies.electron)![0];
}

// Three bundles: main (the Electron entry, the `ktrdr` CLI/headless server, the job worker and the
// strategy-parse thread share one folder so the worker and the thread are always found next to their host), preload, and the React renderer.
export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/electron/main.ts'),
          cli: resolve(__dirname, 'src/cli/index.ts'),
          worker: resolve(__dirname, 'src/worker/main.ts'),
          // Strategy YAML, CSV imports and large JSON bodies are parsed on worker threads (src/infra/threads/parse-pool.ts).
          'parse-thread': resolve(__dirname, 'src/infra/threads/parse-thread.ts'),
          // Training shards and LSTM/GRU backtest inference run on compute threads (src/worker/training/fused/threads/pool.ts).
          'compute-thread': resolve(__dirname, 'src/worker/training/fused/threads/compute-thread.ts'),
        },
        // Shared chunks stay next to the entries: the job host finds worker.js beside itself.
        output: { format: 'cjs', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    plugins: [externalizeDepsPlugin()],
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].js' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    plugins: [react()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      rollupOptions: { input: resolve(__dirname, 'src/renderer/index.html') },
    },
  },
});
