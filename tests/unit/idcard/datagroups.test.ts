import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseDg1 } from '../../../src/main/services/idcard/datagroups/dg1'
import { parseDg13 } from '../../../src/main/services/idcard/datagroups/dg13'
import { parseDg2 } from '../../../src/main/services/idcard/datagroups/dg2'
import { parseEfCom } from '../../../src/main/services/idcard/datagroups/ef-com'
import { DataGroupError, type DataGroupErrorCode } from '../../../src/main/services/idcard/datagroups/lds'
import { parseSod } from '../../../src/main/services/idcard/datagroups/sod'
import { buildDg1, buildDg13, buildDg2, buildEfCom, buildSod } from '../../../src/main/services/idcard/emulator/lds-builder'
import type { CardProfile } from '../../../src/main/services/idcard/emulator/profile'
import { createTestPki } from '../../../src/main/services/idcard/emulator/test-pki'
import { encodeTlv } from '../../../src/main/services/idcard/icao/tlv'
import { SAMPLE_DG13, sampleProfile } from '../../helpers/idcard-card'
import { FUZZ_RUNS, bytes } from './appendix-d'

let profile: CardProfile
beforeAll(async () => {
  profile = await sampleProfile()
})

function expectDataGroupError(action: () => unknown, code: DataGroupErrorCode): void {
  try {
    action()
  } catch (error) {
    expect(error).toBeInstanceOf(DataGroupError)
    expect((error as DataGroupError).code).toBe(code)
    return
  }
  expect.fail(`expected DataGroupError ${code}`)
}

const seq = (...items: Buffer[]) => encodeTlv(0x30, Buffer.concat(items))
const int = (value: number) => encodeTlv(0x02, Buffer.from([value]))
const utf8 = (text: string) => encodeTlv(0x0c, Buffer.from(text, 'utf8'))
const printable = (text: string) => encodeTlv(0x13, Buffer.from(text, 'latin1'))
/** A DG13 with the given fields (already encoded) in the given order, as the card lays it out. */
const dg13Of = (...fields: Buffer[]) => encodeTlv(0x6d, seq(int(1), bytes('060628D316010008'), encodeTlv(0x31, Buffer.concat(fields))))
const minimalFields = [seq(int(1), printable('048090012345')), seq(int(2), utf8('Nguyễn Văn Mẫu')), seq(int(3), printable('15/03/1990')), seq(int(11), printable('10/08/2021')), seq(int(12), utf8('15/03/2030'))]

describe('EF.COM', () => {
  it('gives the LDS and Unicode versions and the data groups listed', () => {
    expect(parseEfCom(buildEfCom([1, 2, 3, 13, 14, 15]))).toEqual({ ldsVersion: '1.7', unicodeVersion: '4.0.0', dataGroups: [1, 2, 3, 13, 14, 15] })
  })

  it('skips tags that are not data groups', () => {
    const com = encodeTlv(0x60, Buffer.concat([encodeTlv(0x5f01, Buffer.from('0107')), encodeTlv(0x5f36, Buffer.from('040000')), encodeTlv(0x5c, bytes('61FF6D'))]))
    expect(parseEfCom(com).dataGroups).toEqual([1, 13])
  })

  it('refuses another file', () => {
    expectDataGroupError(() => parseEfCom(buildDg1(profile.mrz)), 'unexpectedTag')
  })
})

describe('DG1', () => {
  it('parses the MRZ with its check digits', () => {
    expect(parseDg1(buildDg1(profile.mrz))).toMatchObject({ documentNumber: '090012345', dateOfBirth: '900315', vietnameseIdNumber: '048090012345' })
  })

  it('reports a broken check digit as invalidMrz', () => {
    expectDataGroupError(() => parseDg1(buildDg1([profile.mrz[0].replace('0900123450', '0900123451'), profile.mrz[1], profile.mrz[2]])), 'invalidMrz')
  })
})

describe('DG13', () => {
  it('reads back every field of the profile, dates as ISO', () => {
    expect(parseDg13(buildDg13(profile.dg13))).toEqual(SAMPLE_DG13)
  })

  it('reads fields by number whatever their order, and the parents from one SEQUENCE holding both', () => {
    const parents = seq(int(13), seq(utf8('Cha'), utf8('Mẹ')))
    const parsed = parseDg13(dg13Of(parents, ...[...minimalFields].reverse(), seq(int(16), printable('ABCDEF0123456789'))))
    expect(parsed).toMatchObject({ idNumber: '048090012345', fatherName: 'Cha', motherName: 'Mẹ', spouseName: '', expiryDate: '2030-03-15', sex: '' })
  })

  it('normalises text to NFC', () => {
    const decomposed = 'Nguyễn Văn Mẫu'.normalize('NFD')
    const parsed = parseDg13(dg13Of(...minimalFields.slice(0, 1), seq(int(2), utf8(decomposed)), ...minimalFields.slice(2)))
    expect(parsed.fullName).toBe('Nguyễn Văn Mẫu'.normalize('NFC'))
  })

  /** The minimal DG13 with `field` (number and printed value) in place of its own. */
  const withField = (number: number, value: Buffer): Buffer => dg13Of(...minimalFields.filter((field) => field[4] !== number), seq(int(number), value))

  it('reads a DG13 without an expiry field as a card without expiry', () => {
    expect(parseDg13(dg13Of(...minimalFields.slice(0, 4))).expiryDate).toBeNull()
  })

  it.each(['Không thời hạn', 'KHÔNG THỜI HẠN', 'khong  thoi han', 'Không thời hạn'.normalize('NFD')])('reads the expiry "%s" as no expiry', (printed) => {
    expect(parseDg13(withField(12, utf8(printed))).expiryDate).toBeNull()
  })

  it('keeps partly known birth dates partial', () => {
    expect(parseDg13(withField(3, printable('00/00/1950'))).dateOfBirth).toBe('1950')
    expect(parseDg13(withField(3, printable('00/07/1950'))).dateOfBirth).toBe('1950-07')
  })

  it.each<[string, Buffer, DataGroupErrorCode]>([
    ['no ID number', dg13Of(...minimalFields.slice(1)), 'missingField'],
    ['a birth date in another format', dg13Of(minimalFields[0]!, minimalFields[1]!, seq(int(3), printable('1990-03-15')), minimalFields[3]!), 'invalidDate'],
    ['a field number that is not an INTEGER', dg13Of(seq(utf8('1'), utf8('x'))), 'malformed'],
    ['no field set', encodeTlv(0x6d, seq(int(1))), 'malformed'],
    ['a truncated file', dg13Of(...minimalFields).subarray(0, 40), 'malformed'],
    ['a birth date out of range (99/99/9999)', withField(3, printable('99/99/9999')), 'invalidDate'],
    ['a birth date that does not exist (31/02/1990)', withField(3, printable('31/02/1990')), 'invalidDate'],
    ['a day without its month (15/00/1990)', withField(3, printable('15/00/1990')), 'invalidDate'],
    ['an issue date before 1900', withField(11, printable('10/08/1021')), 'invalidDate'],
    ['an expiry that is neither a date nor "Không thời hạn"', withField(12, utf8('Vô thời hạn')), 'invalidDate'],
    ['an ID number that is not 12 digits', withField(1, printable('04809001234')), 'malformed'],
    ['an ID number with letters', withField(1, printable('04809001234A')), 'malformed'],
    ['a field number given twice', dg13Of(...minimalFields, seq(int(2), utf8('Người Khác'))), 'malformed'],
  ])('rejects %s', (_name, file, code) => {
    expectDataGroupError(() => parseDg13(file), code)
  })
})

describe('DG2', () => {
  it('extracts the JPEG from the ISO 19794-5 record', () => {
    const face = parseDg2(buildDg2(profile.face))
    expect(face.format).toBe('jpeg')
    expect(face.image.equals(profile.face.jpeg)).toBe(true)
  })

  it.each([
    ['a JP2 file', '0000000C6A5020200D0A870A00000014'],
    ['a JPEG 2000 codestream', 'FF4FFF51002F0000'],
  ])('recognises %s as JPEG 2000 by its magic number', (_name, magic) => {
    expect(parseDg2(buildDg2({ jpeg: bytes(magic), width: 1, height: 1 })).format).toBe('jpeg2000')
  })

  it('rejects an image in another format, and a record whose lengths do not fit', () => {
    expectDataGroupError(() => parseDg2(buildDg2({ jpeg: Buffer.from('GIF89a'), width: 1, height: 1 })), 'unsupportedImage')
    const dg2 = buildDg2(profile.face)
    const recordStart = dg2.indexOf(Buffer.from('FAC\0', 'latin1'))
    dg2.writeUInt32BE(0xffff, recordStart + 14)
    expectDataGroupError(() => parseDg2(dg2), 'malformed')
  })
})

describe('EF.SOD', () => {
  it('gives the hash algorithm, the data group hashes, the signed attributes and the document signer', () => {
    const pki = createTestPki()
    const dataGroups = new Map([[1, buildDg1(profile.mrz)], [13, buildDg13(profile.dg13)]])
    const sod = parseSod(buildSod(dataGroups, pki, 'sha384'))
    expect(sod.hashAlgorithm).toBe('sha384')
    expect([...sod.dataGroupHashes.keys()]).toEqual([1, 13])
    expect(sod.dataGroupHashes.get(13)?.length).toBe(48)
    expect(sod.signatureScheme).toEqual({ kind: 'ecdsa', hash: 'sha384' })
    expect(sod.documentSigner.raw.equals(pki.documentSigner.raw)).toBe(true)
    expect(sod.signedAttributes[0]).toBe(0x31)
  })

  it('reads RSASSA-PSS parameters', () => {
    const sod = parseSod(buildSod(new Map([[1, buildDg1(profile.mrz)]]), createTestPki('rsaPss')))
    expect(sod.signatureScheme).toEqual({ kind: 'rsaPss', hash: 'sha256', saltLength: 32 })
  })
})

describe('parser properties', () => {
  const onlyDataGroupErrors = (parse: (bytes: Uint8Array) => unknown) => (input: Uint8Array) => {
    try {
      parse(input)
    } catch (error) {
      if (!(error instanceof DataGroupError)) throw error
    }
  }
  /** The valid file with a few bytes overwritten, cut or left as is: inputs near the real structure. */
  const mutationsOf = (valid: () => Buffer) =>
    fc
      .tuple(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.option(fc.nat()))
      .map(([changes, cut]) => {
        const file = Buffer.from(valid())
        for (const [position, value] of changes) file[position % file.length] = value
        return cut === null ? file : file.subarray(0, cut % (file.length + 1))
      })

  it('DG13 throws nothing but DataGroupError on random bytes and on mutated files', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), onlyDataGroupErrors(parseDg13)), { numRuns: FUZZ_RUNS })
    fc.assert(fc.property(mutationsOf(() => buildDg13(profile.dg13)), onlyDataGroupErrors(parseDg13)), { numRuns: FUZZ_RUNS })
  })

  it('DG13 reads back any text fields it is given', () => {
    const text = fc.string({ maxLength: 40 }).map((value) => value.normalize('NFC').trim())
    fc.assert(
      fc.property(text, text, text, (fullName, residence, spouseName) => {
        fc.pre(fullName !== '' && !fullName.includes('\uFFFD'))
        const parsed = parseDg13(buildDg13({ ...profile.dg13, fullName, residence, spouseName }))
        expect({ fullName: parsed.fullName, residence: parsed.residence, spouseName: parsed.spouseName }).toEqual({ fullName, residence, spouseName })
      }),
      { numRuns: Math.min(FUZZ_RUNS, 500) },
    )
  })

  it('EF.SOD throws nothing but DataGroupError on random bytes and on mutated files', () => {
    const sod = buildSod(new Map([[1, buildDg1(profile.mrz)]]), createTestPki())
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), onlyDataGroupErrors(parseSod)), { numRuns: FUZZ_RUNS })
    fc.assert(fc.property(mutationsOf(() => sod), onlyDataGroupErrors(parseSod)), { numRuns: FUZZ_RUNS })
  })

  it('EF.COM, DG1 and DG2 throw nothing but DataGroupError on mutated files', () => {
    fc.assert(fc.property(mutationsOf(() => buildEfCom([1, 2, 13])), onlyDataGroupErrors(parseEfCom)), { numRuns: FUZZ_RUNS })
    fc.assert(fc.property(mutationsOf(() => buildDg1(profile.mrz)), onlyDataGroupErrors(parseDg1)), { numRuns: FUZZ_RUNS })
    fc.assert(fc.property(mutationsOf(() => buildDg2(profile.face)), onlyDataGroupErrors(parseDg2)), { numRuns: FUZZ_RUNS })
  })
})
