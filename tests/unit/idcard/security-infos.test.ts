import { describe, expect, it } from 'vitest'
import { DataGroupError } from '../../../src/main/services/idcard/datagroups/lds'
import { parseCardAccess, parseDg14 } from '../../../src/main/services/idcard/datagroups/security-infos'
import { buildDg14, buildSecurityInfos } from '../../../src/main/services/idcard/emulator/lds-builder'
import { bytes } from './appendix-d'

const PACE_128 = { protocol: '0.4.0.127.0.7.2.2.4.2.2', version: 2, parameterId: 13 }

describe('SecurityInfos', () => {
  it('reads back what the emulator writes: PACEInfos in EF.CardAccess, ActiveAuthenticationInfo in DG14', () => {
    const infos = { pace: [PACE_128, { protocol: '0.4.0.127.0.7.2.2.4.2.4', version: 2 }], activeAuthentication: { signatureAlgorithm: '0.4.0.127.0.7.1.1.4.1.3' } }
    expect(parseCardAccess(buildSecurityInfos(infos))).toEqual(infos)
    expect(parseDg14(buildDg14(infos))).toEqual(infos)
  })

  it('skips what it does not use: chip authentication, PACE domain parameters given by the card', () => {
    // ChipAuthenticationInfo (id-CA-ECDH-AES-CBC-CMAC-128, version 1), then PACEDomainParameterInfo (a SEQUENCE where the version would be).
    const chipAuthentication = '300F060A04007F00070202030202020101'
    const domainParameters = '3010060904007F0007020204023003020101'
    const set = Buffer.concat([bytes(chipAuthentication), bytes(domainParameters)])
    expect(parseCardAccess(Buffer.concat([Buffer.from([0x31, set.length]), set]))).toEqual({ pace: [] })
  })

  it.each([
    ['not a SET', '3000'],
    ['a SecurityInfo without an OID', '310430020201'],
    ['a PACEInfo with a negative version', '3111300F060A04007F000702020402020201FF'],
    ['a truncated file', '3114301206'],
  ])('refuses %s with a DataGroupError', (_case, hex) => {
    expect(() => parseCardAccess(bytes(hex))).toThrow(DataGroupError)
  })

  it('refuses a DG14 without its SET', () => {
    expect(() => parseDg14(bytes('6E03020101'))).toThrow(DataGroupError)
  })
})
