import type { MotcuaApi } from '../../../shared/contract/contract'
import { buildApi } from '../../../shared/contract/client'
import { createWebTransport } from './web-transport'

declare global {
  interface Window {
    /** Set by the Electron preload; absent in browser mode. */
    readonly motcua?: MotcuaApi
  }
}

/** One interface, two implementations: Electron's preload bridge, or the web host over HTTP. */
export function getPlatformApi(): MotcuaApi {
  return window.motcua ?? buildApi(createWebTransport())
}
