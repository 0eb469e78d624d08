import type { CommandApdu, ResponseApdu } from '../icao/apdu'
import type { RandomSource } from '../icao/bac'
import { encodePoint, type Point } from '../icao/elliptic-curve'
import type { BacMrzFields } from '../icao/mrz'
import {
  AUTHENTICATION_DATA,
  MSE_SET_AT,
  MSE_TAGS,
  NONCE_REQUEST,
  PASSWORD_REFERENCE,
  PaceError,
  authenticationDataObject,
  authenticationDataTemplate,
  authenticationToken,
  decodePublicKey,
  encryptNonce,
  generateEphemeralKey,
  mapGenerator,
  mappingPoint,
  oidBytes,
  passwordKey,
  sessionKeysFrom,
  sharedSecret,
  tokensMatch,
  PACE_SSC_LENGTH,
  type PacePassword,
  type PaceParameters,
  type PaceSession,
} from '../icao/pace'
import { SW } from '../icao/status-words'
import { TlvError, decodeTlvList } from '../icao/tlv'

/**
 * The chip's side of PACE for the card emulator: MSE:Set AT picks the password (MRZ or CAN), then the four GENERAL
 * AUTHENTICATE steps in order. Any error sends the card back to the start, as a real chip does.
 */

export interface PaceCardOptions {
  parameters: PaceParameters
  mrz: BacMrzFields
  /** Without it the card refuses PACE with the CAN (6A88). */
  can?: string
  random: RandomSource
}

export interface PaceCard {
  manageSecurityEnvironment(command: CommandApdu): number
  /** The answer; with the session once the terminal's token has verified. */
  generalAuthenticate(command: CommandApdu): { response: ResponseApdu; session?: PaceSession }
  reset(): void
}

const NONCE_LENGTH = 16

type Progress =
  | { step: 'idle' }
  | { step: 'nonce'; password: PacePassword }
  | { step: 'map'; password: PacePassword; nonce: Buffer }
  | { step: 'agree'; generator: Point }
  | { step: 'token'; keys: PaceSession['keys']; terminalKey: Buffer; chipKey: Buffer }

export function createPaceCard(options: PaceCardOptions): PaceCard {
  const { parameters, random } = options
  const { curve, protocol, keyLength } = parameters
  let progress: Progress = { step: 'idle' }
  const answer = (sw: number, data: Buffer = Buffer.alloc(0)) => ({ response: { data, sw } })

  function manageSecurityEnvironment({ p1, p2, data }: CommandApdu): number {
    progress = { step: 'idle' }
    if (p1 !== MSE_SET_AT.p1 || p2 !== MSE_SET_AT.p2) return SW.wrongParameters
    let objects
    try {
      objects = new Map(decodeTlvList(data ?? Buffer.alloc(0), { maxDepth: 1 }).map((object) => [object.tag, object.value]))
    } catch (error) {
      if (!(error instanceof TlvError)) throw error
      return SW.wrongData
    }
    const parameterId = objects.get(MSE_TAGS.parameterId)
    if (!objects.get(MSE_TAGS.protocol)?.equals(oidBytes(protocol))) return SW.wrongData
    if (parameterId && !parameterId.equals(Buffer.from([parameters.parameterId]))) return SW.wrongData
    const reference = objects.get(MSE_TAGS.passwordReference)
    if (reference?.length !== 1) return SW.wrongData
    if (reference[0] === PASSWORD_REFERENCE.mrz) progress = { step: 'nonce', password: { mrz: options.mrz } }
    else if (reference[0] === PASSWORD_REFERENCE.can && options.can !== undefined) progress = { step: 'nonce', password: { can: options.can } }
    else return SW.referencedDataNotFound
    return SW.success
  }

  function step(data: Uint8Array, current: Progress): { response: ResponseApdu; session?: PaceSession } {
    const object = (tag: number) => authenticationDataObject(data, tag, 'GENERAL AUTHENTICATE')
    switch (current.step) {
      case 'idle':
        return answer(SW.conditionsNotSatisfied)
      case 'nonce': {
        // The first step asks with an empty template, 7C 00.
        if (!NONCE_REQUEST.equals(data)) return answer(SW.wrongData)
        const nonce = Buffer.from(random(NONCE_LENGTH))
        progress = { step: 'map', password: current.password, nonce }
        return answer(SW.success, authenticationDataTemplate(AUTHENTICATION_DATA.encryptedNonce, encryptNonce(passwordKey(current.password, keyLength), nonce)))
      }
      case 'map': {
        const terminalMapping = decodePublicKey(curve, object(AUTHENTICATION_DATA.terminalMappingKey), "the terminal's mapping key")
        const mapping = generateEphemeralKey(curve, curve.g, random)
        progress = { step: 'agree', generator: mapGenerator(curve, current.nonce, mappingPoint(curve, mapping.privateKey, terminalMapping)) }
        return answer(SW.success, authenticationDataTemplate(AUTHENTICATION_DATA.chipMappingKey, encodePoint(curve, mapping.publicKey)))
      }
      case 'agree': {
        const terminalKey = object(AUTHENTICATION_DATA.terminalAgreementKey)
        const terminalPoint = decodePublicKey(curve, terminalKey, "the terminal's ephemeral key")
        const agreement = generateEphemeralKey(curve, current.generator, random)
        const chipKey = encodePoint(curve, agreement.publicKey)
        if (chipKey.equals(terminalKey)) return answer(SW.wrongData)
        const keys = sessionKeysFrom(sharedSecret(curve, agreement.privateKey, terminalPoint), keyLength)
        progress = { step: 'token', keys, terminalKey, chipKey }
        return answer(SW.success, authenticationDataTemplate(AUTHENTICATION_DATA.chipAgreementKey, chipKey))
      }
      case 'token': {
        // The terminal's token proves it knew the password: a wrong one ends here, with 6300.
        if (!tokensMatch(authenticationToken(current.keys.mac, protocol, current.chipKey), object(AUTHENTICATION_DATA.terminalToken))) {
          return answer(SW.authenticationFailed)
        }
        const token = authenticationToken(current.keys.mac, protocol, current.terminalKey)
        return { ...answer(SW.success, authenticationDataTemplate(AUTHENTICATION_DATA.chipToken, token)), session: { keys: current.keys, ssc: Buffer.alloc(PACE_SSC_LENGTH) } }
      }
    }
  }

  function generalAuthenticate({ p1, p2, data }: CommandApdu): { response: ResponseApdu; session?: PaceSession } {
    const current = progress
    // Whatever happens, a step is used once; the next one is set only when this one succeeds.
    progress = { step: 'idle' }
    if (p1 !== 0x00 || p2 !== 0x00) return answer(SW.wrongParameters)
    try {
      return step(data ?? Buffer.alloc(0), current)
    } catch (error) {
      if (!(error instanceof PaceError)) throw error
      return answer(SW.wrongData)
    }
  }

  return { manageSecurityEnvironment, generalAuthenticate, reset: () => void (progress = { step: 'idle' }) }
}
