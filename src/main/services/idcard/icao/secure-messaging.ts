import { timingSafeEqual } from 'node:crypto'
import {
  ApduError,
  decodeCommandApdu,
  decodeLe,
  encodeCommandApdu,
  encodeLe,
  needsExtendedLength,
  type CommandApdu,
  type ResponseApdu,
} from './apdu'
import {
  AES_BLOCK_SIZE,
  DES3_KEY_LENGTH,
  DES_BLOCK_SIZE,
  aesCbcDecrypt,
  aesCbcEncrypt,
  aesCmac,
  aesEncryptBlock,
  padIso9797Method2,
  retailMac,
  tripleDesCbcDecrypt,
  tripleDesCbcEncrypt,
  unpadIso9797Method2,
  type CipherKeys,
} from './block-cipher'
import { IcaoError } from './errors'
import { SW, formatStatusWord } from './status-words'
import { TlvError, decodeTlvList, encodeTlv, type Tlv } from './tlv'

/**
 * Secure messaging, ICAO 9303 Part 11 section 9.8. The terminal protects commands and unprotects responses;
 * a card (the emulator) does the reverse with the same channel class, so both sides share one MAC and cipher core.
 */

export type SecureMessagingErrorCode =
  | 'invalidKey'
  | 'truncated'
  | 'malformed'
  | 'unexpectedDataObject'
  | 'missingMac'
  | 'missingStatus'
  | 'wrongMac'
  | 'badPadding'
  | 'unprotectedStatus'

export class SecureMessagingError extends IcaoError<SecureMessagingErrorCode> {
  constructor(
    code: SecureMessagingErrorCode,
    message: string,
    /** For 'unprotectedStatus': the status word the card sent without secure messaging. */
    readonly statusWord?: number,
    options?: ErrorOptions,
  ) {
    super(code, message, options)
  }
}

/** The cipher-specific half of secure messaging: 3DES after BAC, AES after PACE. */
export interface SecureMessagingCipher {
  readonly blockSize: number
  /** Encrypts whole blocks; the IV may depend on the send sequence counter (it does for AES). */
  encrypt(ssc: Buffer, data: Uint8Array): Buffer
  decrypt(ssc: Buffer, data: Uint8Array): Buffer
  /** The MAC over data, applying the algorithm's own padding. */
  mac(data: Uint8Array): Buffer
}

/** 3DES secure messaging: CBC with a zero IV, retail MAC (ICAO 9303 Part 11, 9.8.6.1). */
export function des3SecureMessagingCipher(keys: CipherKeys): SecureMessagingCipher {
  if (keys.encryption.length !== DES3_KEY_LENGTH || keys.mac.length !== DES3_KEY_LENGTH) {
    throw new SecureMessagingError('invalidKey', `3DES session keys must be ${DES3_KEY_LENGTH} bytes`)
  }
  return {
    blockSize: DES_BLOCK_SIZE,
    encrypt: (_ssc, data) => tripleDesCbcEncrypt(keys.encryption, data),
    decrypt: (_ssc, data) => tripleDesCbcDecrypt(keys.encryption, data),
    mac: (data) => retailMac(keys.mac, data),
  }
}

const AES_MAC_LENGTH = 8

/**
 * AES secure messaging (ICAO 9303 Part 11, 9.8.6.2): CBC with IV = E(KS_enc, SSC) over the 16-byte SSC, and
 * CMAC over the padded data, truncated to 8 bytes.
 */
export function aesSecureMessagingCipher(keys: CipherKeys): SecureMessagingCipher {
  if (keys.encryption.length !== keys.mac.length || ![16, 24, 32].includes(keys.encryption.length)) {
    throw new SecureMessagingError('invalidKey', 'AES session keys must both be 16, 24 or 32 bytes')
  }
  return {
    blockSize: AES_BLOCK_SIZE,
    encrypt: (ssc, data) => aesCbcEncrypt(keys.encryption, data, aesEncryptBlock(keys.encryption, ssc)),
    decrypt: (ssc, data) => aesCbcDecrypt(keys.encryption, data, aesEncryptBlock(keys.encryption, ssc)),
    mac: (data) => aesCmac(keys.mac, padIso9797Method2(data, AES_BLOCK_SIZE)).subarray(0, AES_MAC_LENGTH),
  }
}

const DO_ENCRYPTED_DATA = 0x87
const DO_EXPECTED_LENGTH = 0x97
const DO_STATUS_WORD = 0x99
const DO_MAC = 0x8e
// DO'87' starts with a padding-content indicator; 01 means ISO 9797-1 method 2.
const PADDING_INDICATOR = 0x01
// CLA bits b4 b3 = 11: secure messaging with the command header authenticated.
export const SECURE_MESSAGING_CLA = 0x0c
const STATUS_WORD_LENGTH = 2
// Le 00 (0000 when extended): the card may return the whole protected response, whatever its size.
const MAXIMUM_NE = { short: 256, extended: 65536 }

function decodeDataObjects(bytes: Buffer): Tlv[] {
  try {
    // Secure messaging data objects are all primitive, hence one level.
    return decodeTlvList(bytes, { maxDepth: 1 })
  } catch (error) {
    if (!(error instanceof TlvError)) throw error
    throw new SecureMessagingError(error.code === 'truncated' ? 'truncated' : 'malformed', `data objects: ${error.message}`, undefined, {
      cause: error,
    })
  }
}

/** Matches the data objects against the tags in the order ICAO prescribes, each optional; anything else is an error. */
function pickInOrder(objects: readonly Tlv[], order: readonly number[]): (Tlv | undefined)[] {
  let next = 0
  const picked = order.map((tag) => (objects[next]?.tag === tag ? objects[next++] : undefined))
  const unexpected = objects[next]
  if (unexpected) throw new SecureMessagingError('unexpectedDataObject', `unexpected data object ${unexpected.tag.toString(16)}`)
  return picked
}

/**
 * One secure messaging session. Every message increments the send sequence counter first, so a command and its
 * response must go through the same instance in order; after any error the session is unusable (the card drops
 * it too) and a new authentication is needed.
 */
export class SecureMessagingChannel {
  private readonly ssc: Buffer

  constructor(
    private readonly cipher: SecureMessagingCipher,
    initialSsc: Uint8Array,
  ) {
    this.ssc = Buffer.from(initialSsc)
  }

  get sendSequenceCounter(): Buffer {
    return Buffer.from(this.ssc)
  }

  /** Wraps a plain command: data in DO'87', Ne in DO'97', a MAC over header and both in DO'8E'. */
  protectCommand(command: CommandApdu): Buffer {
    const ssc = this.nextSsc()
    const cla = command.cla | SECURE_MESSAGING_CLA
    const header = Buffer.from([cla, command.ins, command.p1, command.p2])
    const dataObjects: Buffer[] = []
    if (command.data && command.data.length > 0) dataObjects.push(this.encryptedDataObject(ssc, command.data))
    if (command.ne !== undefined) dataObjects.push(encodeTlv(DO_EXPECTED_LENGTH, encodeLe(command.ne)))
    const mac = this.mac(ssc, [padIso9797Method2(header, this.cipher.blockSize), ...dataObjects])
    const data = Buffer.concat([...dataObjects, encodeTlv(DO_MAC, mac)])
    const extended = needsExtendedLength(data.length, command.ne)
    return encodeCommandApdu({ ...command, cla, data, ne: extended ? MAXIMUM_NE.extended : MAXIMUM_NE.short })
  }

  /** Verifies and decrypts a protected response: [DO'87'] DO'99' DO'8E', then the card's status word. */
  unprotectResponse(response: Uint8Array): ResponseApdu {
    const ssc = this.nextSsc()
    if (response.length < STATUS_WORD_LENGTH) throw new SecureMessagingError('truncated', 'response is shorter than a status word')
    const bytes = Buffer.from(response)
    const body = bytes.subarray(0, -STATUS_WORD_LENGTH)
    const outerStatusWord = bytes.readUInt16BE(body.length)
    // Cards report errors such as 6982 or 6988 in plain, without data objects.
    if (body.length === 0) {
      if (outerStatusWord === SW.success) throw new SecureMessagingError('missingMac', 'response 9000 carries no data objects')
      const message = `card answered ${formatStatusWord(outerStatusWord)} without secure messaging`
      throw new SecureMessagingError('unprotectedStatus', message, outerStatusWord)
    }
    const [encrypted, status, mac] = pickInOrder(decodeDataObjects(body), [DO_ENCRYPTED_DATA, DO_STATUS_WORD, DO_MAC])
    if (!mac) throw new SecureMessagingError('missingMac', "response has no DO'8E'")
    if (!status) throw new SecureMessagingError('missingStatus', "response has no DO'99'")
    // DO'8E' comes last, so the MAC covers every byte of the body before it.
    this.verifyMac(ssc, body.subarray(0, body.length - mac.encoded.length), mac.value)
    if (status.value.length !== STATUS_WORD_LENGTH) throw new SecureMessagingError('malformed', "DO'99' is not two bytes")
    // The outer status word is not authenticated; DO'99' is what the card said.
    return { data: encrypted ? this.decryptDataObject(ssc, encrypted.value) : Buffer.alloc(0), sw: status.value.readUInt16BE(0) }
  }

  /** Card side: verifies and decrypts a protected command, giving back the plain command it stands for. */
  unprotectCommand(apdu: Uint8Array): CommandApdu {
    const ssc = this.nextSsc()
    let command: CommandApdu
    try {
      command = decodeCommandApdu(apdu)
    } catch (error) {
      if (!(error instanceof ApduError)) throw error
      throw new SecureMessagingError('malformed', `command: ${error.message}`, undefined, { cause: error })
    }
    const body = Buffer.from(command.data ?? [])
    const [encrypted, expectedLength, mac] = pickInOrder(decodeDataObjects(body), [DO_ENCRYPTED_DATA, DO_EXPECTED_LENGTH, DO_MAC])
    if (!mac) throw new SecureMessagingError('missingMac', "command has no DO'8E'")
    const header = Buffer.from([command.cla, command.ins, command.p1, command.p2])
    const covered = Buffer.concat([padIso9797Method2(header, this.cipher.blockSize), body.subarray(0, body.length - mac.encoded.length)])
    this.verifyMac(ssc, covered, mac.value)
    const plain: CommandApdu = { cla: command.cla & ~SECURE_MESSAGING_CLA, ins: command.ins, p1: command.p1, p2: command.p2 }
    if (encrypted) plain.data = this.decryptDataObject(ssc, encrypted.value)
    if (expectedLength) plain.ne = this.expectedLength(expectedLength.value)
    return plain
  }

  /** Card side: wraps a response as [DO'87'] DO'99' DO'8E' with the outer status word 9000. */
  protectResponse({ data, sw }: ResponseApdu): Buffer {
    const ssc = this.nextSsc()
    const dataObjects: Buffer[] = []
    if (data.length > 0) dataObjects.push(this.encryptedDataObject(ssc, data))
    const status = Buffer.alloc(STATUS_WORD_LENGTH)
    status.writeUInt16BE(sw)
    dataObjects.push(encodeTlv(DO_STATUS_WORD, status))
    const outerStatus = Buffer.alloc(STATUS_WORD_LENGTH)
    outerStatus.writeUInt16BE(SW.success)
    return Buffer.concat([...dataObjects, encodeTlv(DO_MAC, this.mac(ssc, dataObjects)), outerStatus])
  }

  private expectedLength(value: Buffer): number {
    try {
      return decodeLe(value)
    } catch (error) {
      if (!(error instanceof ApduError)) throw error
      throw new SecureMessagingError('malformed', `DO'97': ${error.message}`, undefined, { cause: error })
    }
  }

  private nextSsc(): Buffer {
    for (let index = this.ssc.length - 1; index >= 0; index -= 1) {
      const incremented = ((this.ssc[index] ?? 0) + 1) & 0xff
      this.ssc[index] = incremented
      if (incremented !== 0) break
    }
    return Buffer.from(this.ssc)
  }

  private mac(ssc: Buffer, parts: readonly Uint8Array[]): Buffer {
    return this.cipher.mac(Buffer.concat([ssc, ...parts]))
  }

  private verifyMac(ssc: Buffer, covered: Uint8Array, received: Uint8Array): void {
    const expected = this.mac(ssc, [covered])
    if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
      throw new SecureMessagingError('wrongMac', "DO'8E' does not match the data")
    }
  }

  private encryptedDataObject(ssc: Buffer, plaintext: Uint8Array): Buffer {
    const cryptogram = this.cipher.encrypt(ssc, padIso9797Method2(plaintext, this.cipher.blockSize))
    return encodeTlv(DO_ENCRYPTED_DATA, Buffer.concat([Buffer.from([PADDING_INDICATOR]), cryptogram]))
  }

  private decryptDataObject(ssc: Buffer, value: Buffer): Buffer {
    if (value[0] !== PADDING_INDICATOR) throw new SecureMessagingError('malformed', "DO'87' does not start with padding indicator 01")
    const cryptogram = value.subarray(1)
    if (cryptogram.length === 0 || cryptogram.length % this.cipher.blockSize !== 0) {
      throw new SecureMessagingError('malformed', `DO'87' holds ${cryptogram.length} bytes, not whole cipher blocks`)
    }
    const plaintext = unpadIso9797Method2(this.cipher.decrypt(ssc, cryptogram), this.cipher.blockSize)
    if (!plaintext) throw new SecureMessagingError('badPadding', "DO'87' plaintext is not padded with ISO 9797-1 method 2")
    return plaintext
  }
}
