import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'

export default defineConfig({
  main: {
    build: {
      // The page pipeline's worker thread is its own entry (src/main/services/capture/page-processor.ts starts it).
      rollupOptions: { input: { index: resolve('src/main/index.ts'), 'capture-page-worker': resolve('src/main/services/capture/page-worker.ts') } },
    },
  },
  preload: {
    // A sandboxed preload cannot require packages at run time: bundle everything (zod included) as CommonJS.
    build: {
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    plugins: [react()],
    build: {
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
})
