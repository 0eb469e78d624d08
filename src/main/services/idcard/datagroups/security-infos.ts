import type { Tlv } from '../icao/tlv'
import { DataGroupError, constructedChildren, dataGroupTag, decodeFile, readOid, readSmallInteger } from './lds'

/**
 * SecurityInfos (ICAO 9303 Part 11, 9.2): the SET of protocol descriptions in EF.CardAccess (read in the clear,
 * before any access control) and in DG14. Only the two this reader uses are kept: PACEInfo and
 * ActiveAuthenticationInfo; the others (chip authentication, terminal authentication...) are skipped.
 */

export const EF_CARD_ACCESS = { fileId: 0x011c, shortFileId: 0x1c, tag: 0x31 } as const

export const SECURITY_INFO_OID = {
  /** id-PACE; the protocol OIDs below it name the key agreement, mapping and cipher. */
  pace: '0.4.0.127.0.7.2.2.4',
  activeAuthentication: '2.23.136.1.1.5',
} as const

export interface PaceInfo {
  /** e.g. 0.4.0.127.0.7.2.2.4.2.2, id-PACE-ECDH-GM-AES-CBC-CMAC-128. */
  protocol: string
  version: number
  /** The standardized domain parameters (Part 11, 9.5.1: 12 NIST P-256, 13 brainpoolP256r1...); absent when the card gives its own. */
  parameterId?: number
}

export interface ActiveAuthenticationInfo {
  /** The signature algorithm of Active Authentication with ECDSA, e.g. ecdsa-plain-SHA256. */
  signatureAlgorithm: string
}

export interface SecurityInfos {
  pace: PaceInfo[]
  activeAuthentication?: ActiveAuthenticationInfo
}

const ASN1_INTEGER = 0x02
const ASN1_OID = 0x06

function parseSecurityInfoSet(set: Tlv, name: string): SecurityInfos {
  const infos: SecurityInfos = { pace: [] }
  for (const info of constructedChildren(set, name)) {
    const [protocolNode, required, optional] = constructedChildren(info, `${name} SecurityInfo`)
    const protocol = readOid(protocolNode, `${name} protocol`)
    if (protocol.startsWith(`${SECURITY_INFO_OID.pace}.`)) {
      // A PACEDomainParameterInfo shares the prefix but carries a SEQUENCE, not a version: not a PACEInfo.
      if (required?.tag !== ASN1_INTEGER) continue
      const parameterId = optional?.tag === ASN1_INTEGER ? readSmallInteger(optional, `${name} PACE parameterId`) : undefined
      infos.pace.push({ protocol, version: readSmallInteger(required, `${name} PACE version`), ...(parameterId !== undefined && { parameterId }) })
    } else if (protocol === SECURITY_INFO_OID.activeAuthentication && optional?.tag === ASN1_OID) {
      infos.activeAuthentication = { signatureAlgorithm: readOid(optional, `${name} Active Authentication algorithm`) }
    }
  }
  return infos
}

/** EF.CardAccess: the bare SET. */
export function parseCardAccess(bytes: Uint8Array): SecurityInfos {
  return parseSecurityInfoSet(decodeFile(bytes, EF_CARD_ACCESS.tag, 'EF.CardAccess'), 'EF.CardAccess')
}

/** DG14: the same SET inside tag 6E. */
export function parseDg14(bytes: Uint8Array): SecurityInfos {
  const file = decodeFile(bytes, dataGroupTag(14), 'DG14')
  const set = file.children[0]
  if (set?.tag !== EF_CARD_ACCESS.tag) throw new DataGroupError('malformed', 'DG14 does not hold a SET of SecurityInfos')
  return parseSecurityInfoSet(set, 'DG14')
}
