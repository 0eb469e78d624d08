import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { OPERATION_NAMES } from '../../../src/shared/contract/contract'
import { createFakeElectron, FakeWebContents } from '../../helpers/fake-electron'
import { PROJECT_ROOT } from '../../helpers/browser-mode-host'

type Fake = ReturnType<typeof createFakeElectron>

/** Loads src/main/index.ts with the electron module replaced by the fake, as Electron would run it. */
async function bootMain(options: { singleInstance?: boolean } = {}): Promise<Fake> {
  const fake = createFakeElectron({ userData: mkdtempSync(join(tmpdir(), 'motcua-main-')), appPath: PROJECT_ROOT, ...options })
  // A packaged app finds its resources beside the executable; here that is the project itself.
  Object.assign(process, { resourcesPath: PROJECT_ROOT })
  vi.resetModules()
  vi.doMock('electron', () => ({ ...fake.electron, default: fake.electron }))
  await import('../../../src/main/index')
  return fake
}

async function untilWindows(fake: Fake, count: number): Promise<void> {
  await vi.waitFor(() => expect(fake.windows.length).toBe(count), { timeout: 5000 })
}

afterEach(() => {
  vi.doUnmock('electron')
})

describe('Electron main (electron module mocked)', () => {
  it('quits at once when another instance already runs', async () => {
    const fake = await bootMain({ singleInstance: false })
    expect(fake.electron.app.quit).toHaveBeenCalled()
    expect(fake.electron.protocol.registerSchemesAsPrivileged).not.toHaveBeenCalled()
  })

  it('registers app:// as a secure standard scheme before the app is ready', async () => {
    const fake = await bootMain()
    expect(fake.electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }),
    ])
  })

  it('denies navigation, new windows and webviews in every web contents, and reloads a crashed renderer', async () => {
    const fake = await bootMain()
    const contents = new FakeWebContents()
    fake.appEvents.emit('web-contents-created', {}, contents)
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const preventDefault = vi.fn()
      contents.emit(event, { preventDefault }, 'https://evil.example/')
      expect(preventDefault, event).toHaveBeenCalled()
    }
    expect(contents.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' })
    contents.emit('render-process-gone', {}, { reason: 'crashed' })
    expect(contents.reload).toHaveBeenCalledOnce()
    contents.emit('render-process-gone', {}, { reason: 'clean-exit' })
    expect(contents.reload).toHaveBeenCalledOnce()
  })

  it('grants the camera to our origin only, and nothing else to anyone', async () => {
    const fake = await bootMain()
    fake.becomeReady()
    await untilWindows(fake, 3)
    const requestHandler = fake.electron.session.defaultSession.setPermissionRequestHandler.mock.calls[0]![0] as (
      contents: unknown,
      permission: string,
      callback: (granted: boolean) => void,
      details: { requestingUrl: string; mediaTypes?: string[] },
    ) => void
    const ask = (permission: string, requestingUrl: string, mediaTypes?: string[]): boolean => {
      let granted: boolean | undefined
      requestHandler({}, permission, (answer) => (granted = answer), { requestingUrl, mediaTypes })
      return granted!
    }
    expect(ask('media', 'app://motcua/index.html', ['video'])).toBe(true)
    expect(ask('media', 'app://motcua/index.html', ['video', 'audio'])).toBe(false)
    expect(ask('media', 'https://evil.example/', ['video'])).toBe(false)
    expect(ask('media', 'app://evil/index.html', ['video'])).toBe(false)
    expect(ask('geolocation', 'app://motcua/index.html')).toBe(false)
    expect(ask('notifications', 'app://motcua/index.html')).toBe(false)
    const checkHandler = fake.electron.session.defaultSession.setPermissionCheckHandler.mock.calls[0]![0] as (contents: unknown, permission: string, origin: string) => boolean
    expect(checkHandler({}, 'media', 'app://motcua')).toBe(true)
    expect(checkHandler({}, 'media', 'http://127.0.0.1:5174')).toBe(false)
  })

  it('opens a secured window per configured role at app:// and answers IPC only from our top frame', async () => {
    const fake = await bootMain()
    fake.becomeReady()
    await untilWindows(fake, 3)
    expect(fake.windows.map((window) => window.loadURL.mock.calls[0]![0])).toEqual([
      'app://motcua/index.html#/kiosk',
      'app://motcua/index.html#/counter',
      'app://motcua/index.html#/display',
    ])
    for (const window of fake.windows) {
      expect(window.options.webPreferences).toEqual({
        preload: expect.stringMatching(/preload[/\\]index\.cjs$/),
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
        devTools: false, // a packaged app
      })
    }

    const handled = new Map(fake.electron.ipcMain.handle.mock.calls.map(([channel, handler]) => [channel as string, handler as (event: unknown, input: unknown) => Promise<unknown>]))
    expect([...handled.keys()].sort()).toEqual(OPERATION_NAMES.map((name) => `motcua:${name}`).sort())
    const getDeviceInfo = handled.get('motcua:getDeviceInfo')!
    const fromFrame = (url: string, parent: unknown = null) => ({ senderFrame: { url, parent } })
    expect(await getDeviceInfo(fromFrame('app://motcua/index.html#/kiosk'), {})).toMatchObject({ ok: true, value: { runtime: 'electron' } })
    expect(await getDeviceInfo(fromFrame('https://evil.example/'), {})).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await getDeviceInfo(fromFrame('app://motcua/index.html', { url: 'app://motcua/' }), {})).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await getDeviceInfo({ senderFrame: null }, {})).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    const update = handled.get('motcua:updateDeviceConfig')!
    expect(await update(fromFrame('app://motcua/index.html'), { wardCode: 'DROP TABLE' })).toMatchObject({ ok: false, error: { code: 'invalidInput' } })
  })
})
