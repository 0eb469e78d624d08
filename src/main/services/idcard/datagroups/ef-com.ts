import { EF_COM, childWithTag, dataGroupOfTag, decodeFile } from './lds'

export interface EfCom {
  /** e.g. "1.7" from 0107. */
  ldsVersion: string
  /** e.g. "4.0.0" from 040000. */
  unicodeVersion: string
  /** The data groups the chip holds, in the order EF.COM lists them. */
  dataGroups: number[]
}

export const EF_COM_TAGS = { ldsVersion: 0x5f01, unicodeVersion: 0x5f36, tagList: 0x5c } as const

/** Splits "0107" into "1.7" and "040000" into "4.0.0": two digits per component, leading zeros dropped. */
function dottedVersion(digits: string): string {
  return (digits.match(/../g) ?? []).map(Number).join('.')
}

export function parseEfCom(bytes: Uint8Array): EfCom {
  const file = decodeFile(bytes, EF_COM.tag, 'EF.COM')
  const tagList = childWithTag(file, EF_COM_TAGS.tagList, 'EF.COM')
  return {
    ldsVersion: dottedVersion(childWithTag(file, EF_COM_TAGS.ldsVersion, 'EF.COM').value.toString('latin1')),
    unicodeVersion: dottedVersion(childWithTag(file, EF_COM_TAGS.unicodeVersion, 'EF.COM').value.toString('latin1')),
    // Tags outside DG1-DG16 are not files we could read; skip rather than refuse the card.
    dataGroups: [...tagList.value].flatMap((tag) => dataGroupOfTag(tag) ?? []),
  }
}
