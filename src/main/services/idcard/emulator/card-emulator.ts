import { randomBytes, sign, type KeyObject, type X509Certificate } from 'node:crypto'
import { ACTIVE_AUTHENTICATION_CHALLENGE_LENGTH } from '../active-authentication'
import { EF_COM, EF_SOD, EMRTD_AID, dataGroupFileId } from '../datagroups/lds'
import { EF_CARD_ACCESS, type PaceInfo, type SecurityInfos } from '../datagroups/security-infos'
import { ApduError, SHORT_FILE_ID_FLAG, decodeCommandApdu, isExtendedApdu, type CommandApdu, type ResponseApdu } from '../icao/apdu'
import { BacError, CHALLENGE_LENGTH, deriveBacKeys, deriveBacSession, openAuthenticationMessage, sealAuthenticationMessage, type RandomSource } from '../icao/bac'
import { bacMrzInformation, parseMrz } from '../icao/mrz'
import { encodeTlv } from '../icao/tlv'
import { CHAINING_CLA, PACE_INS, paceParameters } from '../icao/pace'
import { SECURE_MESSAGING_CLA, SecureMessagingChannel, SecureMessagingError, aesSecureMessagingCipher, des3SecureMessagingCipher } from '../icao/secure-messaging'
import { buildDg1, buildDg13, buildDg14, buildDg15, buildDg2, buildEfCom, buildSecurityInfos, buildSod } from './lds-builder'
import { createPaceCard, type PaceCard } from './pace-card'
import type { CardProfile } from './profile'
import { createActiveAuthenticationKey, createTestPki, type DocumentSignerPki } from './test-pki'
import { SW } from '../icao/status-words'

/**
 * A Vietnamese chip ID card in software: EF.CardAccess offering PACE (with the MRZ or the profile's CAN, then AES
 * secure messaging), the eMRTD application with BAC and 3DES secure messaging too, and Active Authentication with
 * an ECDSA key in DG15. It answers APDUs with the status words a real card uses, so the reader can be tested (and
 * demonstrated through vpcd) without one.
 */

/** id-PACE-ECDH-GM-AES-CBC-CMAC-128 on brainpoolP256r1, as Appendix G's example and many cards offer it. */
export const DEFAULT_PACE_INFO: PaceInfo = { protocol: '0.4.0.127.0.7.2.2.4.2.2', version: 2, parameterId: 13 }
/** ecdsa-plain-SHA256 (BSI TR-03111), named in DG14's ActiveAuthenticationInfo. */
const ACTIVE_AUTHENTICATION_ALGORITHM = '0.4.0.127.0.7.1.1.4.1.3'

export interface CardEmulatorOptions {
  /** Signs the SOD; a fresh ECDSA test PKI by default. */
  pki?: DocumentSignerPki
  /** The PACEInfo in EF.CardAccess; false for a BAC-only card without EF.CardAccess. */
  pace?: PaceInfo | false
  /** Whether the chip has DG14 and DG15 and answers INTERNAL AUTHENTICATE (default true). */
  activeAuthentication?: boolean
  /**
   * Serve a DG1 damaged after signing (no longer a valid MRZ), a DG13 with another name, an SOD with a broken signature,
   * an SOD in a form the reader does not parse (as an unknown algorithm would be), or Active Authentication signatures damaged.
   */
  tamper?: 'dg1' | 'dg13' | 'sod' | 'sodUnparsable' | 'activeAuthentication'
  /** The largest READ BINARY the card answers; above it, `tooLongStatus`. Real cards and readers cap it. */
  maxReadLength?: number
  /** What a READ BINARY above `maxReadLength` gets: 6700 by default; 6B00, 6282 (without data) and 6988 are seen too. */
  tooLongStatus?: number
  /** Answer errors to protected SELECT and READ BINARY in plain, ending secure messaging, as some cards and readers do. */
  plainErrors?: boolean
  /** Data groups that are listed but answer 6982 (default: DG3, fingerprints). */
  restrictedDataGroups?: readonly number[]
  /** Whether extended-length APDUs are accepted; without, they get 6700. */
  extendedLength?: boolean
  random?: RandomSource
}

export interface CardEmulator {
  transmit(apdu: Uint8Array): Buffer
  /** The CSCA behind the SOD: put it in the trust list for passive authentication to pass. */
  readonly csca: X509Certificate
  /** Power cycle: no application selected, no session. */
  reset(): void
}

const INS = {
  select: 0xa4,
  getChallenge: 0x84,
  externalAuthenticate: 0x82,
  readBinary: 0xb0,
  internalAuthenticate: 0x88,
  ...PACE_INS,
} as const
const SELECT_BY = { masterFile: 0x00, elementaryFile: 0x02, dfName: 0x04 } as const
const AUTHENTICATION_DATA_LENGTH = 40
const KEY_LENGTH = 16
// DG3 (fingerprints) is listed but needs Extended Access Control, which this card, like the reader, does not do.
const RESTRICTED_DATA_GROUPS = [3]
const DEFAULT_MAX_READ_LENGTH = 65536
const EMPTY = Buffer.alloc(0)

function status(sw: number, data: Uint8Array = Buffer.alloc(0)): Buffer {
  const word = Buffer.alloc(2)
  word.writeUInt16BE(sw)
  return Buffer.concat([data, word])
}

function flipLastByte(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes)
  copy[copy.length - 1] = (copy[copy.length - 1] ?? 0) ^ 0x01
  return copy
}

/** The application's files by file identifier, the SOD computed over the untampered data groups. */
function buildFiles(
  profile: CardProfile,
  pki: DocumentSignerPki,
  securityInfos: SecurityInfos,
  activeAuthenticationKey: KeyObject | undefined,
  { tamper, restrictedDataGroups = RESTRICTED_DATA_GROUPS }: CardEmulatorOptions,
): Map<number, Buffer> {
  const dataGroups = new Map<number, Buffer>([
    [1, buildDg1(profile.mrz)],
    [2, buildDg2(profile.face)],
    [13, buildDg13(profile.dg13)],
  ])
  if (securityInfos.pace.length > 0 || securityInfos.activeAuthentication) dataGroups.set(14, buildDg14(securityInfos))
  if (activeAuthenticationKey) dataGroups.set(15, buildDg15(activeAuthenticationKey.export({ type: 'spki', format: 'der' })))
  const sod = buildSod(dataGroups, pki)
  const listed = [...new Set([...dataGroups.keys(), ...restrictedDataGroups])].sort((a, b) => a - b)
  const files = new Map<number, Buffer>([
    [EF_COM.fileId, buildEfCom(listed)],
    [EF_SOD.fileId, tamper === 'sod' ? flipLastByte(sod) : tamper === 'sodUnparsable' ? encodeTlv(EF_SOD.tag, encodeTlv(0x30, EMPTY)) : sod],
  ])
  for (const [dataGroup, bytes] of dataGroups) files.set(dataGroupFileId(dataGroup), bytes)
  // DG13 keeps a valid layout (only its hash gives it away); DG1 loses a valid MRZ.
  if (tamper === 'dg13') files.set(dataGroupFileId(13), buildDg13({ ...profile.dg13, fullName: 'Người Khác' }))
  if (tamper === 'dg1') files.set(dataGroupFileId(1), flipLastByte(dataGroups.get(1) ?? EMPTY))
  return files
}

export function createCardEmulator(profile: CardProfile, options: CardEmulatorOptions = {}): CardEmulator {
  const pki = options.pki ?? createTestPki()
  const random = options.random ?? randomBytes
  const maxReadLength = options.maxReadLength ?? DEFAULT_MAX_READ_LENGTH
  const extendedLength = options.extendedLength ?? true
  const mrz = parseMrz(profile.mrz.join('\n'))
  const accessKeys = deriveBacKeys(bacMrzInformation(mrz))
  const paceInfo = options.pace ?? DEFAULT_PACE_INFO
  const pace = paceInfo ? paceParameters(paceInfo) : undefined
  if (paceInfo && !pace) throw new RangeError(`the emulator cannot run PACE ${paceInfo.protocol} with parameters ${paceInfo.parameterId}`)
  const activeAuthenticationKeys = options.activeAuthentication === false ? undefined : createActiveAuthenticationKey()
  const securityInfos: SecurityInfos = {
    pace: paceInfo ? [paceInfo] : [],
    ...(activeAuthenticationKeys && { activeAuthentication: { signatureAlgorithm: ACTIVE_AUTHENTICATION_ALGORITHM } }),
  }
  const files = buildFiles(profile, pki, securityInfos, activeAuthenticationKeys?.publicKey, options)
  const restrictedFileIds = new Set((options.restrictedDataGroups ?? RESTRICTED_DATA_GROUPS).map(dataGroupFileId))
  // EF.CardAccess lies outside the application, readable in the clear, and holds only what PACE needs.
  const cardAccess = pace ? buildSecurityInfos({ pace: securityInfos.pace }) : undefined
  const paceCard: PaceCard | undefined = pace ? createPaceCard({ parameters: pace, mrz, ...(profile.can !== undefined && { can: profile.can }), random }) : undefined

  let applicationSelected = false
  let challenge: Buffer | undefined
  let session: SecureMessagingChannel | undefined
  let selectedFile: Buffer | undefined
  /** The file plain READ BINARY reads: only EF.CardAccess, selected in the clear. */
  let plainFile: Buffer | undefined

  function reset(): void {
    applicationSelected = false
    challenge = undefined
    session = undefined
    selectedFile = undefined
    plainFile = undefined
    paceCard?.reset()
  }

  /** READ BINARY's answer from `file` at `offset`, whoever asks. */
  function readFrom(file: Buffer, offset: number, ne: number | undefined): ResponseApdu {
    if (ne === undefined) return { data: EMPTY, sw: SW.wrongLength }
    if (ne > maxReadLength) return { data: EMPTY, sw: options.tooLongStatus ?? SW.wrongLength }
    if (offset >= file.length) return { data: EMPTY, sw: SW.wrongParameters }
    const data = file.subarray(offset, offset + ne)
    return { data, sw: data.length < ne ? SW.endOfFile : SW.success }
  }

  function selectPlain({ p1, data }: CommandApdu): Buffer {
    if (p1 === SELECT_BY.dfName) {
      if (!data || !EMRTD_AID.equals(data)) return status(SW.fileNotFound)
      reset()
      applicationSelected = true
      return status(SW.success)
    }
    // Vietnamese cards answer SELECT MF with 6D00; only EF.CardAccess is readable before access control.
    if (p1 === SELECT_BY.masterFile) return status(SW.insNotSupported)
    if (p1 !== SELECT_BY.elementaryFile) return status(SW.wrongParameters)
    if (data?.length !== 2) return status(SW.wrongLength)
    const fileId = Buffer.from(data).readUInt16BE(0)
    if (fileId === EF_CARD_ACCESS.fileId && cardAccess) {
      plainFile = cardAccess
      return status(SW.success)
    }
    return status(files.has(fileId) ? SW.securityStatusNotSatisfied : SW.fileNotFound)
  }

  function readBinaryPlain({ p1, p2, ne }: CommandApdu): Buffer {
    if ((p1 & SHORT_FILE_ID_FLAG) !== 0) {
      if ((p1 & 0x1f) !== EF_CARD_ACCESS.shortFileId || !cardAccess) return status(SW.fileNotFound)
      plainFile = cardAccess
      const { data, sw } = readFrom(cardAccess, p2, ne)
      return status(sw, data)
    }
    if (!plainFile) return status(applicationSelected ? SW.securityStatusNotSatisfied : SW.conditionsNotSatisfied)
    const { data, sw } = readFrom(plainFile, (p1 << 8) | p2, ne)
    return status(sw, data)
  }

  function generalAuthenticate(command: CommandApdu): Buffer {
    if (!paceCard) return status(SW.insNotSupported)
    const { response, session: established } = paceCard.generalAuthenticate(command)
    if (established) session = new SecureMessagingChannel(aesSecureMessagingCipher(established.keys), established.ssc)
    return status(response.sw, response.data)
  }

  function getChallenge({ ne }: CommandApdu): Buffer {
    if (!applicationSelected) return status(SW.conditionsNotSatisfied)
    if (ne !== CHALLENGE_LENGTH) return status(SW.wrongLength)
    challenge = Buffer.from(random(CHALLENGE_LENGTH))
    return status(SW.success, challenge)
  }

  function externalAuthenticate({ data }: CommandApdu): Buffer {
    const rndIcc = challenge
    challenge = undefined
    if (!rndIcc) return status(SW.conditionsNotSatisfied)
    if (data?.length !== AUTHENTICATION_DATA_LENGTH) return status(SW.wrongLength)
    let plaintext: Buffer
    try {
      plaintext = openAuthenticationMessage(accessKeys, data)
    } catch (error) {
      if (!(error instanceof BacError)) throw error
      return status(SW.authenticationFailed)
    }
    const rndIfd = plaintext.subarray(0, CHALLENGE_LENGTH)
    if (!plaintext.subarray(CHALLENGE_LENGTH, 2 * CHALLENGE_LENGTH).equals(rndIcc)) return status(SW.authenticationFailed)
    const kIcc = Buffer.from(random(KEY_LENGTH))
    const bac = deriveBacSession(plaintext.subarray(2 * CHALLENGE_LENGTH), kIcc, rndIcc, rndIfd)
    session = new SecureMessagingChannel(des3SecureMessagingCipher(bac.keys), bac.ssc)
    return status(SW.success, sealAuthenticationMessage(accessKeys, Buffer.concat([rndIcc, rndIfd, kIcc])))
  }

  function handlePlain(command: CommandApdu): Buffer {
    // A plain command ends secure messaging, as on a real card.
    session = undefined
    // GENERAL AUTHENTICATE chains its first three steps.
    const chained = command.cla === CHAINING_CLA && command.ins === INS.generalAuthenticate
    if (command.cla !== 0x00 && !chained) return status(SW.claNotSupported)
    if (command.ins === INS.select) return selectPlain(command)
    if (command.ins === INS.getChallenge) return getChallenge(command)
    if (command.ins === INS.externalAuthenticate) return externalAuthenticate(command)
    if (command.ins === INS.readBinary) return readBinaryPlain(command)
    if (command.ins === INS.manageSecurityEnvironment) return status(paceCard?.manageSecurityEnvironment(command) ?? SW.insNotSupported)
    if (command.ins === INS.generalAuthenticate) return generalAuthenticate(command)
    return status(SW.insNotSupported)
  }

  function selectProtected({ p1, data }: CommandApdu): ResponseApdu {
    // After PACE the terminal selects the application under secure messaging.
    if (p1 === SELECT_BY.dfName) {
      if (!data || !EMRTD_AID.equals(data)) return { data: EMPTY, sw: SW.fileNotFound }
      applicationSelected = true
      selectedFile = undefined
      return { data: EMPTY, sw: SW.success }
    }
    if (p1 !== SELECT_BY.elementaryFile) return { data: Buffer.alloc(0), sw: SW.wrongParameters }
    if (data?.length !== 2) return { data: Buffer.alloc(0), sw: SW.wrongLength }
    if (!applicationSelected) return { data: EMPTY, sw: SW.fileNotFound }
    const fileId = Buffer.from(data).readUInt16BE(0)
    if (restrictedFileIds.has(fileId)) return { data: Buffer.alloc(0), sw: SW.securityStatusNotSatisfied }
    const file = files.get(fileId)
    if (!file) return { data: Buffer.alloc(0), sw: SW.fileNotFound }
    selectedFile = file
    return { data: Buffer.alloc(0), sw: SW.success }
  }

  function readBinaryProtected({ p1, p2, ne }: CommandApdu): ResponseApdu {
    const empty = Buffer.alloc(0)
    if (!selectedFile) return { data: empty, sw: SW.conditionsNotSatisfied }
    // P1 bit 8 would address a file by short identifier, which the reader does not use.
    if ((p1 & SHORT_FILE_ID_FLAG) !== 0) return { data: empty, sw: SW.wrongParameters }
    return readFrom(selectedFile, (p1 << 8) | p2, ne)
  }

  /** Signs the terminal's challenge with the DG15 key: plain ECDSA (r || s) over SHA-256, as DG14 says. */
  function internalAuthenticate({ data }: CommandApdu): ResponseApdu {
    if (!activeAuthenticationKeys) return { data: EMPTY, sw: SW.insNotSupported }
    if (data?.length !== ACTIVE_AUTHENTICATION_CHALLENGE_LENGTH) return { data: EMPTY, sw: SW.wrongLength }
    const signature = sign('sha256', data, { key: activeAuthenticationKeys.privateKey, dsaEncoding: 'ieee-p1363' })
    return { data: options.tamper === 'activeAuthentication' ? flipLastByte(signature) : signature, sw: SW.success }
  }

  function handleProtected(apdu: Uint8Array, channel: SecureMessagingChannel): Buffer {
    let command: CommandApdu
    try {
      command = channel.unprotectCommand(apdu)
    } catch (error) {
      if (!(error instanceof SecureMessagingError)) throw error
      // An SM error ends the session; the answer goes in plain.
      session = undefined
      return status(SW.smDataObjectsIncorrect)
    }
    const handlers: Partial<Record<number, (command: CommandApdu) => ResponseApdu>> = {
      [INS.select]: selectProtected,
      [INS.readBinary]: readBinaryProtected,
      [INS.internalAuthenticate]: internalAuthenticate,
    }
    const response = handlers[command.ins]?.(command) ?? { data: EMPTY, sw: SW.insNotSupported }
    if (options.plainErrors && response.sw !== SW.success && response.data.length === 0 && (command.ins === INS.select || command.ins === INS.readBinary)) {
      session = undefined
      return status(response.sw)
    }
    return channel.protectResponse(response)
  }

  function transmit(apdu: Uint8Array): Buffer {
    let command: CommandApdu
    try {
      command = decodeCommandApdu(apdu)
    } catch (error) {
      if (!(error instanceof ApduError)) throw error
      return status(SW.wrongLength)
    }
    if (isExtendedApdu(apdu) && !extendedLength) return status(SW.wrongLength)
    if ((command.cla & SECURE_MESSAGING_CLA) !== SECURE_MESSAGING_CLA) return handlePlain(command)
    return session ? handleProtected(apdu, session) : status(SW.securityStatusNotSatisfied)
  }

  return { transmit, csca: pki.csca, reset }
}
