import { useEffect, useRef, useState } from 'react'
import type { IdCardAccessKey, IdCardPresence, IdCardProgress, ReadIdCardOutput } from '../../../../shared/contract/idcard-schemas'
import { classifyScan } from '../../../../shared/domain/scan/classify'
import { useApp } from '../../app/app-context'
import { useI18n } from '../../i18n/i18n'
import { CameraView } from '../../scan/CameraView'
import { useScans } from '../../scan/scans'
import { Banner } from '../../ui/Banner'
import { describeError } from '../../ui/error-message'
import { ScanInput } from '../../ui/ScanInput'
import { cardHolderOf, type CardHolder } from './card-holder'

type Reading = Extract<ReadIdCardOutput, { status: 'read' }>
type Failure = Extract<ReadIdCardOutput, { status: 'failed' }>['reason']

/** A TD1 MRZ is three lines of 30 characters of A-Z, 0-9 and <; scanners deliver it joined or with line breaks. */
const MRZ_SHAPE = /^[A-Z0-9<\s]{90,96}$/

/** Failures that the key caused: the resident scans again; the others keep the key and try again. */
const KEY_FAILURES: readonly Failure[] = ['wrongKey', 'invalidKey', 'canNotSupported']

function accessKeyFromScan(text: string): IdCardAccessKey | undefined {
  const scan = classifyScan(text)
  if (scan.ok && scan.value.kind === 'cccd') return { cccdQr: text }
  return MRZ_SHAPE.test(text.trim()) ? { mrz: text.trim() } : undefined
}

/**
 * The kiosk reads the resident's chip ID card: the card's QR (or MRZ) first, as the key that opens the chip, then
 * the card on the reader. The name and face stay in this component's state only: gone when the resident leaves.
 * A card whose data does not match its signature identifies no one: the resident is sent to the staff.
 */

/** With `onIdentity` the flow hands the holder to its caller (booking) instead of greeting them. */
export function IdCardFlow({ onDone, onIdentity }: { onDone: () => void; onIdentity?: (holder: CardHolder) => void }) {
  const { api } = useApp()
  const { t } = useI18n()
  const [accessKey, setAccessKey] = useState<IdCardAccessKey>()
  const [reading, setReading] = useState<{ reading: Reading; holder: CardHolder }>()
  const [failure, setFailure] = useState<Failure | 'tampered'>()
  const [error, setError] = useState<string>()
  const [progress, setProgress] = useState<IdCardProgress>()
  const [presence, setPresence] = useState<IdCardPresence>()
  const [attempt, setAttempt] = useState(0)
  // The latest callback and translator, without restarting the read when the caller re-renders or the language changes.
  const identity = useRef(onIdentity)
  identity.current = onIdentity
  const translate = useRef(t)
  translate.current = t

  useEffect(() => {
    void api.getIdCardPresence({}).then(setPresence, () => undefined)
    return api.onIdCardPresence(setPresence)
  }, [api])
  useEffect(() => api.onIdCardProgress(setProgress), [api])

  // One read per key and attempt: main waits for the card, so the resident can put it down after scanning.
  useEffect(() => {
    if (!accessKey) return
    let current = true
    let settled = false
    setFailure(undefined)
    setError(undefined)
    setProgress(undefined)
    api.readIdCard({ accessKey }).then(
      (result) => {
        settled = true
        if (!current) return
        if (result.status === 'read') {
          const holder = cardHolderOf(result)
          if (holder === 'tampered') setFailure('tampered')
          else if (identity.current) identity.current(holder)
          else setReading({ reading: result, holder })
        } else {
          setFailure(result.reason)
          if (KEY_FAILURES.includes(result.reason)) setAccessKey(undefined)
        }
      },
      (thrown: unknown) => {
        settled = true
        if (current) setError(describeError(thrown, translate.current))
      },
    )
    return () => {
      current = false
      // The resident left (back, another screen, the idle timeout): main stops waiting for the card or reading it.
      if (!settled) void api.cancelIdCardRead({}).catch(() => undefined)
    }
  }, [accessKey, attempt, api])

  const onScan = (text: string): void => {
    if (accessKey || reading) return
    const key = accessKeyFromScan(text)
    setFailure(undefined)
    if (key) setAccessKey(key)
    else setError(t('idCard.notAKey'))
  }
  useScans((scan) => onScan(scan.text))

  if (reading) {
    const { reading: read, holder } = reading
    const face = read.face
    return (
      <section className="id-card" data-testid="id-card-holder">
        <h2>{t('idCard.hello', { name: holder.fullName })}</h2>
        {face.displayable ? <img className="id-card-face" src={`data:${face.mime};base64,${face.base64}`} alt={holder.fullName} /> : <Banner tone="info">{t('idCard.faceNotShown')}</Banner>}
        {holder.verdict === 'unknownCsca' && <Banner tone="info">{t('idCard.notVerified')}</Banner>}
        <div className="kiosk-actions">
          <button type="button" className="touch-button" onClick={onDone}>
            {t('idCard.done')}
          </button>
        </div>
      </section>
    )
  }

  const waiting = accessKey !== undefined && failure === undefined && error === undefined
  const noReader = presence !== undefined && (presence.service !== 'running' || presence.readers.length === 0)
  const cardOnReader = presence?.readers.some((reader) => reader.cardPresent) ?? false
  return (
    <section className="id-card">
      <h2>{t('kiosk.readIdCard')}</h2>
      {failure && <Banner tone="error">{t(`idCard.failed.${failure}`)}</Banner>}
      {error && <Banner tone="error">{error}</Banner>}
      {noReader && <Banner tone="error">{t('idCard.noReaderNow')}</Banner>}
      {!accessKey && (
        <>
          <CameraView />
          <ScanInput label={t('idCard.scanQr')} onScan={onScan} />
        </>
      )}
      {waiting && (
        <div role="status" className="id-card-status">
          <p>{cardOnReader || progress ? t('idCard.reading') : t('idCard.placeCard')}</p>
          {progress && (
            <>
              <progress max={progress.totalBytes} value={progress.bytesRead} />
              <p>{t('idCard.readingFace', { percent: Math.floor((progress.bytesRead / progress.totalBytes) * 100) })}</p>
            </>
          )}
        </div>
      )}
      <div className="kiosk-actions">
        {accessKey && !waiting && (
          <button type="button" className="touch-button" onClick={() => setAttempt((count) => count + 1)}>
            {t('idCard.retry')}
          </button>
        )}
        {accessKey && !waiting && (
          <button type="button" className="touch-button" onClick={() => setAccessKey(undefined)}>
            {t('idCard.scanAgain')}
          </button>
        )}
        <button type="button" className="touch-button" onClick={onDone}>
          {t('kiosk.back')}
        </button>
      </div>
    </section>
  )
}
