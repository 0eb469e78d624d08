import { MrzError, parseMrz, type Mrz } from '../icao/mrz'
import { DataGroupError, childWithTag, dataGroupTag, decodeFile } from './lds'

export const DG1_MRZ_TAG = 0x5f1f

/** DG1: the MRZ as one run of characters (90 for the TD1 ID card), check digits verified. */
export function parseDg1(bytes: Uint8Array): Mrz {
  const file = decodeFile(bytes, dataGroupTag(1), 'DG1')
  const text = childWithTag(file, DG1_MRZ_TAG, 'DG1').value.toString('latin1')
  try {
    return parseMrz(text)
  } catch (error) {
    if (!(error instanceof MrzError)) throw error
    // The MRZ is personal data: the message names the fault, not the text.
    throw new DataGroupError('invalidMrz', `DG1: the MRZ is malformed (${error.code})`, { cause: error })
  }
}
