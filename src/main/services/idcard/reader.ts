import { randomBytes } from 'node:crypto'
import { parseDg1 } from './datagroups/dg1'
import { parseDg13, type Dg13 } from './datagroups/dg13'
import { parseDg2, type FaceImage } from './datagroups/dg2'
import { parseEfCom, type EfCom } from './datagroups/ef-com'
import { DataGroupError, EF_COM, EF_SOD, EMRTD_AID, dataGroupFileId } from './datagroups/lds'
import { parseSod, type Sod } from './datagroups/sod'
import { encodeCommandApdu, needsExtendedLength, type CommandApdu, type ResponseApdu } from './icao/apdu'
import { BacError, completeBacAuthentication, deriveBacKeys, startBacAuthentication, type RandomSource } from './icao/bac'
import { IcaoError } from './icao/errors'
import { bacMrzInformation, type BacMrzFields, type Mrz } from './icao/mrz'
import { SecureMessagingChannel, SecureMessagingError, des3SecureMessagingCipher } from './icao/secure-messaging'
import { TlvError, decodeTlvHeader } from './icao/tlv'
import { SW } from './icao/status-words'

/**
 * Reads a Vietnamese chip ID card over any APDU transport: SELECT the eMRTD application, BAC with each candidate
 * key in turn, then EF.COM, DG1, DG13, DG2, DG14/DG15 when listed and EF.SOD under secure messaging.
 */

/** What the PC/SC binding and the emulator both provide. A channel throws CardReadError('cardRemoved') when the card goes, 'readerUnplugged' when the reader does. */
export interface CardChannel {
  transmit(apdu: Buffer): Promise<Buffer>
}

/** Codes a resident can be told about: wrong key (check the MRZ/QR), card removed, reader unplugged, not a supported card, too slow, try again. */
export type CardReadErrorCode = 'wrongKey' | 'cardRemoved' | 'readerUnplugged' | 'unsupportedCard' | 'timeout' | 'readFailed'

export class CardReadError extends IcaoError<CardReadErrorCode> {}

export interface ReadProgress {
  /** 'EF.COM', 'DG1' ... 'EF.SOD'. */
  file: string
  bytesRead: number
  totalBytes: number
}

export interface CardReadOptions {
  /** Tried in order; from accessKeyFromMrz or accessKeyCandidatesFromQr. */
  accessKeys: readonly BacMrzFields[]
  onProgress?: (progress: ReadProgress) => void
  /** Whether the reader passes extended-length APDUs (many do not); reads are then larger and fewer. */
  extendedLength?: boolean
  /** Per APDU. */
  commandTimeoutMs?: number
  random?: RandomSource
}

export interface CardStatistics {
  apdus: number
  bytesSent: number
  bytesReceived: number
}

export interface CardReadResult {
  com: EfCom
  mrz: Mrz
  personalData: Dg13
  face: FaceImage
  sod: Sod
  /** The bytes of every data group read, by number: what passive authentication hashes. */
  dataGroups: ReadonlyMap<number, Buffer>
  /** The candidate that opened the card. */
  accessKey: BacMrzFields
  statistics: CardStatistics
}

// Answers to EXTERNAL AUTHENTICATE that mean "not this key": try the next candidate.
const WRONG_KEY_STATUS: readonly number[] = [SW.authenticationFailed, SW.conditionsNotSatisfied, SW.securityStatusNotSatisfied]
// Answers to READ BINARY that mean "ask for less".
const TOO_LONG_STATUS: readonly number[] = [SW.wrongLength, SW.wrongParameters, SW.endOfFile]
const CHALLENGE_LENGTH = 8
const AUTHENTICATION_RESPONSE_LENGTH = 40
// 223 plaintext bytes are the most whose protected response (padding, DO'87', DO'99', DO'8E') fits 256 bytes.
const SHORT_READ_LENGTHS = [223, 160, 128, 64, 32, 16, 8]
const EXTENDED_READ_LENGTHS = [8192, 2048]
// Enough for any tag and length the LDS uses, read first to learn a file's size.
const HEADER_PROBE_LENGTH = 8
// READ BINARY with even INS addresses offsets up to 15 bits.
const MAX_OFFSET = 0x7fff
const DEFAULT_COMMAND_TIMEOUT_MS = 5000
const OPTIONAL_DATA_GROUPS = [14, 15]

interface ProtectedResponse extends ResponseApdu {
  /** The card answered in plain, which ends secure messaging (e.g. it refused an extended APDU). */
  sessionLost: boolean
}

function hex(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0')
}

class CardReader {
  readonly statistics: CardStatistics = { apdus: 0, bytesSent: 0, bytesReceived: 0 }
  private session: SecureMessagingChannel | undefined
  /** The key that opened the card, to authenticate again after the card drops secure messaging. */
  private accessKey: BacMrzFields | undefined
  private readLengths: number[]
  private readLengthIndex = 0

  constructor(
    private readonly channel: CardChannel,
    private readonly options: CardReadOptions,
  ) {
    this.readLengths = options.extendedLength ? [...EXTENDED_READ_LENGTHS, ...SHORT_READ_LENGTHS] : SHORT_READ_LENGTHS
  }

  async read(): Promise<CardReadResult> {
    await this.selectApplication()
    const accessKey = await this.authenticate()
    const com = this.parse('EF.COM', parseEfCom, await this.readRequiredFile('EF.COM', EF_COM.fileId))
    if (!com.dataGroups.includes(13)) throw new CardReadError('unsupportedCard', 'EF.COM lists no DG13: not a Vietnamese chip ID card')
    const dataGroups = new Map<number, Buffer>()
    for (const dataGroup of [1, 13, 2]) dataGroups.set(dataGroup, await this.readRequiredFile(`DG${dataGroup}`, dataGroupFileId(dataGroup)))
    for (const dataGroup of OPTIONAL_DATA_GROUPS.filter((number) => com.dataGroups.includes(number))) {
      const bytes = await this.readFile(`DG${dataGroup}`, dataGroupFileId(dataGroup))
      if (bytes) dataGroups.set(dataGroup, bytes)
    }
    const sodBytes = await this.readRequiredFile('EF.SOD', EF_SOD.fileId)
    return {
      com,
      mrz: this.parse('DG1', parseDg1, dataGroups.get(1)),
      personalData: this.parse('DG13', parseDg13, dataGroups.get(13)),
      face: this.parse('DG2', parseDg2, dataGroups.get(2)),
      sod: this.parse('EF.SOD', parseSod, sodBytes),
      dataGroups,
      accessKey,
      statistics: this.statistics,
    }
  }

  private parse<T>(file: string, parser: (bytes: Uint8Array) => T, bytes: Buffer | undefined): T {
    try {
      return parser(bytes ?? Buffer.alloc(0))
    } catch (error) {
      if (!(error instanceof DataGroupError)) throw error
      throw new CardReadError('readFailed', `${file} is damaged: ${error.message}`, { cause: error })
    }
  }

  private async transmit(apdu: Buffer): Promise<Buffer> {
    this.statistics.apdus += 1
    this.statistics.bytesSent += apdu.length
    const timeoutMs = this.options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CardReadError('timeout', `the card did not answer within ${timeoutMs} ms`)), timeoutMs)
    })
    try {
      const response = await Promise.race([this.channel.transmit(apdu), timeout])
      this.statistics.bytesReceived += response.length
      return response
    } catch (error) {
      if (error instanceof CardReadError) throw error
      throw new CardReadError('readFailed', `the reader failed: ${String(error)}`, { cause: error })
    } finally {
      clearTimeout(timer)
    }
  }

  private async plain(command: CommandApdu): Promise<ResponseApdu> {
    const response = await this.transmit(encodeCommandApdu(command))
    if (response.length < 2) throw new CardReadError('readFailed', `the card answered ${response.length} bytes, not even a status word`)
    return { data: response.subarray(0, -2), sw: response.readUInt16BE(response.length - 2) }
  }

  private async secure(command: CommandApdu): Promise<ProtectedResponse> {
    const session = this.session
    if (!session) throw new CardReadError('readFailed', 'secure messaging ended')
    const response = await this.transmit(session.protectCommand(command))
    try {
      return { ...session.unprotectResponse(response), sessionLost: false }
    } catch (error) {
      if (!(error instanceof SecureMessagingError)) throw error
      this.session = undefined
      if (error.code === 'unprotectedStatus' && error.statusWord !== undefined) return { data: Buffer.alloc(0), sw: error.statusWord, sessionLost: true }
      throw new CardReadError('readFailed', `secure messaging failed: ${error.message}`, { cause: error })
    }
  }

  /** Straight to the eMRTD application: these cards answer SELECT MF with 6D00. */
  private async selectApplication(): Promise<void> {
    const { sw } = await this.plain({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x0c, data: EMRTD_AID })
    if (sw !== SW.success) throw new CardReadError('unsupportedCard', `the card has no eMRTD application (SELECT answered ${hex(sw)})`)
  }

  /** BAC with each candidate in order; a fresh challenge for each, as the card forgets it after a failed attempt. */
  private async authenticate(): Promise<BacMrzFields> {
    for (const accessKey of this.options.accessKeys) {
      if (await this.establishSession(accessKey)) return accessKey
    }
    throw new CardReadError('wrongKey', `none of the ${this.options.accessKeys.length} access keys opened the card`)
  }

  private async establishSession(accessKey: BacMrzFields): Promise<boolean> {
    const keys = deriveBacKeys(bacMrzInformation(accessKey))
    const challenge = await this.plain({ cla: 0x00, ins: 0x84, p1: 0x00, p2: 0x00, ne: CHALLENGE_LENGTH })
    if (challenge.sw !== SW.success || challenge.data.length !== CHALLENGE_LENGTH) {
      throw new CardReadError('unsupportedCard', `the card refused GET CHALLENGE (${hex(challenge.sw)}): no Basic Access Control`)
    }
    const terminal = startBacAuthentication(keys, challenge.data, this.options.random ?? randomBytes)
    const answer = await this.plain({ cla: 0x00, ins: 0x82, p1: 0x00, p2: 0x00, data: terminal.commandData, ne: AUTHENTICATION_RESPONSE_LENGTH })
    if (WRONG_KEY_STATUS.includes(answer.sw)) return false
    if (answer.sw !== SW.success) throw new CardReadError('readFailed', `EXTERNAL AUTHENTICATE answered ${hex(answer.sw)}`)
    try {
      const session = completeBacAuthentication(keys, terminal, answer.data)
      this.session = new SecureMessagingChannel(des3SecureMessagingCipher(session.keys), session.ssc)
    } catch (error) {
      if (!(error instanceof BacError)) throw error
      throw new CardReadError('readFailed', `the card's authentication answer does not verify: ${error.message}`, { cause: error })
    }
    this.accessKey = accessKey
    return true
  }

  private async readRequiredFile(name: string, fileId: number): Promise<Buffer> {
    const bytes = await this.readFile(name, fileId)
    if (!bytes) throw new CardReadError('unsupportedCard', `the card has no readable ${name}`)
    return bytes
  }

  private async selectFile(fileId: number): Promise<number> {
    const { sw, sessionLost } = await this.secure({ cla: 0x00, ins: 0xa4, p1: 0x02, p2: 0x0c, data: Buffer.from([fileId >> 8, fileId & 0xff]) })
    if (sessionLost) throw new CardReadError('readFailed', `the card ended secure messaging with ${hex(sw)}`)
    return sw
  }

  /** The whole file, or undefined when the card has no such file or refuses it (6A82, 6982). */
  private async readFile(name: string, fileId: number): Promise<Buffer | undefined> {
    const sw = await this.selectFile(fileId)
    if (sw === SW.fileNotFound || sw === SW.securityStatusNotSatisfied) return undefined
    if (sw !== SW.success) throw new CardReadError('readFailed', `SELECT ${name} answered ${hex(sw)}`)
    const chunks: Buffer[] = [await this.readChunk(name, fileId, 0, HEADER_PROBE_LENGTH)]
    let bytesRead = chunks[0]?.length ?? 0
    const totalBytes = this.fileLength(name, Buffer.concat(chunks))
    if (totalBytes - 1 > MAX_OFFSET) throw new CardReadError('unsupportedCard', `${name} has ${totalBytes} bytes, beyond what READ BINARY can address`)
    while (bytesRead < totalBytes) {
      const chunk = await this.readChunk(name, fileId, bytesRead, Math.min(this.readLengths[this.readLengthIndex] ?? 1, totalBytes - bytesRead))
      chunks.push(chunk)
      bytesRead += chunk.length
      this.options.onProgress?.({ file: name, bytesRead: Math.min(bytesRead, totalBytes), totalBytes })
    }
    return Buffer.concat(chunks).subarray(0, totalBytes)
  }

  private fileLength(name: string, start: Buffer): number {
    try {
      const header = decodeTlvHeader(start)
      return header.headerLength + header.valueLength
    } catch (error) {
      if (!(error instanceof TlvError)) throw error
      throw new CardReadError('readFailed', `${name} does not start with a TLV header: ${error.message}`, { cause: error })
    }
  }

  /**
   * One READ BINARY, asking for less after the card or reader refuses the length. Lengths only shrink, as the
   * limit belongs to the reader or card and holds for the rest of the read.
   */
  private async readChunk(name: string, fileId: number, offset: number, wanted: number): Promise<Buffer> {
    for (let length = wanted; ; length = Math.min(length, this.readLengths[this.readLengthIndex] ?? 0)) {
      const { data, sw, sessionLost } = await this.secure({ cla: 0x00, ins: 0xb0, p1: offset >> 8, p2: offset & 0xff, ne: length })
      if ((sw === SW.success || sw === SW.endOfFile) && data.length > 0 && data.length <= length) return data
      if (sessionLost && needsExtendedLength(0, length)) {
        // The card or reader refused the extended APDU in plain, which ended secure messaging: go short for good.
        this.readLengths = SHORT_READ_LENGTHS
        this.readLengthIndex = 0
        await this.resumeSession(fileId)
      } else if (sessionLost || !TOO_LONG_STATUS.includes(sw) || !this.shorten(length)) {
        throw new CardReadError('readFailed', `READ BINARY of ${name} at ${offset} answered ${hex(sw)} with ${data.length} bytes`)
      }
    }
  }

  /** Moves to the next length below `length`; false when there is none. */
  private shorten(length: number): boolean {
    while ((this.readLengths[this.readLengthIndex] ?? 0) >= length) this.readLengthIndex += 1
    return this.readLengthIndex < this.readLengths.length
  }

  private async resumeSession(fileId: number): Promise<void> {
    const accessKey = this.accessKey
    if (!accessKey || !(await this.establishSession(accessKey))) throw new CardReadError('readFailed', 'the card refused to authenticate again')
    if ((await this.selectFile(fileId)) !== SW.success) throw new CardReadError('readFailed', 'the file could not be selected again')
  }
}

export async function readCard(channel: CardChannel, options: CardReadOptions): Promise<CardReadResult> {
  if (options.accessKeys.length === 0) throw new CardReadError('wrongKey', 'no access key to try')
  return new CardReader(channel, options).read()
}
