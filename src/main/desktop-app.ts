import type * as Electron from 'electron'
import { createServices } from './services'
import { FILE_ONLY_WRAPPER } from './services/privacy/data-key'
import { serveRenderer, APP_SCHEME_PRIVILEGES } from './app-protocol'
import { appUrl, isAppUrl } from './app-origin'
import { forwardEvents, registerIpcHandlers } from './ipc'
import { isKioskEscapeKey } from './kiosk-keys'
import { planWindows } from './windows'

type ElectronModule = Pick<typeof Electron, 'app' | 'BrowserWindow' | 'ipcMain' | 'protocol' | 'safeStorage' | 'screen' | 'session'>

export interface DesktopPaths {
  readonly preload: string
  readonly renderer: string
  readonly resources: string
}

/**
 * The Electron shell, kept thin: register app://, harden every web contents, open one window per
 * role, and hand every operation to the service layer through the IPC adapter.
 */
export function startDesktopApp(electron: ElectronModule, paths: DesktopPaths, argv: readonly string[], devServerUrl?: string): void {
  const { app, BrowserWindow, ipcMain, protocol, safeStorage, screen, session } = electron
  const isProduction = app.isPackaged
  const log = (line: string): void => console.log(`[main] ${line}`)

  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return
  }
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES])

  app.on('second-instance', () => {
    const first = BrowserWindow.getAllWindows()[0]
    if (first) {
      if (first.isMinimized()) first.restore()
      first.focus()
    }
  })

  app.on('web-contents-created', (_event, contents) => {
    // Screens are one page each; the hash router never navigates the document.
    contents.on('will-navigate', (event) => event.preventDefault())
    contents.on('will-redirect', (event) => event.preventDefault())
    contents.on('will-attach-webview', (event) => event.preventDefault())
    contents.setWindowOpenHandler(() => ({ action: 'deny' }))
    contents.on('render-process-gone', (_goneEvent, details) => {
      log(`Renderer gone (${details.reason}); reloading`)
      if (details.reason !== 'clean-exit' && !contents.isDestroyed()) contents.reload()
    })
  })

  app.on('window-all-closed', () => app.quit())

  void app.whenReady().then(async () => {
    const defaultSession = session.defaultSession
    defaultSession.setPermissionRequestHandler((_contents, permission, callback, details) => {
      const videoOnly = permission === 'media' && (details as { mediaTypes?: string[] }).mediaTypes?.every((type) => type === 'video') === true
      callback(videoOnly && isAppUrl(details.requestingUrl, devServerUrl))
    })
    defaultSession.setPermissionCheckHandler((_contents, permission, requestingOrigin) => permission === 'media' && isAppUrl(requestingOrigin, devServerUrl))
    serveRenderer(protocol, paths.renderer)

    const services = await createServices({
      dataDir: app.getPath('userData'),
      resourcesDir: paths.resources,
      appVersion: app.getVersion(),
      runtime: 'electron',
      log,
      watchSerialScanners: true,
      watchCardReaders: true,
      runSyncHub: true,
      keyWrapper: safeStorage.isEncryptionAvailable()
        ? {
            kind: 'os',
            wrap: (key) => safeStorage.encryptString(key.toString('base64')),
            unwrap: (wrapped) => Buffer.from(safeStorage.decryptString(wrapped), 'base64'),
          }
        : FILE_ONLY_WRAPPER,
    })
    registerIpcHandlers(ipcMain, services, log, devServerUrl)
    forwardEvents(services, () => BrowserWindow.getAllWindows().map((window) => window.webContents))

    const config = (await services.handlers.getDeviceInfo({})).config
    const plans = planWindows({
      roles: config.roles,
      isProduction,
      primaryDisplay: screen.getPrimaryDisplay(),
      displays: screen.getAllDisplays(),
      technicianRequested: argv.includes('--technician'),
    })
    for (const plan of plans) {
      // The security checklist, written out literally here so that reviewers and Electronegativity see it.
      const window = new BrowserWindow({
        ...plan.options,
        webPreferences: {
          preload: paths.preload, // eng-disable PRELOAD_JS_CHECK: reviewed; it exposes only the contract's named functions
          contextIsolation: true,
          sandbox: true,
          nodeIntegration: false,
          nodeIntegrationInWorker: false,
          nodeIntegrationInSubFrames: false,
          webSecurity: true,
          allowRunningInsecureContent: false,
          experimentalFeatures: false,
          webviewTag: false,
          navigateOnDragDrop: false,
          disableBlinkFeatures: 'Auxclick',
          spellcheck: false,
          safeDialogs: true,
          devTools: !isProduction,
        },
      })
      if (plan.options.kiosk) {
        window.webContents.on('before-input-event', (event, input) => {
          if (isKioskEscapeKey(input)) event.preventDefault()
        })
      }
      window.once('ready-to-show', () => window.show())
      const route = plan.role
      void window.loadURL(devServerUrl ? `${devServerUrl}#/${route}` : appUrl(route))
    }
  })
}
