import type { IpcRenderer, IpcRendererEvent } from 'electron'
import { ipcChannel, type MotcuaApi } from '../shared/contract/contract'
import { buildApi } from '../shared/contract/client'

/**
 * The page's whole view of main: one named function per operation and one subscribe function per
 * event. Each function's channel is fixed by the contract; the page never names a channel, and
 * listeners get the checked payload, never the raw IPC event.
 */
export function buildBridge(ipcRenderer: Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>): MotcuaApi {
  return buildApi({
    invoke: (name, input) => ipcRenderer.invoke(ipcChannel(name), input),
    listen(event, relay) {
      const handler = (_event: IpcRendererEvent, payload: unknown): void => relay(payload)
      ipcRenderer.on(ipcChannel(event), handler)
      return () => void ipcRenderer.removeListener(ipcChannel(event), handler)
    },
  })
}
