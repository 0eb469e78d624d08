import '@fontsource/noto-sans/latin-400.css'
import '@fontsource/noto-sans/vietnamese-400.css'
import '@fontsource/noto-sans/latin-700.css'
import '@fontsource/noto-sans/vietnamese-700.css'
import './styles.css'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './app/App'
import { MotcuaDatabase } from './data/db'
import { requestPersistentStorage } from './data/storage'
import { translator } from './i18n/i18n'
import { describeError } from './ui/error-message'
import { getPlatformApi } from './platform/platform'

async function start(root: HTMLElement): Promise<void> {
  const api = getPlatformApi()
  const [device, setup] = await Promise.all([api.getDeviceInfo({}), api.getQueueSetup({})])
  const db = new MotcuaDatabase()
  await db.open()
  void requestPersistentStorage()
  createRoot(root).render(
    <StrictMode>
      <App api={api} db={db} initialDevice={device} setup={setup} />
    </StrictMode>,
  )
}

const root = document.getElementById('root')!
start(root).catch((error: unknown) => {
  const t = translator('vi')
  root.textContent = t('error.startup', { detail: describeError(error, t) })
  root.setAttribute('role', 'alert')
})
