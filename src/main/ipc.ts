import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron'
import { EVENT_NAMES, ipcChannel, OPERATION_NAMES } from '../shared/contract/contract'
import { dispatch, type Result } from '../shared/contract/dispatch'
import type { Services } from './services'
import { isTrustedSenderFrame } from './app-origin'

/** The Electron adapter of the contract: one ipcMain handler per operation, each checking its sender. */
export function registerIpcHandlers(ipcMain: Pick<IpcMain, 'handle'>, services: Services, log: (line: string) => void, devServerUrl?: string): void {
  for (const name of OPERATION_NAMES) {
    ipcMain.handle(ipcChannel(name), async (event: IpcMainInvokeEvent, input: unknown): Promise<Result> => {
      if (!isTrustedSenderFrame(event.senderFrame, devServerUrl)) {
        log(`Refused IPC ${name} from ${event.senderFrame?.url ?? 'a destroyed frame'}`)
        return { ok: false, error: { code: 'forbidden', message: 'Sender not allowed' } }
      }
      return dispatch(services.handlers, name, input, log)
    })
  }
}

/** Sends main's events to every window; returns the unsubscribe function. */
export function forwardEvents(services: Services, windows: () => readonly WebContents[]): () => void {
  const known = new Set<string>(EVENT_NAMES)
  return services.subscribe((event, payload) => {
    if (!known.has(event)) return
    for (const contents of windows()) if (!contents.isDestroyed()) contents.send(ipcChannel(event), payload)
  })
}
