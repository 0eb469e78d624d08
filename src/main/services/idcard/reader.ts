import { randomBytes } from 'node:crypto'
import { ACTIVE_AUTHENTICATION_CHALLENGE_LENGTH, verifyActiveAuthentication, type ActiveAuthenticationResult } from './active-authentication'
import { parseDg1 } from './datagroups/dg1'
import { parseDg13, type Dg13 } from './datagroups/dg13'
import { parseDg2, type FaceImage } from './datagroups/dg2'
import { parseEfCom, type EfCom } from './datagroups/ef-com'
import { DataGroupError, EF_COM, EF_SOD, EMRTD_AID, dataGroupFileId } from './datagroups/lds'
import { EF_CARD_ACCESS, parseCardAccess } from './datagroups/security-infos'
import { parseSod, type Sod } from './datagroups/sod'
import { encodeCommandApdu, needsExtendedLength, type CommandApdu, type ResponseApdu } from './icao/apdu'
import { BacError, CHALLENGE_LENGTH, completeBacAuthentication, deriveBacKeys, startBacAuthentication, type RandomSource } from './icao/bac'
import { IcaoError } from './icao/errors'
import { bacMrzInformation, type BacMrzFields, type Mrz } from './icao/mrz'
import { PaceError, establishPace, paceParameters, type PacePassword, type PaceParameters } from './icao/pace'
import { SecureMessagingChannel, SecureMessagingError, aesSecureMessagingCipher, des3SecureMessagingCipher } from './icao/secure-messaging'
import { TlvError, decodeTlvHeader } from './icao/tlv'
import { SW, formatStatusWord } from './icao/status-words'

/**
 * Reads a Vietnamese chip ID card over any APDU transport: EF.CardAccess in the clear, PACE when it offers a
 * protocol we run (then SELECT of the eMRTD application under AES secure messaging), otherwise SELECT and BAC; each
 * candidate key in turn. Then EF.COM, DG1, DG13, DG2, DG14/DG15 when listed and EF.SOD under secure messaging, and
 * Active Authentication when the card has DG15.
 */

/** What the PC/SC binding and the emulator both provide. A channel throws CardReadError('cardRemoved') when the card goes, 'readerUnplugged' when the reader does. */
export interface CardChannel {
  transmit(apdu: Buffer): Promise<Buffer>
}

/**
 * Codes a resident can be told about: wrong key (check the MRZ/QR/CAN), a CAN for a card without PACE, card removed,
 * reader unplugged, not a supported card, too slow, try again, or the read was called off.
 */
export type CardReadErrorCode = 'wrongKey' | 'canNotSupported' | 'cardRemoved' | 'readerUnplugged' | 'unsupportedCard' | 'timeout' | 'readFailed' | 'cancelled'

export class CardReadError extends IcaoError<CardReadErrorCode> {}

export interface ReadProgress {
  /** 'EF.CardAccess', 'EF.COM', 'DG1' ... 'EF.SOD'. */
  file: string
  bytesRead: number
  totalBytes: number
}

/** What opens the chip: the MRZ's key fields (PACE or BAC) or the card access number (PACE only). */
export type CardAccessKey = BacMrzFields | { can: string }

export type AccessControl = 'PACE' | 'BAC'

export interface CardReadOptions {
  /** Tried in order; from accessKeyFromMrz, accessKeyCandidatesFromQr or a CAN. */
  accessKeys: readonly CardAccessKey[]
  onProgress?: (progress: ReadProgress) => void
  /** Whether the reader passes extended-length APDUs (many do not); reads are then larger and fewer. */
  extendedLength?: boolean
  /** Per APDU. */
  commandTimeoutMs?: number
  random?: RandomSource
  /** Ends the read with 'cancelled' between or during APDUs. */
  signal?: AbortSignal
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
  /** Undefined when this reader cannot parse it (an algorithm it does not know, several signers): passive authentication then fails, the data stays. */
  sod: Sod | undefined
  /** The bytes of every data group read, by number: what passive authentication hashes. */
  dataGroups: ReadonlyMap<number, Buffer>
  /** The candidate that opened the card, and how. */
  accessKey: CardAccessKey
  accessControl: AccessControl
  activeAuthentication: ActiveAuthenticationResult
  statistics: CardStatistics
}

// Answers to EXTERNAL AUTHENTICATE that mean "not this key": try the next candidate.
const WRONG_KEY_STATUS: readonly number[] = [SW.authenticationFailed, SW.conditionsNotSatisfied, SW.securityStatusNotSatisfied]
// Answers to READ BINARY that mean "ask for less"; so does 6988 in plain, a reader mangling a long answer (readChunk).
const TOO_LONG_STATUS: readonly number[] = [SW.wrongLength, SW.wrongParameters, SW.endOfFile]
// Answers to SELECT for a file the card does not have or does not let us read (DG3; DG14/DG15 on some cards).
const ABSENT_FILE_STATUS: readonly number[] = [SW.fileNotFound, SW.securityStatusNotSatisfied]
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
const SHORT_NE = 256

/** How READ BINARY reaches a file: in the clear before access control (EF.CardAccess), else under secure messaging. */
type Messaging = 'plain' | 'secure'

interface ProtectedResponse extends ResponseApdu {
  /** The card answered in plain, which ends secure messaging (e.g. it refused an extended APDU). */
  sessionLost: boolean
}

const isCan = (key: CardAccessKey): key is { can: string } => 'can' in key
const pacePassword = (key: CardAccessKey): PacePassword => (isCan(key) ? { can: key.can } : { mrz: key })

class CardReader {
  readonly statistics: CardStatistics = { apdus: 0, bytesSent: 0, bytesReceived: 0 }
  private session: SecureMessagingChannel | undefined
  /** Opens secure messaging again the way it was first opened, after the card drops it; false when the card refuses. */
  private reopen: (() => Promise<boolean>) | undefined
  private readonly random: RandomSource
  private readLengths: number[]
  private readLengthIndex = 0

  constructor(
    private readonly channel: CardChannel,
    private readonly options: CardReadOptions,
  ) {
    this.readLengths = options.extendedLength ? [...EXTENDED_READ_LENGTHS, ...SHORT_READ_LENGTHS] : SHORT_READ_LENGTHS
    this.random = options.random ?? randomBytes
  }

  async read(): Promise<CardReadResult> {
    const { accessKey, accessControl } = await this.openCard()
    const com = this.parse('EF.COM', parseEfCom, await this.readRequiredFile('EF.COM', EF_COM.fileId))
    if (!com.dataGroups.includes(13)) throw new CardReadError('unsupportedCard', 'EF.COM lists no DG13: not a Vietnamese chip ID card')
    const dataGroups = new Map<number, Buffer>()
    for (const dataGroup of [1, 13, 2]) dataGroups.set(dataGroup, await this.readRequiredFile(`DG${dataGroup}`, dataGroupFileId(dataGroup)))
    for (const dataGroup of OPTIONAL_DATA_GROUPS.filter((number) => com.dataGroups.includes(number))) {
      const bytes = await this.readFile(`DG${dataGroup}`, dataGroupFileId(dataGroup))
      if (bytes) dataGroups.set(dataGroup, bytes)
    }
    const sodBytes = await this.readRequiredFile('EF.SOD', EF_SOD.fileId)
    const activeAuthentication = await this.activeAuthentication(dataGroups)
    return {
      com,
      mrz: this.parse('DG1', parseDg1, dataGroups.get(1)),
      personalData: this.parse('DG13', parseDg13, dataGroups.get(13)),
      face: this.parse('DG2', parseDg2, dataGroups.get(2)),
      sod: this.optionalParse(parseSod, sodBytes),
      dataGroups,
      accessKey,
      accessControl,
      activeAuthentication,
      statistics: this.statistics,
    }
  }

  private parse<T>(file: string, parser: (bytes: Uint8Array) => T, bytes: Buffer | undefined): T {
    try {
      return parser(bytes ?? Buffer.alloc(0))
    } catch (error) {
      if (!(error instanceof DataGroupError)) throw error
      // Only the file and the fault reach the log: a parser's message may one day quote the personal data it choked on.
      throw new CardReadError('readFailed', `${file} is damaged (${error.code})`, { cause: error })
    }
  }

  private optionalParse<T>(parser: (bytes: Uint8Array) => T, bytes: Buffer): T | undefined {
    try {
      return parser(bytes)
    } catch (error) {
      if (!(error instanceof DataGroupError)) throw error
      return undefined
    }
  }

  private async transmit(apdu: Buffer): Promise<Buffer> {
    const { signal } = this.options
    if (signal?.aborted) throw new CardReadError('cancelled', 'the read was cancelled')
    this.statistics.apdus += 1
    this.statistics.bytesSent += apdu.length
    const timeoutMs = this.options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS
    let timer: NodeJS.Timeout | undefined
    let onAbort: (() => void) | undefined
    const interrupted = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CardReadError('timeout', `the card did not answer within ${timeoutMs} ms`)), timeoutMs)
      onAbort = () => reject(new CardReadError('cancelled', 'the read was cancelled'))
      signal?.addEventListener('abort', onAbort, { once: true })
    })
    try {
      const response = await Promise.race([this.channel.transmit(apdu), interrupted])
      this.statistics.bytesReceived += response.length
      return response
    } catch (error) {
      if (error instanceof CardReadError) throw error
      throw new CardReadError('readFailed', `the reader failed: ${String(error)}`, { cause: error })
    } finally {
      clearTimeout(timer)
      if (onAbort) signal?.removeEventListener('abort', onAbort)
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

  /**
   * PACE when EF.CardAccess offers a protocol we run; BAC when it does not, when it cannot be read, or when PACE
   * fails for a reason other than a wrong password (a CAN cannot fall back: BAC needs the MRZ).
   */
  private async openCard(): Promise<{ accessKey: CardAccessKey; accessControl: AccessControl }> {
    const pace = await this.paceParameters()
    let paceFailure: PaceError | undefined
    if (typeof pace === 'object') {
      const opened = await this.openWithPace(pace)
      if (!(opened instanceof PaceError)) return { accessKey: opened, accessControl: 'PACE' }
      paceFailure = opened
    }
    const mrzKeys = this.options.accessKeys.filter((key): key is BacMrzFields => !isCan(key))
    if (mrzKeys.length === 0) {
      if (paceFailure && paceFailure.code !== 'notAccepted') throw new CardReadError('readFailed', `PACE failed: ${paceFailure.message}`, { cause: paceFailure })
      // Only a card without the file is known to lack PACE: after a failed read, putting the card back may work.
      if (pace === 'unreadable') throw new CardReadError('readFailed', 'EF.CardAccess could not be read, so whether the card takes a CAN is unknown')
      throw new CardReadError('canNotSupported', pace === 'none' ? 'the card offers no PACE, which a CAN needs' : 'the card does not accept its CAN')
    }
    await this.selectApplication()
    return { accessKey: await this.authenticateBac(mrzKeys), accessControl: 'BAC' }
  }

  /** The first PACEInfo of EF.CardAccess that this reader runs; 'none' when there is none or no such file. */
  private async paceParameters(): Promise<PaceParameters | 'none' | 'unreadable'> {
    const bytes = await this.readCardAccess()
    if (bytes === 'unreadable') return bytes
    const infos = bytes === 'absent' ? undefined : this.optionalParse(parseCardAccess, bytes)
    return infos?.pace.map(paceParameters).find((parameters) => parameters !== undefined) ?? 'none'
  }

  /**
   * EF.CardAccess in the clear, before access control, with the lengths the reader passes: 'absent' on a BAC-only
   * card (6A82), 'unreadable' after any other failure. Transport failures (card removed, timeout...) end the read.
   */
  private async readCardAccess(): Promise<Buffer | 'absent' | 'unreadable'> {
    const { fileId } = EF_CARD_ACCESS
    const { sw } = await this.plain({ cla: 0x00, ins: 0xa4, p1: 0x02, p2: 0x0c, data: Buffer.from([fileId >> 8, fileId & 0xff]) })
    if (sw === SW.fileNotFound) return 'absent'
    if (sw !== SW.success) return 'unreadable'
    try {
      return await this.readSelectedFile('EF.CardAccess', fileId, 'plain')
    } catch (error) {
      if (!(error instanceof CardReadError) || error.code !== 'readFailed') throw error
      return 'unreadable'
    }
  }

  /** Each candidate in turn; the key that opened the card, or why PACE failed when it was not a wrong password. */
  private async openWithPace(parameters: PaceParameters): Promise<CardAccessKey | PaceError> {
    for (const accessKey of this.options.accessKeys) {
      const opened = await this.establishPaceSession(parameters, accessKey)
      if (opened === true) {
        this.reopen = async () => (await this.establishPaceSession(parameters, accessKey)) === true
        return accessKey
      }
      if (opened.code !== 'wrongPassword') return opened
    }
    throw new CardReadError('wrongKey', `none of the ${this.options.accessKeys.length} access keys opened the card by PACE`)
  }

  /** PACE, then the eMRTD application selected under the new secure messaging. */
  private async establishPaceSession(parameters: PaceParameters, accessKey: CardAccessKey): Promise<true | PaceError> {
    try {
      const { keys, ssc } = await establishPace((command) => this.plain(command), parameters, pacePassword(accessKey), this.random)
      this.session = new SecureMessagingChannel(aesSecureMessagingCipher(keys), ssc)
    } catch (error) {
      if (!(error instanceof PaceError)) throw error
      return error
    }
    const { sw } = await this.secure({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x0c, data: EMRTD_AID })
    if (sw !== SW.success) throw new CardReadError('unsupportedCard', `the card has no eMRTD application (SELECT answered ${formatStatusWord(sw)})`)
    return true
  }

  /** Straight to the eMRTD application: these cards answer SELECT MF with 6D00. */
  private async selectApplication(): Promise<void> {
    const { sw } = await this.plain({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x0c, data: EMRTD_AID })
    if (sw !== SW.success) throw new CardReadError('unsupportedCard', `the card has no eMRTD application (SELECT answered ${formatStatusWord(sw)})`)
  }

  /** BAC with each candidate in order; a fresh challenge for each, as the card forgets it after a failed attempt. */
  private async authenticateBac(accessKeys: readonly BacMrzFields[]): Promise<BacMrzFields> {
    for (const accessKey of accessKeys) {
      if (await this.establishBacSession(accessKey)) {
        this.reopen = () => this.establishBacSession(accessKey)
        return accessKey
      }
    }
    throw new CardReadError('wrongKey', `none of the ${accessKeys.length} access keys opened the card`)
  }

  private async establishBacSession(accessKey: BacMrzFields): Promise<boolean> {
    const keys = deriveBacKeys(bacMrzInformation(accessKey))
    const challenge = await this.plain({ cla: 0x00, ins: 0x84, p1: 0x00, p2: 0x00, ne: CHALLENGE_LENGTH })
    if (challenge.sw !== SW.success || challenge.data.length !== CHALLENGE_LENGTH) {
      throw new CardReadError('unsupportedCard', `the card refused GET CHALLENGE (${formatStatusWord(challenge.sw)}): no Basic Access Control`)
    }
    const terminal = startBacAuthentication(keys, challenge.data, this.random)
    const answer = await this.plain({ cla: 0x00, ins: 0x82, p1: 0x00, p2: 0x00, data: terminal.commandData, ne: AUTHENTICATION_RESPONSE_LENGTH })
    if (WRONG_KEY_STATUS.includes(answer.sw)) return false
    if (answer.sw !== SW.success) throw new CardReadError('readFailed', `EXTERNAL AUTHENTICATE answered ${formatStatusWord(answer.sw)}`)
    try {
      const session = completeBacAuthentication(keys, terminal, answer.data)
      this.session = new SecureMessagingChannel(des3SecureMessagingCipher(session.keys), session.ssc)
    } catch (error) {
      if (!(error instanceof BacError)) throw error
      throw new CardReadError('readFailed', `the card's authentication answer does not verify: ${error.message}`, { cause: error })
    }
    return true
  }

  /** INTERNAL AUTHENTICATE with a fresh challenge, the signature checked against DG15 (and DG14's algorithm). */
  private async activeAuthentication(dataGroups: ReadonlyMap<number, Buffer>): Promise<ActiveAuthenticationResult> {
    const dg15 = dataGroups.get(15)
    if (!dg15) return 'notSupported'
    const challenge = Buffer.from(this.random(ACTIVE_AUTHENTICATION_CHALLENGE_LENGTH))
    const { data, sw, sessionLost } = await this.secure({ cla: 0x00, ins: 0x88, p1: 0x00, p2: 0x00, data: challenge, ne: SHORT_NE })
    if (sessionLost || sw !== SW.success) return 'failed'
    return verifyActiveAuthentication(dg15, dataGroups.get(14), challenge, data) ? 'passed' : 'failed'
  }

  private async readRequiredFile(name: string, fileId: number): Promise<Buffer> {
    const bytes = await this.readFile(name, fileId)
    if (!bytes) throw new CardReadError('unsupportedCard', `the card has no readable ${name}`)
    return bytes
  }

  private async selectFile(fileId: number): Promise<number> {
    const { sw, sessionLost } = await this.secure({ cla: 0x00, ins: 0xa4, p1: 0x02, p2: 0x0c, data: Buffer.from([fileId >> 8, fileId & 0xff]) })
    if (!sessionLost) return sw
    // Some cards refuse a missing or restricted file (DG14, DG15) in plain, dropping secure messaging: open it again for the next file.
    if (!ABSENT_FILE_STATUS.includes(sw)) throw new CardReadError('readFailed', `the card ended secure messaging with ${formatStatusWord(sw)}`)
    await this.reauthenticate()
    return sw
  }

  /** The whole file, or undefined when the card has no such file or refuses it (6A82, 6982). */
  private async readFile(name: string, fileId: number): Promise<Buffer | undefined> {
    const sw = await this.selectFile(fileId)
    if (ABSENT_FILE_STATUS.includes(sw)) return undefined
    if (sw !== SW.success) throw new CardReadError('readFailed', `SELECT ${name} answered ${formatStatusWord(sw)}`)
    return this.readSelectedFile(name, fileId, 'secure')
  }

  /** The selected file whole: a short header first to learn its size, then as much per READ BINARY as passes. */
  private async readSelectedFile(name: string, fileId: number, messaging: Messaging): Promise<Buffer> {
    const chunks: Buffer[] = [await this.readChunk(name, fileId, 0, HEADER_PROBE_LENGTH, messaging)]
    let bytesRead = chunks[0]?.length ?? 0
    const totalBytes = this.fileLength(name, Buffer.concat(chunks))
    if (totalBytes - 1 > MAX_OFFSET) throw new CardReadError('unsupportedCard', `${name} has ${totalBytes} bytes, beyond what READ BINARY can address`)
    while (bytesRead < totalBytes) {
      const chunk = await this.readChunk(name, fileId, bytesRead, Math.min(this.readLengths[this.readLengthIndex] ?? 1, totalBytes - bytesRead), messaging)
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
   * limit belongs to the reader or card and holds for the rest of the read, in the clear or not. Some cards and
   * readers refuse in plain, which ends secure messaging: then authenticate again before asking for less.
   */
  private async readChunk(name: string, fileId: number, offset: number, wanted: number, messaging: Messaging): Promise<Buffer> {
    for (let length = wanted; ; length = Math.min(length, this.readLengths[this.readLengthIndex] ?? 0)) {
      const command: CommandApdu = { cla: 0x00, ins: 0xb0, p1: offset >> 8, p2: offset & 0xff, ne: length }
      const { data, sw, sessionLost } = messaging === 'secure' ? await this.secure(command) : { ...(await this.plain(command)), sessionLost: false }
      if ((sw === SW.success || sw === SW.endOfFile) && data.length > 0 && data.length <= length) return data
      const refusedLength = TOO_LONG_STATUS.includes(sw) || ((sessionLost || messaging === 'plain') && sw === SW.smDataObjectsIncorrect)
      if (sessionLost && needsExtendedLength(0, length)) {
        // The card or reader refused the extended APDU: go short for good.
        this.readLengths = SHORT_READ_LENGTHS
        this.readLengthIndex = 0
      } else if (!refusedLength || !this.shorten(length)) {
        throw new CardReadError('readFailed', `READ BINARY of ${name} at ${offset} answered ${formatStatusWord(sw)} with ${data.length} bytes`)
      }
      if (sessionLost) await this.resumeSession(fileId)
    }
  }

  /** Moves to the next length below `length`; false when there is none, leaving the lengths for the reads after a failed EF.CardAccess. */
  private shorten(length: number): boolean {
    const next = this.readLengths.findIndex((candidate) => candidate < length)
    if (next === -1) return false
    this.readLengthIndex = next
    return true
  }

  private async reauthenticate(): Promise<void> {
    if (!(await this.reopen?.())) throw new CardReadError('readFailed', 'the card refused to authenticate again')
  }

  private async resumeSession(fileId: number): Promise<void> {
    await this.reauthenticate()
    if ((await this.selectFile(fileId)) !== SW.success) throw new CardReadError('readFailed', 'the file could not be selected again')
  }
}

export async function readCard(channel: CardChannel, options: CardReadOptions): Promise<CardReadResult> {
  if (options.accessKeys.length === 0) throw new CardReadError('wrongKey', 'no access key to try')
  return new CardReader(channel, options).read()
}
