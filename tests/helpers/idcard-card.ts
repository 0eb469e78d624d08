import { join } from 'node:path'
import { loadCardProfile, type CardProfile } from '../../src/main/services/idcard/emulator/profile'
import type { Dg13 } from '../../src/main/services/idcard/datagroups/dg13'
import type { CardChannel } from '../../src/main/services/idcard/reader'
import { PROJECT_ROOT } from './browser-mode-host'

/** The shipped sample card (an invented person) and what its chip must read back as. */

export const SAMPLE_PROFILE_PATH = join(PROJECT_ROOT, 'resources/idcard/sample-profile.json')
export const CSCA_VN_PATH = '/work/shared/data/csca-vn.pem'

export const SAMPLE_MRZ = ['IDVNM0900123450048090012345<<0', '9003152M3003150VNM<<<<<<<<<<<8', 'NGUYEN<<VAN<MAU<<<<<<<<<<<<<<<'].join('\n')

export const SAMPLE_DG13: Dg13 = {
  idNumber: '048090012345',
  fullName: 'Nguyễn Văn Mẫu',
  dateOfBirth: '1990-03-15',
  sex: 'Nam',
  nationality: 'Việt Nam',
  ethnicity: 'Kinh',
  religion: 'Không',
  hometown: 'Phường Hải Châu, Thành phố Đà Nẵng',
  residence: 'Số 1 Đường Thử Nghiệm, Phường Hải Châu, Thành phố Đà Nẵng',
  identifyingFeatures: 'Nốt ruồi C:2cm trên sau đuôi mắt trái',
  issueDate: '2021-08-10',
  expiryDate: '2030-03-15',
  fatherName: 'Nguyễn Văn Thử',
  motherName: 'Trần Thị Mẫu',
  spouseName: '',
  oldIdNumber: '201234567',
}

/** The card access number in the sample profile: the last six digits of the ID, as reported for real cards. */
export const SAMPLE_CAN = '012345'

/** The card's QR text, as the 2021 CCCD prints it. */
export const SAMPLE_QR = '048090012345|201234567|Nguyễn Văn Mẫu|15031990|Nam|Số 1 Đường Thử Nghiệm, Phường Hải Châu, Thành phố Đà Nẵng|10082021'

let sample: Promise<CardProfile> | undefined
export function sampleProfile(): Promise<CardProfile> {
  sample ??= loadCardProfile(SAMPLE_PROFILE_PATH)
  return sample
}

/** An in-memory channel to anything that answers APDUs synchronously, e.g. the emulator. */
export function channelTo(card: { transmit(apdu: Uint8Array): Buffer }): CardChannel {
  return { transmit: async (apdu) => card.transmit(apdu) }
}
