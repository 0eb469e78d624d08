// Starts the page worker from its TypeScript source (tsx, vitest, the CLI): tsx's loader is registered in this
// thread first, as bin/motcua.mjs does for the main one. The electron-vite build runs the compiled worker instead.
import { register } from 'tsx/esm/api'

register()
await import('./page-worker.ts')
