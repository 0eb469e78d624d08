import { spawn, execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCardEmulator, type CardEmulator } from '../../../src/main/services/idcard/emulator/card-emulator'
import { CONTACTLESS_ATR, insertIntoVpcd, type VpcdCard } from '../../../src/main/services/idcard/emulator/vpcd'
import { readIdCardFromReader, type ReadIdCardOptions } from '../../../src/main/services/idcard/id-card-reading'
import { PcscReaders, type PcscPresence } from '../../../src/main/services/idcard/pcsc'
import { createServices } from '../../../src/main/services'
import { dispatch } from '../../../src/shared/contract/dispatch'
import type { IdCardProgress } from '../../../src/shared/contract/idcard-schemas'
import { PROJECT_ROOT } from '../../helpers/browser-mode-host'
import { SAMPLE_CAN, SAMPLE_DG13, SAMPLE_MRZ, SAMPLE_PROFILE_PATH, SAMPLE_QR, sampleProfile } from '../../helpers/idcard-card'
import { VIRTUAL_READERS, startPcscd, type PrivatePcscd } from '../../helpers/pcscd'

// The whole read through a real pcscd, vsmartcard's vpcd driver and the emulator: what a kiosk's USB reader does.

let pcscd: PrivatePcscd
let readers: PcscReaders
let emulator: CardEmulator
const presences: PcscPresence[] = []
const log = (): void => undefined
/** Another card's MRZ (check digits valid, from cccd-facts.md): it does not open the sample card. */
const OTHER_CARD_MRZ = ['IDVNM0930470641001093047064<<2', '9301054M3301052VNM<<<<<<<<<<<8', 'TRAN<<THI<B<<<<<<<<<<<<<<<<<<<'].join('\n')

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(readers.snapshot())}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const cardOn = (reader: string): boolean => readers.snapshot().readers.some((entry) => entry.name === reader && entry.cardPresent)

/** Waits for the reader to be empty first: pcscd notices a card taken away (the last test's) only after a moment. */
async function insertCard(card = emulator): Promise<VpcdCard> {
  await until(() => !cardOn(VIRTUAL_READERS[0]), 'the reader to be empty')
  const inserted = insertIntoVpcd(card, { port: pcscd.vpcdPort })
  await inserted.inserted
  await until(() => cardOn(VIRTUAL_READERS[0]), 'the card on the virtual reader')
  return inserted
}

function read(options: Partial<ReadIdCardOptions> & Pick<ReadIdCardOptions, 'accessKey'>) {
  return readIdCardFromReader({ readers, trustList: [emulator.csca], waitForCardMs: 5000, readerName: VIRTUAL_READERS[0], log, ...options })
}

beforeAll(async () => {
  pcscd = await startPcscd()
  // libpcsclite reads this once, at its first call in the process.
  Object.assign(process.env, pcscd.env)
  readers = new PcscReaders({ log, onChange: (presence) => presences.push(presence), retryMs: 200 })
  await readers.start()
  // Both virtual readers appear once pcscd (started by this first client) has loaded the vpcd driver.
  await until(() => readers.snapshot().readers.length === VIRTUAL_READERS.length, 'the virtual readers')
  emulator = createCardEmulator(await sampleProfile())
}, 30_000)

afterAll(async () => {
  readers?.stop()
  await pcscd?.stop()
})

describe('reading the emulated card through pcscd and vpcd', () => {
  it('reads everything by the MRZ, with progress while the face reads and passive authentication valid', async () => {
    const card = await insertCard()
    try {
      const connected = await readers.connect(VIRTUAL_READERS[0])
      expect(connected.atr.equals(CONTACTLESS_ATR)).toBe(true)
      expect(connected.protocol).toBe('T1')
      await connected.disconnect()

      const progress: IdCardProgress[] = []
      const reading = await read({ accessKey: { mrz: SAMPLE_MRZ }, onProgress: (step) => progress.push(step) })
      if (reading.status !== 'read') throw new Error(`read failed: ${reading.reason}`)
      expect(reading.dg13).toEqual(SAMPLE_DG13)
      expect(reading.mrz).toMatchObject({ documentNumber: '090012345', idNumber: '048090012345', primaryIdentifier: 'NGUYEN' })
      expect(Buffer.from(reading.face.base64, 'base64').equals((await sampleProfile()).face.jpeg)).toBe(true)
      expect(reading.face).toMatchObject({ mime: 'image/jpeg', displayable: true })
      expect(reading.passiveAuthentication).toEqual({ verdict: 'valid' })
      expect(reading.activeAuthentication).toBe('passed')
      // vpcd does not pass extended APDUs: the first one falls back to short reads, authenticating again.
      expect(reading.apduCount).toBeGreaterThan(40)
      expect(progress.at(-1)?.bytesRead).toBe(progress.at(-1)?.totalBytes)
    } finally {
      await card.remove()
    }
  })

  it('reads by the CCCD QR alone, the card put on the reader while the read waits', async () => {
    await until(() => !cardOn(VIRTUAL_READERS[0]), 'the reader to be empty')
    const pending = read({ accessKey: { cccdQr: SAMPLE_QR } })
    const card = await insertCard()
    try {
      const reading = await pending
      expect(reading.status === 'read' && reading.dg13.fullName).toBe('Nguyễn Văn Mẫu')
    } finally {
      await card.remove()
    }
  })

  it('reads by the CAN printed on the card (PACE, then AES secure messaging)', async () => {
    const card = await insertCard()
    try {
      const reading = await read({ accessKey: { can: SAMPLE_CAN } })
      if (reading.status !== 'read') throw new Error(`read failed: ${reading.reason}`)
      expect(reading.dg13).toEqual(SAMPLE_DG13)
      expect(reading).toMatchObject({ passiveAuthentication: { verdict: 'valid' }, activeAuthentication: 'passed' })
    } finally {
      await card.remove()
    }
  })

  it('says wrongKey for a key that does not open the card (MRZ or CAN), and noCard when none comes', async () => {
    const card = await insertCard()
    try {
      expect(await read({ accessKey: { mrz: OTHER_CARD_MRZ } })).toEqual({ status: 'failed', reason: 'wrongKey' })
      expect(await read({ accessKey: { can: '999999' } })).toEqual({ status: 'failed', reason: 'wrongKey' })
    } finally {
      await card.remove()
    }
    await until(() => !cardOn(VIRTUAL_READERS[0]), 'the reader to be empty')
    expect(await read({ accessKey: { mrz: SAMPLE_MRZ }, waitForCardMs: 300 })).toEqual({ status: 'failed', reason: 'noCard' })
  })

  it('says cardRemoved when the card leaves in the middle of the face', async () => {
    const card = await insertCard()
    const reading = await read({ accessKey: { mrz: SAMPLE_MRZ }, onProgress: () => void card.remove() })
    expect(reading).toEqual({ status: 'failed', reason: 'cardRemoved' })
  })

  it("says cancelled when the kiosk calls off a read waiting for the card, or one under way; the next read works", async () => {
    await until(() => !cardOn(VIRTUAL_READERS[0]), 'the reader to be empty')
    const waiting = new AbortController()
    const pending = read({ accessKey: { mrz: SAMPLE_MRZ }, signal: waiting.signal })
    waiting.abort()
    expect(await pending).toEqual({ status: 'failed', reason: 'cancelled' })

    const card = await insertCard()
    try {
      const underWay = new AbortController()
      expect(await read({ accessKey: { mrz: SAMPLE_MRZ }, signal: underWay.signal, onProgress: () => underWay.abort() })).toEqual({ status: 'failed', reason: 'cancelled' })
      const next = await read({ accessKey: { can: SAMPLE_CAN } })
      expect(next.status === 'read' && next.dg13.idNumber).toBe(SAMPLE_DG13.idNumber)
    } finally {
      await card.remove()
    }
  })

  it('reports cards and readers coming and going', () => {
    const cardStates = presences.map((presence) => presence.readers.find((reader) => reader.name === VIRTUAL_READERS[0])?.cardPresent)
    expect(cardStates).toContain(true)
    expect(cardStates.lastIndexOf(false)).toBeGreaterThan(cardStates.indexOf(true))
    expect(presences[0]?.service).toBe('running')
  })
})

describe('the kiosk calling a read off through the services (cancelIdCardRead)', () => {
  it('ends the read waiting for a card with cancelled, and the next read goes ahead instead of answering busy', async () => {
    await until(() => !cardOn(VIRTUAL_READERS[0]), 'the reader to be empty')
    const services = await createServices({ dataDir: mkdtempSync(join(tmpdir(), 'motcua-idcard-services-')), resourcesDir: join(PROJECT_ROOT, 'resources'), appVersion: '0.0.0', runtime: 'cli', log })
    try {
      expect(await dispatch(services.handlers, 'cancelIdCardRead', {})).toEqual({ ok: true, value: { cancelled: false } })
      expect(await dispatch(services.handlers, 'cancelIdCardRead', { extra: 1 })).toMatchObject({ ok: false })
      const waiting = dispatch(services.handlers, 'readIdCard', { accessKey: { can: SAMPLE_CAN } })
      // The second read while the first waits is refused.
      expect(await dispatch(services.handlers, 'readIdCard', { accessKey: { can: SAMPLE_CAN } })).toEqual({ ok: true, value: { status: 'failed', reason: 'busy' } })
      expect(await dispatch(services.handlers, 'cancelIdCardRead', {})).toEqual({ ok: true, value: { cancelled: true } })
      // The screen comes back at once, before the cancelled read has let go: its read waits for that, then the card.
      const next = dispatch(services.handlers, 'readIdCard', { accessKey: { can: SAMPLE_CAN } })
      expect(await waiting).toEqual({ ok: true, value: { status: 'failed', reason: 'cancelled' } })
      const card = await insertCard()
      try {
        const reading = await next
        expect(reading).toMatchObject({ ok: true, value: { status: 'read', dg13: { fullName: SAMPLE_DG13.fullName } } })
      } finally {
        await card.remove()
      }
    } finally {
      await services.close()
    }
  }, 30_000)
})

describe('motcua idcard', () => {
  const motcua = [join(PROJECT_ROOT, 'bin/motcua.mjs'), 'idcard']

  it('emulate puts the card in the second virtual reader; read --qr --json reads it, verified against the CSCA it wrote', async () => {
    const trustDir = mkdtempSync(join(tmpdir(), 'motcua-idcard-trust-'))
    const emulate = spawn(process.execPath, [...motcua, 'emulate', '--profile', SAMPLE_PROFILE_PATH, '--port', String(pcscd.vpcdPort + 1), '--csca-out', join(trustDir, 'test-csca.pem')], {
      env: { ...process.env, ...pcscd.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let emulateOutput = ''
    emulate.stdout.on('data', (chunk: Buffer) => (emulateOutput += chunk.toString()))
    try {
      await until(() => cardOn(VIRTUAL_READERS[1]), `the emulated card (${emulateOutput})`, 20_000)
      expect(emulateOutput).toContain('Thẻ đã được đặt vào đầu đọc ảo')
      const { stdout } = await promisify(execFile)(process.execPath, [...motcua, 'read', '--reader', VIRTUAL_READERS[1], '--qr', SAMPLE_QR, '--trust', trustDir, '--json'], {
        env: { ...process.env, ...pcscd.env },
      })
      const printed = JSON.parse(stdout) as Record<string, unknown>
      expect(Object.keys(printed)).toEqual(['mrz', 'dg13', 'passiveAuthentication', 'activeAuthentication', 'apduCount', 'timingMs'])
      expect(printed).toMatchObject({ dg13: SAMPLE_DG13, passiveAuthentication: { verdict: 'valid' }, activeAuthentication: 'passed', mrz: { documentNumber: '090012345' } })

      expect(emulateOutput).toContain(`Số CAN của thẻ: ${SAMPLE_CAN}`)
      const byCan = await promisify(execFile)(process.execPath, [...motcua, 'read', '--reader', VIRTUAL_READERS[1], '--can', SAMPLE_CAN, '--trust', trustDir, '--json'], {
        env: { ...process.env, ...pcscd.env },
      })
      expect(JSON.parse(byCan.stdout)).toMatchObject({ dg13: SAMPLE_DG13, passiveAuthentication: { verdict: 'valid' }, activeAuthentication: 'passed' })

      const wrongCan = await promisify(execFile)(process.execPath, [...motcua, 'read', '--reader', VIRTUAL_READERS[1], '--can', '999999'], {
        env: { ...process.env, ...pcscd.env },
      }).then(() => undefined, (error: { code: number; stderr: string }) => error)
      expect(wrongCan?.code).toBe(1)
      expect(wrongCan?.stderr).toContain('Khoá truy cập không đúng')

      const badCan = await promisify(execFile)(process.execPath, [...motcua, 'read', '--reader', VIRTUAL_READERS[1], '--can', '12ab'], {
        env: { ...process.env, ...pcscd.env },
      }).then(() => undefined, (error: { code: number; stderr: string }) => error)
      expect(badCan?.code).toBe(2)
      expect(badCan?.stderr).toContain('số CAN gồm đúng 6 chữ số')

      const wrong = await promisify(execFile)(process.execPath, [...motcua, 'read', '--reader', VIRTUAL_READERS[1], '--mrz', OTHER_CARD_MRZ], {
        env: { ...process.env, ...pcscd.env },
      }).then(() => undefined, (error: { code: number; stderr: string }) => error)
      expect(wrong?.code).toBe(1)
      expect(wrong?.stderr).toContain('Khoá truy cập không đúng')
    } finally {
      const exited = new Promise((resolve) => emulate.once('exit', resolve))
      emulate.kill('SIGINT')
      await exited
      rmSync(trustDir, { recursive: true, force: true })
    }
    expect(emulateOutput).toContain('Đã rút thẻ ảo.')
    // Six CLI processes (each compiles the sources through tsx) and three whole reads at vpcd's ~50 ms per APDU:
    // about 20 s alone, past 60 s with the rest of the suite on two cores.
  }, 180_000)

  it('read says in Vietnamese that pcscd is not running, and exits non-zero', async () => {
    const failure = await promisify(execFile)(process.execPath, [...motcua, 'read', '--qr', SAMPLE_QR, '--wait', '0.2'], {
      env: { ...process.env, PCSCLITE_CSOCK_NAME: join(tmpdir(), 'motcua-no-pcscd.comm') },
    }).then(() => undefined, (error: { code: number; stderr: string }) => error)
    expect(failure?.code).toBe(1)
    expect(failure?.stderr).toContain('Dịch vụ thẻ thông minh (pcscd) không chạy.')
  }, 30_000)
})

describe('when pcscd goes away', () => {
  it('reports noService and answers pcscUnavailable, never crashing', async () => {
    await pcscd.stop()
    await until(() => readers.snapshot().service === 'noService', 'the service state')
    expect(readers.snapshot().readers).toEqual([])
    expect(await read({ accessKey: { mrz: SAMPLE_MRZ }, waitForCardMs: 100 })).toEqual({ status: 'failed', reason: 'pcscUnavailable' })
  })
})
