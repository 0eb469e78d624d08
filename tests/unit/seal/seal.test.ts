import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto'
import { deflateSync } from 'node:zlib'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseAppointmentSlipQr } from '../../../src/shared/domain/appointments/slip-qr'
import { classifyScan } from '../../../src/shared/domain/scan/classify'
import { decodeBase45, encodeBase45 } from '../../../src/shared/seal/base45'
import { CborTag, decodeCbor, encodeCbor, type CborMap, type CborValue } from '../../../src/shared/seal/cbor'
import { SEAL_REJECTION_VI, sealFieldsVi } from '../../../src/shared/seal/describe-vi'
import {
  applicantIdHash,
  createSeal,
  openSeal,
  SEAL_PREFIX,
  SealError,
  type AppointmentSealRecord,
  type ReceiptSealRecord,
  type SealKey,
  type SealRecord,
} from '../../../src/shared/seal/seal'

const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 2000)
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest()
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const KEY: SealKey = { keyId: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), sign: async (data) => sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' }) }
/** 36 characters, the length of the UUIDs devices get. */
const DEVICE_ID = '3f2b8c1e-7d4a-4e9b-a6c5-0d1e2f3a4b5c'
/** QR version 11 at level M holds 366 characters in alphanumeric mode (ISO/IEC 18004 table 7). */
const QR_11M_ALPHANUMERIC_CAPACITY = 366

const RECEIPT: ReceiptSealRecord = {
  kind: 'receipt',
  code: '000.00.12.H17-260314-0001',
  serviceCode: '1.001193',
  applicantIdHash: applicantIdHash('048195001234', '000.00.12.H17-260314-0001', sha256),
  deviceId: DEVICE_ID,
  receivedAt: Date.parse('2026-03-14T09:30:15+07:00'),
  returnDate: '2026-03-23',
}
const APPOINTMENT: AppointmentSealRecord = {
  kind: 'appointment',
  code: 'K7MQ2XPA',
  serviceCode: 'ho-tich',
  applicantIdHash: applicantIdHash('048195001234', 'K7MQ2XPA', sha256),
  deviceId: DEVICE_ID,
  day: '2026-03-16',
  time: '14:30',
}
/** Every field as long as the format allows. */
const LONGEST: ReceiptSealRecord = { ...RECEIPT, code: 'X'.repeat(32), serviceCode: 'S'.repeat(40), deviceId: 'd'.repeat(40), returnDate: '9999-12-31' }

const opened = (text: string) => {
  const result = openSeal(text)
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`)
  return result.value
}
const problemOf = (text: string) => {
  const result = openSeal(text)
  return result.ok ? undefined : result.error.code
}
const sealBytes = (text: string) => decodeCbor(decodeBase45(text.slice(SEAL_PREFIX.length))) as CborTag
/** A seal of hand-made COSE parts, signed properly, for the cases createSeal refuses to write. */
async function handMade(protectedHeader: CborValue, payload: CborValue, options: { tag?: number; unprotected?: CborMap } = {}): Promise<string> {
  const protectedBytes = encodeCbor(protectedHeader)
  const payloadBytes = encodeCbor(payload)
  const signature = await KEY.sign(encodeCbor(['Signature1', protectedBytes, new Uint8Array(0), payloadBytes]))
  return SEAL_PREFIX + encodeBase45(encodeCbor(new CborTag(options.tag ?? 18, [protectedBytes, options.unprotected ?? new Map(), payloadBytes, signature])))
}
const ES256_HEADER = new Map<number, CborValue>([[1, -7], [4, KEY.keyId]])

describe('the QR seal', () => {
  it('opens what it creates, for receipts and appointments, with the kid', async () => {
    for (const record of [RECEIPT, APPOINTMENT] as SealRecord[]) {
      const text = await createSeal(record, KEY)
      expect(text.startsWith(SEAL_PREFIX)).toBe(true)
      expect(opened(text).fields).toEqual({ ...record, keyId: '0102030405060708' })
    }
  })

  it('signs the Sig_structure with ES256 in r||s form (RFC 9052 section 4.4)', async () => {
    const text = await createSeal(RECEIPT, KEY)
    const [protectedBytes, unprotected, payload, signature] = sealBytes(text).value as [Uint8Array, CborMap, Uint8Array, Uint8Array]
    expect(decodeCbor(protectedBytes)).toEqual(ES256_HEADER)
    expect(unprotected.size).toBe(0)
    expect(signature).toHaveLength(64)
    const signedData = encodeCbor(['Signature1', protectedBytes, new Uint8Array(0), payload])
    expect(opened(text).signedData).toEqual(signedData)
    expect(verify('sha256', signedData, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true)
    expect(decodeCbor(payload)).toEqual(
      new Map<number, CborValue>([
        [1, 1],
        [2, 1],
        [3, RECEIPT.code],
        [4, RECEIPT.serviceCode],
        [5, Uint8Array.from(Buffer.from(RECEIPT.applicantIdHash, 'hex'))],
        [6, DEVICE_ID],
        [7, RECEIPT.receivedAt / 1000],
        [8, Date.parse('2026-03-23') / 86_400_000],
      ]),
    )
  })

  it('fits a version 11-M QR even at the longest fields; deflate would not shorten it', async () => {
    const realistic = await createSeal(RECEIPT, KEY)
    const longest = await createSeal(LONGEST, KEY)
    expect(realistic.length).toBeLessThanOrEqual(300)
    expect(longest.length).toBeLessThanOrEqual(QR_11M_ALPHANUMERIC_CAPACITY)
    const coseBytes = decodeBase45(realistic.slice(SEAL_PREFIX.length))
    expect(deflateSync(coseBytes, { level: 9 }).length).toBeGreaterThan(coseBytes.length)
  })

  it('hashes the ID number salted with the code, so one number gives unrelated hashes', () => {
    expect(RECEIPT.applicantIdHash).toMatch(/^[0-9a-f]{32}$/)
    expect(RECEIPT.applicantIdHash).toBe(sha256(Buffer.from('000.00.12.H17-260314-0001|048195001234')).subarray(0, 16).toString('hex'))
    expect(applicantIdHash('048195001234', 'ABCDEFGH', sha256)).not.toBe(applicantIdHash('048195001234', 'ABCDEFGJ', sha256))
  })

  it('refuses to seal fields the format cannot carry', async () => {
    const refused: SealRecord[] = [
      { ...RECEIPT, code: 'X'.repeat(33) },
      { ...RECEIPT, code: 'mã hồ sơ' },
      { ...RECEIPT, serviceCode: '' },
      { ...RECEIPT, applicantIdHash: 'AB'.repeat(16) },
      { ...RECEIPT, deviceId: 'd'.repeat(41) },
      { ...RECEIPT, receivedAt: RECEIPT.receivedAt + 1 },
      { ...RECEIPT, returnDate: '2026-02-30' },
      { ...APPOINTMENT, code: 'ABCDEFGI' },
      { ...APPOINTMENT, time: '24:00' },
      { ...APPOINTMENT, day: '1970-01-01', time: '06:59' },
    ]
    for (const record of refused) await expect(createSeal(record, KEY)).rejects.toThrowError(expect.objectContaining({ code: 'invalidRecord' }) as SealError)
  })

  it('reports each way a text fails to be a seal with its code', async () => {
    const valid = await createSeal(RECEIPT, KEY)
    const payload = decodeCbor((sealBytes(valid).value as Uint8Array[])[2]!) as Map<number, CborValue>
    expect(problemOf('HC1:6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3')).toBe('notSeal')
    expect(problemOf(`${valid}!`)).toBe('invalidBase45')
    expect(problemOf(valid.toLowerCase().replace('mc1:', SEAL_PREFIX))).toBe('invalidBase45')
    expect(problemOf(`${SEAL_PREFIX}${encodeBase45(Uint8Array.of(0x1a, 0, 0))}`)).toBe('invalidCbor')
    expect(problemOf(await handMade(ES256_HEADER, payload, { tag: 98 }))).toBe('invalidCose')
    expect(problemOf(await handMade(ES256_HEADER, payload, { unprotected: new Map([[4, KEY.keyId]]) }))).toBe('invalidCose')
    expect(problemOf(await handMade(new Map<number, CborValue>([[1, -7], [4, Uint8Array.of(1)]]), payload))).toBe('invalidCose')
    expect(problemOf(await handMade(new Map<number, CborValue>([[1, -35], [4, KEY.keyId]]), payload))).toBe('unsupportedAlgorithm')
    expect(problemOf(await handMade(ES256_HEADER, new Map([...payload, [1, 2]])))).toBe('unsupportedVersion')
    expect(problemOf(await handMade(ES256_HEADER, new Map([...payload, [9, 0]])))).toBe('invalidRecord')
    expect(problemOf(await handMade(ES256_HEADER, new Map([...payload, [2, 3]])))).toBe('invalidRecord')
    expect(problemOf(await handMade(ES256_HEADER, new Map([...payload, [8, 2_932_897]])))).toBe('invalidRecord')
    expect(problemOf(await handMade(ES256_HEADER, [...payload]))).toBe('invalidRecord')
    expect(problemOf(await handMade(ES256_HEADER, payload))).toBeUndefined()
  })

  it('never throws on any text, random or a valid seal with one character changed or cut', async () => {
    const valid = await createSeal(APPOINTMENT, KEY)
    const base45Character = fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:')
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: base45Character, maxLength: 400 }).map((text) => SEAL_PREFIX + text)), (text) => {
        openSeal(text)
      }),
      { numRuns: FUZZ_RUNS },
    )
    fc.assert(
      fc.property(fc.nat(valid.length - 1), base45Character, fc.nat(valid.length), (at, character, cut) => {
        const changed = openSeal(valid.slice(0, at) + character + valid.slice(at + 1))
        if (changed.ok) expect(changed.value.signedData.length).toBeGreaterThan(0)
        openSeal(valid.slice(0, cut))
      }),
      { numRuns: FUZZ_RUNS },
    )
  })

  it('describes the fields and every rejection in Vietnamese', async () => {
    const lines = sealFieldsVi(opened(await createSeal(RECEIPT, KEY)).fields)
    expect(lines).toContainEqual(['Ngày giờ tiếp nhận', '09:30 ngày 14/03/2026'])
    expect(lines).toContainEqual(['Ngày hẹn trả kết quả', '23/03/2026'])
    expect(sealFieldsVi(opened(await createSeal(APPOINTMENT, KEY)).fields)).toContainEqual(['Thời gian hẹn', '14:30 ngày 16/03/2026'])
    expect(Object.values(SEAL_REJECTION_VI).every((sentence) => sentence.length > 10)).toBe(true)
  })
})

describe('scanning a seal', () => {
  it('classifies receipts and appointments with their unverified fields', async () => {
    const receipt = await createSeal(RECEIPT, KEY)
    expect(classifyScan(`\uFEFF${receipt}\r\n`)).toEqual({ ok: true, value: { kind: 'receipt', seal: { ...RECEIPT, keyId: '0102030405060708' }, wedgeMangled: false } })
    expect(classifyScan(await createSeal(APPOINTMENT, KEY))).toMatchObject({ ok: true, value: { kind: 'appointment', seal: { code: 'K7MQ2XPA', day: '2026-03-16', time: '14:30' } } })
    // Cut to leave one character over a whole number of Base45 triples, which no Base45 text can: the seal's length
    // varies with its random signature, and a cut leaving two over would still decode (and fail later, as CBOR).
    const body = receipt.slice(SEAL_PREFIX.length)
    const cut = SEAL_PREFIX + body.slice(0, body.length - 1 - ((body.length - 2) % 3))
    expect((cut.length - SEAL_PREFIX.length) % 3).toBe(1)
    expect(classifyScan(cut)).toMatchObject({ ok: false, error: { code: 'invalidSeal', wedgeMangled: false, seal: { code: 'invalidBase45' } } })
    const oneLetterLowered = SEAL_PREFIX + receipt.slice(SEAL_PREFIX.length).replace(/[A-Z]/, (letter) => letter.toLowerCase())
    expect(classifyScan(oneLetterLowered)).toMatchObject({
      ok: false,
      error: { code: 'invalidSeal', wedgeMangled: true, seal: { code: 'invalidBase45' } },
    })
  })

  it('checks in with a sealed appointment slip, the legacy code or the typed code', async () => {
    const slip = await createSeal(APPOINTMENT, KEY)
    expect(parseAppointmentSlipQr(`${slip}\r\n`)).toEqual({ ok: true, code: 'K7MQ2XPA' })
    expect(parseAppointmentSlipQr('MCAPT1:K7MQ2XPA')).toEqual({ ok: true, code: 'K7MQ2XPA' })
    expect(parseAppointmentSlipQr('k7mq2xpa')).toEqual({ ok: true, code: 'K7MQ2XPA' })
    expect(parseAppointmentSlipQr(await createSeal(RECEIPT, KEY))).toEqual({ ok: false })
    expect(parseAppointmentSlipQr(slip.slice(0, -3))).toEqual({ ok: false })
  })
})
