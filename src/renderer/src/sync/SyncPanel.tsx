import { useCallback, useEffect, useState } from 'react'
import type { ConfigureSyncInput, SyncStatus } from '../../../shared/contract/sync-schemas'
import { SYNC_PROVISIONING_PREFIX } from '../../../shared/sync/protocol'
import { useApp } from '../app/app-context'
import { formatBytes } from '../data/storage'
import { useI18n } from '../i18n/i18n'
import { useScans } from '../scan/scans'
import { Banner } from '../ui/Banner'
import { QrCode } from '../ui/QrCode'
import { describeError } from '../ui/error-message'
import { describeSyncProblem, formatSyncTime } from './sync-text'
import { useSyncView } from './use-sync-status'

const STATUS_REFRESH_MS = 5000
const DEFAULT_HUB_PORT = 8787

type Role = ConfigureSyncInput['mode']

/** The technician's sync panel: what waits and what went wrong, and the set-up form (scan the MCSYNC1 code, or type address and code). */
export function SyncPanel() {
  const { api } = useApp()
  const { t } = useI18n()
  const view = useSyncView()
  const [status, setStatus] = useState<SyncStatus>()
  const [role, setRole] = useState<Role>('device')
  const [provisioning, setProvisioning] = useState('')
  const [url, setUrl] = useState('')
  const [code, setCode] = useState('')
  const [port, setPort] = useState(DEFAULT_HUB_PORT)
  const [message, setMessage] = useState<{ tone: 'error' | 'info'; text: string }>()

  const refresh = useCallback(() => api.getSyncStatus({}).then(setStatus, () => undefined), [api])
  useEffect(() => {
    void refresh()
    const timer = setInterval(() => void refresh(), STATUS_REFRESH_MS)
    return () => clearInterval(timer)
  }, [refresh])
  useEffect(() => {
    if (status) setRole(status.role === 'none' ? 'device' : status.role)
  }, [status?.role])
  const [listening, setListening] = useState(false)
  const onProvisioningScan = useCallback(
    (text: string) => {
      setProvisioning(text)
      setListening(false)
      setMessage({ tone: 'info', text: t('sync.scanned') })
    },
    [t],
  )

  const target = (): { provisioning: string } | { url: string; enrollmentCode: string } | undefined =>
    provisioning.trim() !== '' ? { provisioning: provisioning.trim() } : url.trim() !== '' ? { url: url.trim(), enrollmentCode: code.trim().toUpperCase() } : undefined

  const apply = async (): Promise<void> => {
    const where = target()
    const input: ConfigureSyncInput = role === 'none' ? { mode: 'none' } : role === 'hub' ? { mode: 'hub', port, ...(where && { city: where }) } : { mode: 'device', target: where ?? { provisioning: '' } }
    try {
      setStatus(await api.configureSync(input))
      setMessage({ tone: 'info', text: t('sync.applied') })
    } catch (error) {
      setMessage({ tone: 'error', text: describeError(error, t) })
      void refresh()
    }
  }

  const outbox = view.outbox
  return (
    <section className="sync-panel" data-testid="sync-panel">
      <h2>{t('sync.title')}</h2>
      {message && <Banner tone={message.tone}>{message.text}</Banner>}
      <dl className="facts">
        <dt>{t('sync.pending')}</dt>
        <dd data-testid="sync-pending">
          {outbox ? t('sync.pendingDetail', { events: outbox.events, eventBytes: formatBytes(outbox.eventBytes), blobs: outbox.blobs, blobBytes: formatBytes(outbox.blobBytes) }) : '…'}
        </dd>
        <dt>{t('sync.lastSuccess')}</dt>
        <dd>{view.lastSuccessAt ? formatSyncTime(view.lastSuccessAt) : status?.link.lastSuccessAt ? formatSyncTime(status.link.lastSuccessAt) : t('sync.none')}</dd>
        <dt>{t('sync.lastError')}</dt>
        <dd data-testid="sync-last-error">{status?.link.lastError ? `${describeSyncProblem(status.link.lastError, t)} (${formatSyncTime(status.link.lastError.at)})` : view.problem ? describeSyncProblem(view.problem, t) : t('sync.none')}</dd>
        {status?.upstreamUrl && (
          <>
            <dt>{t('sync.server')}</dt>
            <dd>{status.upstreamUrl}</dd>
          </>
        )}
      </dl>
      {status?.hub && (
        <div className="sync-hub">
          <QrCode text={status.hub.provisioningText} size={220} label={t('sync.hubScan')} />
          <p>{t('sync.hubScan')}</p>
          <dl className="facts">
            <dt>{t('sync.hubAddresses')}</dt>
            <dd>{status.hub.lanUrls.join(', ')}</dd>
            <dt>{t('sync.enrollmentCode')}</dt>
            <dd data-testid="sync-enrollment-code">{status.hub.enrollmentCode}</dd>
            {status.hub.city && (
              <>
                <dt>{t('sync.cityLink')}</dt>
                <dd>
                  {t('sync.cityPending', { events: status.hub.city.pendingEvents ?? 0, blobs: status.hub.city.pendingBlobs ?? 0 })}
                  {status.hub.city.lastError && ` · ${describeSyncProblem(status.hub.city.lastError, t)}`}
                </dd>
              </>
            )}
          </dl>
        </div>
      )}
      <form
        className="config-form"
        onSubmit={(event) => {
          event.preventDefault()
          void apply()
        }}
      >
        <label>
          {t('sync.roleLabel')}
          <select value={role} onChange={(event) => setRole(event.target.value as Role)} data-testid="sync-role">
            {(['device', 'hub', 'none'] as const).map((option) => (
              <option key={option} value={option}>
                {t(`sync.role.${option}`)}
              </option>
            ))}
          </select>
        </label>
        {role === 'hub' && (
          <label>
            {t('sync.port')}
            <input type="number" min={1024} max={65535} value={port} onChange={(event) => setPort(Number(event.target.value))} />
          </label>
        )}
        {role !== 'none' && (
          <fieldset>
            {role === 'hub' && <legend>{t('sync.city')}</legend>}
            <button type="button" className="touch-button" aria-pressed={listening} onClick={() => setListening(!listening)}>
              {t('sync.scan')}
            </button>
            {listening && <ProvisioningScan onScan={onProvisioningScan} />}
            <label>
              {t('sync.provisioning')}
              <input value={provisioning} onChange={(event) => setProvisioning(event.target.value)} autoComplete="off" spellCheck={false} maxLength={1000} data-testid="sync-provisioning" />
            </label>
            <p>{t('sync.orTyped')}</p>
            <label>
              {t('sync.url')}
              <input type="url" value={url} onChange={(event) => setUrl(event.target.value)} autoComplete="off" maxLength={300} />
            </label>
            <label>
              {t('sync.code')}
              <input value={code} onChange={(event) => setCode(event.target.value)} autoComplete="off" maxLength={16} pattern="[A-Za-z2-7]{16}" />
            </label>
          </fieldset>
        )}
        <button type="submit" className="touch-button primary" data-testid="sync-apply">
          {t('sync.apply')}
        </button>
      </form>
    </section>
  )
}

/**
 * While on screen, takes the screen's scans (camera, handheld scanner) and keeps the first
 * MCSYNC1 code; mounted only on request, so the scanner test gets its scans back afterwards.
 */
function ProvisioningScan({ onScan }: { onScan: (text: string) => void }) {
  const { t } = useI18n()
  useScans((scan) => {
    if (scan.text.startsWith(SYNC_PROVISIONING_PREFIX)) onScan(scan.text)
  })
  return <p role="status">{t('sync.scanWaiting')}</p>
}
