import { bytes } from './appendix-d'

/**
 * ICAO Doc 9303 Part 11 Appendix G.1, the worked example of PACE with ECDH generic mapping on brainpoolP256r1 and
 * AES-128 (MRZ password of document T22000129). The ICAO document itself is not in the team's data; these values
 * are as two independent public test suites reproduce it (a Java PACE library's IcaoAppendixG1PaceTest and a
 * TypeScript reader's access-control tests), which agree on every value. Responses include their status word.
 */
export const APPENDIX_G1 = {
  mrz: { documentNumber: 'T22000129', dateOfBirth: '640812', dateOfExpiry: '101031' },
  /** K = SHA-1 of the MRZ information. */
  passwordSeed: '7E2D2A41C74EA0B38CD36F863939BFA8E9032AAD',
  kPi: '89DED1B26624EC1E634C1989302849DD',
  encryptedNonce: '95A3A016522EE98D01E76CB6B98B42C3',
  nonce: '3F00C4D39D153F2B2A214A078D899B22',
  terminalMappingPrivateKey: '7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99',
  terminalMappingPublicKey:
    '047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D',
  chipMappingPublicKey:
    '04824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54',
  h: '0460332EF2450B5D247EF6D3868397D398852ED6E8CAF6FFEEF6BF85CA57057FD50840CA7415BAF3E43BD414D35AA4608B93A2CAF3A4E3EA4E82C9C13D03EB7181',
  mappedGenerator:
    '048CED63C91426D4F0EB1435E7CB1D74A46723A0AF21C89634F65A9AE87A9265E28C879506743F8611AC33645C5B985C80B5F09A0B83407C1B6A4D857AE76FE522',
  terminalAgreementPrivateKey: 'A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595',
  terminalAgreementPublicKey:
    '042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB36462',
  chipAgreementPublicKey:
    '049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094',
  sharedSecret: '28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925',
  ksEnc: 'F5F0E35C0D7161EE6724EE513A0D9A7F',
  ksMac: 'FE251C7858B356B24514B3BD5F4297D1',
  terminalToken: 'C2B0BD78D94BA866',
  chipToken: '3ABB9674BCE93C08',
  /** EF.CardAccess: one PACEInfo, id-PACE-ECDH-GM-AES-CBC-CMAC-128, version 2, parameterId 13. */
  cardAccess: '31143012060A04007F0007020204020202010202010D',
  protocol: '0.4.0.127.0.7.2.2.4.2.2',
} as const

/** The exchange as commands and the chip's answers, MSE:Set AT with parameter id 84 0D. */
export const APPENDIX_G1_APDUS: readonly (readonly [string, string])[] = [
  ['0022C1A412800A04007F0007020204020283010184010D', '9000'],
  ['10860000027C0000', `7C128010${APPENDIX_G1.encryptedNonce}9000`],
  [`10860000457C438141${APPENDIX_G1.terminalMappingPublicKey}00`, `7C438241${APPENDIX_G1.chipMappingPublicKey}9000`],
  [`10860000457C438341${APPENDIX_G1.terminalAgreementPublicKey}00`, `7C438441${APPENDIX_G1.chipAgreementPublicKey}9000`],
  [`008600000C7C0A8508${APPENDIX_G1.terminalToken}00`, `7C0A8608${APPENDIX_G1.chipToken}9000`],
]

/**
 * The first command under the G.1 session keys: SELECT of the eMRTD application with SSC 0 -> 1, and the chip's
 * answer. Single source (the Java library's AES secure messaging vectors), not in the ICAO example itself.
 */
export const APPENDIX_G1_SELECT_APPLICATION = {
  command: '0CA4040C1D871101752F676B09FAC86A87D632749A49C7CC8E08C18BA1FCE707BD9F00',
  response: '990290008E08BEA7B381C494A0799000',
}

/** Random bytes that make the terminal draw the example's two ephemeral private keys, in order. */
export function appendixG1Random(): (length: number) => Uint8Array {
  const keys = [APPENDIX_G1.terminalMappingPrivateKey, APPENDIX_G1.terminalAgreementPrivateKey]
  return (length) => {
    const next = keys.shift()
    if (!next || length !== 32) throw new Error(`the example has no more random bytes (asked for ${length})`)
    return bytes(next)
  }
}
