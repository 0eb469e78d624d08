import { generateKeyPairSync, randomBytes, type X509Certificate } from 'node:crypto'
import { EF_COM, EF_SOD, EMRTD_AID, dataGroupFileId } from '../datagroups/lds'
import { ApduError, decodeCommandApdu, type CommandApdu, type ResponseApdu } from '../icao/apdu'
import { BacError, deriveBacKeys, deriveBacSession, openAuthenticationMessage, sealAuthenticationMessage, type RandomSource } from '../icao/bac'
import { bacMrzInformation, parseMrz } from '../icao/mrz'
import { SecureMessagingChannel, SecureMessagingError, des3SecureMessagingCipher } from '../icao/secure-messaging'
import { encodeTlv } from '../icao/tlv'
import { buildDg1, buildDg13, buildDg2, buildEfCom, buildSod } from './lds-builder'
import type { CardProfile } from './profile'
import { createTestPki, type DocumentSignerPki } from './test-pki'
import { SW } from '../icao/status-words'

/**
 * A Vietnamese chip ID card in software: the eMRTD application with BAC and 3DES secure messaging, answering APDUs
 * with the status words a real card uses, so the reader can be tested (and demonstrated through vpcd) without one.
 */

export interface CardEmulatorOptions {
  /** Signs the SOD; a fresh ECDSA test PKI by default. */
  pki?: DocumentSignerPki
  /** Serve a DG13 changed after signing, or an SOD with a broken signature. */
  tamper?: 'dg13' | 'sod'
  /** The largest READ BINARY the card answers; above it, 6700. Real cards and readers cap it. */
  maxReadLength?: number
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

const INS = { select: 0xa4, getChallenge: 0x84, externalAuthenticate: 0x82, readBinary: 0xb0 } as const
const SELECT_BY = { masterFile: 0x00, elementaryFile: 0x02, dfName: 0x04 } as const
const SECURE_MESSAGING_CLA = 0x0c
const CHALLENGE_LENGTH = 8
const AUTHENTICATION_DATA_LENGTH = 40
const KEY_LENGTH = 16
// DG3 (fingerprints) is listed but needs Extended Access Control, which this card, like the reader, does not do.
const RESTRICTED_DATA_GROUP = 3
const LISTED_DATA_GROUPS = [1, 2, 3, 13, 15]
const DEFAULT_MAX_READ_LENGTH = 65536

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

/** The card's files by file identifier, the SOD computed over the untampered data groups. */
function buildFiles(profile: CardProfile, pki: DocumentSignerPki, tamper: CardEmulatorOptions['tamper']): Map<number, Buffer> {
  // DG15 carries an Active Authentication key; the emulator does not answer INTERNAL AUTHENTICATE, real cards do.
  const activeAuthenticationKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' })
  const dataGroups = new Map<number, Buffer>([
    [1, buildDg1(profile.mrz)],
    [2, buildDg2(profile.face)],
    [13, buildDg13(profile.dg13)],
    [15, encodeTlv(0x6f, activeAuthenticationKey)],
  ])
  const sod = buildSod(dataGroups, pki)
  const files = new Map<number, Buffer>([
    [EF_COM.fileId, buildEfCom(LISTED_DATA_GROUPS)],
    [EF_SOD.fileId, tamper === 'sod' ? flipLastByte(sod) : sod],
  ])
  for (const [dataGroup, bytes] of dataGroups) {
    files.set(dataGroupFileId(dataGroup), tamper === 'dg13' && dataGroup === 13 ? flipLastByte(bytes) : bytes)
  }
  return files
}

export function createCardEmulator(profile: CardProfile, options: CardEmulatorOptions = {}): CardEmulator {
  const pki = options.pki ?? createTestPki()
  const random = options.random ?? randomBytes
  const maxReadLength = options.maxReadLength ?? DEFAULT_MAX_READ_LENGTH
  const extendedLength = options.extendedLength ?? true
  const files = buildFiles(profile, pki, options.tamper)
  const accessKeys = deriveBacKeys(bacMrzInformation(parseMrz(profile.mrz.join('\n'))))

  let applicationSelected = false
  let challenge: Buffer | undefined
  let session: SecureMessagingChannel | undefined
  let selectedFile: Buffer | undefined

  function reset(): void {
    applicationSelected = false
    challenge = undefined
    session = undefined
    selectedFile = undefined
  }

  function selectPlain({ p1, data }: CommandApdu): Buffer {
    if (p1 === SELECT_BY.dfName) {
      if (!data || !EMRTD_AID.equals(data)) return status(SW.fileNotFound)
      reset()
      applicationSelected = true
      return status(SW.success)
    }
    // Vietnamese cards answer SELECT MF with 6D00; files need BAC first (this card offers no EF.CardAccess).
    if (p1 === SELECT_BY.masterFile) return status(SW.insNotSupported)
    if (p1 !== SELECT_BY.elementaryFile) return status(SW.wrongParameters)
    if (data?.length !== 2) return status(SW.wrongLength)
    return status(files.has(Buffer.from(data).readUInt16BE(0)) ? SW.securityStatusNotSatisfied : SW.fileNotFound)
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
    if (command.cla !== 0x00) return status(SW.claNotSupported)
    if (command.ins === INS.select) return selectPlain(command)
    if (command.ins === INS.getChallenge) return getChallenge(command)
    if (command.ins === INS.externalAuthenticate) return externalAuthenticate(command)
    if (command.ins === INS.readBinary) return status(applicationSelected ? SW.securityStatusNotSatisfied : SW.conditionsNotSatisfied)
    return status(SW.insNotSupported)
  }

  function selectProtected({ p1, data }: CommandApdu): ResponseApdu {
    if (p1 !== SELECT_BY.elementaryFile) return { data: Buffer.alloc(0), sw: SW.wrongParameters }
    if (data?.length !== 2) return { data: Buffer.alloc(0), sw: SW.wrongLength }
    const fileId = Buffer.from(data).readUInt16BE(0)
    if (fileId === dataGroupFileId(RESTRICTED_DATA_GROUP)) return { data: Buffer.alloc(0), sw: SW.securityStatusNotSatisfied }
    const file = files.get(fileId)
    if (!file) return { data: Buffer.alloc(0), sw: SW.fileNotFound }
    selectedFile = file
    return { data: Buffer.alloc(0), sw: SW.success }
  }

  function readBinaryProtected({ p1, p2, ne }: CommandApdu): ResponseApdu {
    const empty = Buffer.alloc(0)
    if (!selectedFile) return { data: empty, sw: SW.conditionsNotSatisfied }
    // P1 bit 8 would address a file by short identifier, which the reader does not use.
    if ((p1 & 0x80) !== 0) return { data: empty, sw: SW.wrongParameters }
    if (ne === undefined || ne > maxReadLength) return { data: empty, sw: SW.wrongLength }
    const offset = (p1 << 8) | p2
    if (offset >= selectedFile.length) return { data: empty, sw: SW.wrongParameters }
    const data = selectedFile.subarray(offset, offset + ne)
    return { data, sw: data.length < ne ? SW.endOfFile : SW.success }
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
    const notSupported = { data: Buffer.alloc(0), sw: SW.insNotSupported }
    const response =
      command.ins === INS.select ? selectProtected(command) : command.ins === INS.readBinary ? readBinaryProtected(command) : notSupported
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
    const extended = apdu.length > 5 && apdu[4] === 0x00
    if (extended && !extendedLength) return status(SW.wrongLength)
    if ((command.cla & SECURE_MESSAGING_CLA) !== SECURE_MESSAGING_CLA) return handlePlain(command)
    return session ? handleProtected(apdu, session) : status(SW.securityStatusNotSatisfied)
  }

  return { transmit, csca: pki.csca, reset }
}
