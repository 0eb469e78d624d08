import { homedir } from 'node:os'
import { join } from 'node:path'

export const PRODUCT_NAME = 'Một Cửa Kiosk'

/**
 * Where the app keeps a device's data: the same folder Electron's app.getPath('userData') gives,
 * so that the command line provisions the very device the desktop app runs as.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.MOTCUA_DATA_DIR) return env.MOTCUA_DATA_DIR
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), PRODUCT_NAME)
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', PRODUCT_NAME)
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), PRODUCT_NAME)
}
