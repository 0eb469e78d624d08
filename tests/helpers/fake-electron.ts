import { EventEmitter } from 'node:events'
import { vi } from 'vitest'

/** A stand-in for the parts of Electron that main uses, recording what main asks of it. */
export class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined
  readonly reload = vi.fn()
  readonly send = vi.fn()
  isDestroyed(): boolean {
    return false
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler
  }
}

export function createFakeElectron(options: { userData: string; appPath: string; singleInstance?: boolean; isPackaged?: boolean }) {
  const appEvents = new EventEmitter()
  let resolveReady!: () => void
  const ready = new Promise<void>((resolve) => (resolveReady = resolve))
  const windows: FakeBrowserWindow[] = []

  class FakeBrowserWindow extends EventEmitter {
    readonly webContents = new FakeWebContents()
    readonly loadURL = vi.fn(async (_url: string) => undefined)
    constructor(readonly options: Record<string, unknown>) {
      super()
      windows.push(this)
      appEvents.emit('web-contents-created', {}, this.webContents)
    }
    static getAllWindows(): FakeBrowserWindow[] {
      return windows
    }
    show = vi.fn()
    focus = vi.fn()
    restore = vi.fn()
    isMinimized = (): boolean => false
  }

  const electron = {
    app: {
      isPackaged: options.isPackaged ?? true,
      requestSingleInstanceLock: vi.fn(() => options.singleInstance ?? true),
      quit: vi.fn(),
      on: (event: string, listener: (...args: unknown[]) => void) => appEvents.on(event, listener),
      whenReady: () => ready,
      getPath: vi.fn(() => options.userData),
      getVersion: () => '0.1.0',
      getAppPath: () => options.appPath,
    },
    BrowserWindow: FakeBrowserWindow,
    ipcMain: { handle: vi.fn() },
    protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
    // A reversible stand-in for the OS keychain, so tests see that the key is wrapped.
    safeStorage: {
      isEncryptionAvailable: () => true,
      encryptString: (text: string) => Buffer.from(`os:${text}`),
      decryptString: (data: Buffer) => data.toString().replace(/^os:/, ''),
    },
    screen: {
      getPrimaryDisplay: () => ({ id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 } }),
      getAllDisplays: () => [{ id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 } }],
    },
    session: { defaultSession: { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn() } },
  }
  return { electron, appEvents, windows, becomeReady: resolveReady }
}
