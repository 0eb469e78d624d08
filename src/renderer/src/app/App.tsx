import { useCallback, useEffect, useMemo, useState } from 'react'
import type { MotcuaApi } from '../../../shared/contract/contract'
import type { DeviceInfo, Language, QueueSetup } from '../../../shared/contract/schemas'
import type { MotcuaDatabase } from '../data/db'
import { EventStore } from '../data/event-store'
import { I18nProvider, translator } from '../i18n/i18n'
import { CounterScreen } from '../roles/counter/CounterScreen'
import { DisplayScreen } from '../roles/display/DisplayScreen'
import { KioskScreen } from '../roles/kiosk/KioskScreen'
import { TechnicianScreen } from '../roles/technician/TechnicianScreen'
import { ScanProvider, type Scan } from '../scan/scans'
import { useSyncEngine } from '../sync/use-sync-engine'
import { Banner } from '../ui/Banner'
import { AppContext } from './app-context'
import { parseRoute } from './route'

export interface AppProps {
  readonly api: MotcuaApi
  readonly db: MotcuaDatabase
  readonly initialDevice: DeviceInfo
  readonly setup: QueueSetup
}

export function App({ api, db, initialDevice, setup }: AppProps) {
  const [device, setDevice] = useState(initialDevice)
  const [language, setLanguage] = useState<Language>(initialDevice.config.language)
  const [hash, setHash] = useState(window.location.hash)

  useEffect(() => api.onDeviceConfigChanged((info) => {
    setDevice(info)
    setLanguage(info.config.language)
  }), [api])
  useEffect(() => {
    const onHashChange = (): void => setHash(window.location.hash)
    window.addEventListener('hashchange', onHashChange)
    return () => window.removeEventListener('hashchange', onHashChange)
  }, [])

  const { deviceId, wardCode } = device.config
  const store = useMemo(() => new EventStore(db, deviceId, wardCode), [db, deviceId, wardCode])
  useSyncEngine(api, db, store, device.config)
  const services = useMemo(() => ({ api, device, setup, store }), [api, device, setup, store])
  // Scans from a handheld scanner in serial mode come from main.
  const subscribeSerial = useCallback((publish: (scan: Scan) => void) => api.onScanReceived((scan) => publish({ text: scan.text, source: 'serial' })), [api])
  const route = parseRoute(hash, device.config.roles)
  const t = translator(language)

  let screen
  if ('unknownRole' in route || !device.config.roles.includes(route.role)) {
    const role = 'unknownRole' in route ? route.unknownRole : t(`role.${route.role}`)
    screen = <Banner tone="error">{t('role.notConfigured', { role })}</Banner>
  } else if (route.role === 'kiosk') {
    screen = <KioskScreen onToggleLanguage={() => setLanguage(language === 'vi' ? 'en' : 'vi')} />
  } else if (route.role === 'counter') {
    screen = <CounterScreen counter={route.counter ?? device.config.counterNumber} />
  } else if (route.role === 'display') {
    screen = <DisplayScreen />
  } else {
    screen = <TechnicianScreen />
  }
  const showNotices = 'role' in route && (route.role === 'technician' || route.role === 'counter')

  return (
    <AppContext.Provider value={services}>
      <I18nProvider language={language}>
        <ScanProvider subscribeSerial={subscribeSerial}>
        <div className="app" lang={language}>
          {showNotices && device.notices.map((notice) => (
            <Banner key={notice.detail} tone="error">
              {t(`notice.${notice.code}`, { detail: notice.detail })}
            </Banner>
          ))}
          {screen}
        </div>
        </ScanProvider>
      </I18nProvider>
    </AppContext.Provider>
  )
}
