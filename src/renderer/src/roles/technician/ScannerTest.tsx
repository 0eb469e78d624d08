import { useEffect, useState } from 'react'
import type { ScannerStatus } from '../../../../shared/contract/schemas'
import { useApp } from '../../app/app-context'
import { classifyScan } from '../../../../shared/domain/scan/classify'
import { useI18n } from '../../i18n/i18n'
import { CameraView } from '../../scan/CameraView'
import { useScans, type Scan } from '../../scan/scans'
import { Banner } from '../../ui/Banner'

const SHOWN = 10

interface Seen extends Scan {
  readonly kind: string
  readonly wedgeMangled: boolean
  readonly at: number
}

/** A technician checks every scanner of the machine: each code read appears with where it came from and what it is. */
/** How often the serial scanner's state is asked for: it changes when a cable is plugged or pulled. */
const STATUS_POLL_MS = 3000

export function ScannerTest() {
  const { api } = useApp()
  const { t } = useI18n()
  const [seen, setSeen] = useState<readonly Seen[]>([])
  const [serial, setSerial] = useState<ScannerStatus>()
  useEffect(() => {
    const read = (): void => void api.getScannerStatus({}).then(setSerial, () => setSerial(undefined))
    read()
    const timer = setInterval(read, STATUS_POLL_MS)
    return () => clearInterval(timer)
  }, [api])
  useScans((scan) => {
    const classified = classifyScan(scan.text)
    const kind = classified.ok ? classified.value.kind : classified.error.code
    const wedgeMangled = classified.ok ? classified.value.wedgeMangled : classified.error.code === 'invalidCccd' && classified.error.wedgeMangled
    setSeen((previous) => [{ ...scan, kind, wedgeMangled, at: Date.now() }, ...previous].slice(0, SHOWN))
  })
  return (
    <section className="scanner-test">
      <h2>{t('technician.scannerTest')}</h2>
      <p>{t('technician.scannerHint')}</p>
      <p data-testid="serial-scanner">
        {serial?.state === 'connected'
          ? t('technician.serialConnected', { port: serial.port ?? '?', baud: serial.baudRate ?? '?' })
          : serial?.state === 'error'
            ? t('technician.serialError', { port: serial.port ?? '?' })
            : t('technician.serialNone')}
      </p>
      {seen.some((scan) => scan.wedgeMangled) && <Banner tone="error">{t('scan.wedgeMangled')}</Banner>}
      <CameraView />
      <table className="stats-table" data-testid="scans">
        <thead>
          <tr>
            <th>{t('technician.scanSource')}</th>
            <th>{t('technician.scanKind')}</th>
            <th>{t('technician.scanText')}</th>
          </tr>
        </thead>
        <tbody>
          {seen.map((scan) => (
            <tr key={`${scan.at}-${scan.text}`}>
              <td>{scan.source}</td>
              <td>{scan.kind}</td>
              <td className="scan-text">{scan.text}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
