import { useLiveQuery } from 'dexie-react-hooks'
import { useEffect, useState } from 'react'
import { DEFAULT_PRINTER_PORT, PRINTER_KINDS, ROLES, type DeviceConfigPatch, type Language, type PrinterConfig, type Role, type Ward } from '../../../../shared/contract/schemas'
import { useApp } from '../../app/app-context'
import { formatBytes, readStorageStatus, type StorageStatus } from '../../data/storage'
import { useI18n } from '../../i18n/i18n'
import { Banner } from '../../ui/Banner'
import { ScannerTest } from './ScannerTest'
import { SyncPanel } from '../../sync/SyncPanel'
import { describeError } from '../../ui/error-message'

export function TechnicianScreen() {
  const { api, device, setup, store } = useApp()
  const { t } = useI18n()
  const [wards, setWards] = useState<readonly Ward[]>([])
  const [draft, setDraft] = useState<DeviceConfigPatch>({})
  const [message, setMessage] = useState<{ tone: 'error' | 'info'; text: string }>()
  const [storage, setStorage] = useState<StorageStatus | null>()
  const eventCount = useLiveQuery(() => store.db.events.count(), [store])

  useEffect(() => {
    api.listWards({}).then(setWards, (error: unknown) => setMessage({ tone: 'error', text: describeError(error, t) }))
    readStorageStatus().then((status) => setStorage(status ?? null), () => setStorage(null))
  }, [api, t])

  const config = { ...device.config, ...draft }
  const toggleRole = (role: Role): void => {
    const roles = config.roles.includes(role) ? config.roles.filter((candidate) => candidate !== role) : [...config.roles, role]
    setDraft({ ...draft, roles: ROLES.filter((candidate) => roles.includes(candidate)) })
  }
  const changePrinter = (change: Partial<PrinterConfig>): void => setDraft({ ...draft, printer: { ...config.printer, ...change } })
  const save = async (): Promise<void> => {
    try {
      await api.updateDeviceConfig(draft)
      setDraft({})
      setMessage({ tone: 'info', text: t('technician.saved') })
    } catch (error) {
      setMessage({ tone: 'error', text: describeError(error, t) })
    }
  }

  return (
    <main className="technician">
      <h1>{t('role.technician')}</h1>
      {message && <Banner tone={message.tone}>{message.text}</Banner>}
      <nav className="role-switcher" aria-label={t('technician.openRole')}>
        {ROLES.filter((role) => role !== 'technician').map((role) => (
          <a key={role} href={`#/${role}`} className="touch-button">
            {t('technician.openRole')}: {t(`role.${role}`)}
          </a>
        ))}
      </nav>
      <section>
        <h2>{t('technician.device')}</h2>
        <dl className="facts">
          <dt>{t('technician.deviceId')}</dt>
          <dd>{device.config.deviceId}</dd>
          <dt>{t('technician.topology')}</dt>
          <dd>{device.config.topology}</dd>
          <dt>{t('technician.version')}</dt>
          <dd>
            {device.appVersion} ({device.runtime})
          </dd>
        </dl>
        {setup.sample && <p>{t('technician.sample')}</p>}
      </section>
      <section className="config-form">
        <label>
          {t('technician.ward')}
          <select value={config.wardCode} onChange={(event) => setDraft({ ...draft, wardCode: event.target.value })}>
            {(wards.length ? wards : [device.ward]).map((ward) => (
              <option key={ward.code} value={ward.code}>
                {ward.fullName} ({ward.code})
              </option>
            ))}
          </select>
        </label>
        <fieldset>
          <legend>{t('technician.roles')}</legend>
          {ROLES.map((role) => (
            <label key={role} className="checkbox">
              <input type="checkbox" checked={config.roles.includes(role)} onChange={() => toggleRole(role)} />
              {t(`role.${role}`)}
            </label>
          ))}
        </fieldset>
        <label>
          {t('technician.counterNumber')}
          <input type="number" min={1} max={99} value={config.counterNumber} onChange={(event) => setDraft({ ...draft, counterNumber: Number(event.target.value) })} />
        </label>
        <label>
          {t('technician.counterCount')}
          <input type="number" min={1} max={99} value={config.counterCount} onChange={(event) => setDraft({ ...draft, counterCount: Number(event.target.value) })} />
        </label>
        <label>
          {t('technician.language')}
          <select value={config.language} onChange={(event) => setDraft({ ...draft, language: event.target.value as Language })}>
            <option value="vi">Tiếng Việt</option>
            <option value="en">English</option>
          </select>
        </label>
        <fieldset>
          <legend>{t('technician.printer')}</legend>
          <label>
            {t('technician.printerKind')}
            <select value={config.printer.kind} onChange={(event) => changePrinter({ kind: event.target.value as PrinterConfig['kind'] })}>
              {PRINTER_KINDS.map((kind) => (
                <option key={kind} value={kind}>
                  {t(`technician.printerKind.${kind}`)}
                </option>
              ))}
            </select>
          </label>
          {config.printer.kind === 'network' && (
            <>
              <label>
                {t('technician.printerHost')}
                <input value={config.printer.host ?? ''} onChange={(event) => changePrinter({ host: event.target.value.trim() || undefined })} />
              </label>
              <label>
                {t('technician.printerPort', { port: DEFAULT_PRINTER_PORT })}
                <input
                  type="number"
                  min={1}
                  max={65535}
                  placeholder={String(DEFAULT_PRINTER_PORT)}
                  value={config.printer.port ?? ''}
                  onChange={(event) => changePrinter({ port: event.target.value === '' ? undefined : Number(event.target.value) })}
                />
              </label>
            </>
          )}
          {config.printer.kind === 'device' && (
            <label>
              {t('technician.printerPath')}
              <input value={config.printer.path ?? ''} onChange={(event) => changePrinter({ path: event.target.value.trim() || undefined })} />
            </label>
          )}
          {config.printer.kind !== 'none' && (
            <label>
              {t('technician.paperWidth')}
              <select value={config.printer.paperWidth} onChange={(event) => changePrinter({ paperWidth: Number(event.target.value) as PrinterConfig['paperWidth'] })}>
                <option value={80}>80 mm</option>
                <option value={58}>58 mm</option>
              </select>
            </label>
          )}
        </fieldset>
        <button type="button" className="touch-button primary" disabled={Object.keys(draft).length === 0} onClick={() => void save()}>
          {t('technician.save')}
        </button>
      </section>
      <SyncPanel />
      <ScannerTest />
      <section>
        <h2>{t('technician.storage')}</h2>
        {storage === null && <p>{t('technician.storageUnknown')}</p>}
        {storage && (
          <>
            <p data-testid="storage-usage">{t('technician.storageUsage', { used: formatBytes(storage.usageBytes), quota: formatBytes(storage.quotaBytes) })}</p>
            <p>{storage.persisted ? t('technician.storagePersisted') : t('technician.storageNotPersisted')}</p>
          </>
        )}
        <p>{t('technician.eventCount', { count: eventCount ?? 0 })}</p>
      </section>
    </main>
  )
}
