import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as electron from 'electron'
import { startDesktopApp } from './desktop-app'

// electron-vite builds this file to out/main/index.js; the preload and renderer sit beside it.
const outDir = fileURLToPath(new URL('..', import.meta.url))
startDesktopApp(
  electron,
  {
    preload: join(outDir, 'preload', 'index.cjs'),
    renderer: join(outDir, 'renderer'),
    resources: electron.app.isPackaged ? join(process.resourcesPath, 'resources') : join(electron.app.getAppPath(), 'resources'),
  },
  process.argv,
  electron.app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL,
)
