import type { X509Certificate } from 'node:crypto'
import { access } from 'node:fs/promises'
import { parseCccdQr } from '../../../shared/domain/scan/cccd-qr'
import type { IdCardAccessKey, IdCardFailure, IdCardProgress, ReadIdCardOutput } from '../../../shared/contract/idcard-schemas'
import { accessKeyCandidatesFromQr, accessKeyFromMrz } from './access-keys'
import type { FaceImage } from './datagroups/dg2'
import { MrzError } from './icao/mrz'
import { loadTrustList, verifyPassiveAuthentication } from './passive-authentication'
import { PcscError, type PcscReaders } from './pcsc'
import { CardReadError, readCard, type CardAccessKey, type CardChannel, type CardReadResult } from './reader'
import { jpeg2000ToJpeg } from './face-image'

/**
 * One read of the card on a PC/SC reader, from the key the resident handed over to what the screen shows. The
 * personal data and the face are returned, never written or logged: only failure codes reach the log.
 */

export interface ReadIdCardOptions {
  readonly readers: Pick<PcscReaders, 'waitForCard' | 'connect'>
  readonly accessKey: IdCardAccessKey
  /** The first reader to have a card when not given. */
  readonly readerName?: string
  readonly trustList: readonly X509Certificate[]
  /** How long to wait for the resident to put the card on the reader. */
  readonly waitForCardMs: number
  readonly onProgress?: (progress: IdCardProgress) => void
  readonly log: (line: string) => void
  /** Aborting it ends the wait or the read with 'cancelled' (the resident left the screen). */
  readonly signal?: AbortSignal
}

/** The keys to try for what the resident handed over, or why there are none. */
export function accessKeysFor(accessKey: IdCardAccessKey): CardAccessKey[] | IdCardFailure {
  if ('can' in accessKey) return [{ can: accessKey.can }]
  if ('mrz' in accessKey) {
    try {
      return [accessKeyFromMrz(accessKey.mrz)]
    } catch (error) {
      if (error instanceof MrzError) return 'invalidKey'
      throw error
    }
  }
  const qr = parseCccdQr(accessKey.cccdQr)
  return qr.ok ? accessKeyCandidatesFromQr(qr.value) : 'invalidKey'
}

/** The trust lists that exist among `directories` (the shipped one, the data folder's), as one list. */
export async function loadIdCardTrustList(directories: readonly string[], log: (line: string) => void): Promise<X509Certificate[]> {
  const present = await Promise.all(directories.map((directory) => access(directory).then(() => directory, () => undefined)))
  const lists = await Promise.all(present.filter((directory) => directory !== undefined).map((directory) => loadTrustList(directory, log)))
  return lists.flat()
}

type DisplayedFace = Extract<ReadIdCardOutput, { status: 'read' }>['face']

/** JPEG goes to the screen as it is; JPEG 2000, which browsers cannot show, is converted to JPEG; a damaged one is kept raw, not shown. */
async function faceForDisplay({ format, image }: FaceImage): Promise<DisplayedFace> {
  if (format === 'jpeg') return { mime: 'image/jpeg', base64: image.toString('base64'), displayable: true }
  try {
    return { mime: 'image/jpeg', base64: (await jpeg2000ToJpeg(image)).toString('base64'), displayable: true }
  } catch {
    return { mime: 'image/jp2', base64: image.toString('base64'), displayable: false }
  }
}

/** What the screen and `motcua idcard read --json` get from a read. */
function describeReading(result: CardReadResult, face: DisplayedFace, trustList: readonly X509Certificate[], timingMs: number): ReadIdCardOutput {
  const { mrz, personalData } = result
  const verdict = verifyPassiveAuthentication(result.sod, result.dataGroups, trustList)
  return {
    status: 'read',
    mrz: {
      documentCode: mrz.documentCode,
      issuingState: mrz.issuingState,
      documentNumber: mrz.documentNumber,
      idNumber: mrz.format === 'TD1' ? mrz.vietnameseIdNumber ?? null : null,
      dateOfBirth: mrz.dateOfBirth,
      sex: mrz.sex,
      dateOfExpiry: mrz.dateOfExpiry,
      nationality: mrz.nationality,
      primaryIdentifier: mrz.primaryIdentifier,
      secondaryIdentifier: mrz.secondaryIdentifier,
    },
    dg13: { ...personalData },
    face,
    passiveAuthentication: verdict.verdict === 'hashMismatch' ? { verdict: verdict.verdict, dataGroup: verdict.dataGroup } : { verdict: verdict.verdict },
    activeAuthentication: result.activeAuthentication,
    apduCount: result.statistics.apdus,
    timingMs: Math.round(timingMs),
  }
}

/** Reads the card over any channel: shared by the PC/SC path and the tests over the in-memory emulator. */
export async function readIdCardOver(channel: CardChannel, accessKeys: readonly CardAccessKey[], options: Pick<ReadIdCardOptions, 'trustList' | 'onProgress' | 'signal'>): Promise<ReadIdCardOutput> {
  const started = performance.now()
  const result = await readCard(channel, {
    accessKeys,
    ...(options.signal && { signal: options.signal }),
    // Try extended lengths: reader.ts goes back to short APDUs when the reader or card refuses them.
    extendedLength: true,
    onProgress: ({ file, bytesRead, totalBytes }) => {
      if (file === 'DG2') options.onProgress?.({ bytesRead, totalBytes })
    },
  })
  const timingMs = performance.now() - started
  return describeReading(result, await faceForDisplay(result.face), options.trustList, timingMs)
}

/** Waits for a card, reads it and answers with what was read or why not. */
export async function readIdCardFromReader(options: ReadIdCardOptions): Promise<ReadIdCardOutput> {
  const accessKeys = accessKeysFor(options.accessKey)
  if (!Array.isArray(accessKeys)) return { status: 'failed', reason: accessKeys }
  try {
    const readerName = await options.readers.waitForCard(options.readerName, options.waitForCardMs, options.signal)
    const card = await options.readers.connect(readerName)
    try {
      return await readIdCardOver(card, accessKeys, options)
    } finally {
      await card.disconnect()
    }
  } catch (error) {
    if (!(error instanceof CardReadError || error instanceof PcscError)) throw error
    options.log(`Chip ID card not read: ${error.code}: ${error.message}`)
    return { status: 'failed', reason: error.code }
  }
}
