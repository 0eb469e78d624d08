import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  MrzError,
  bacMrzInformation,
  computeCheckDigit,
  parseMrz,
  type MrzCheckedField,
  type MrzErrorCode,
} from '../../../src/main/services/idcard/icao/mrz'
import { APPENDIX_D, FUZZ_RUNS } from './appendix-d'

// The Vietnamese card sample from the facts file, with a made-up name line (it has no check digit).
const VIETNAMESE_TD1 = ['IDVNM0930470641001093047064<<2', '9301054M3301052VNM<<<<<<<<<<<8', 'NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<']
// ICAO 9303 Part 5 and Part 4 specimens.
const SPECIMEN_TD1 = ['I<UTOD231458907<<<<<<<<<<<<<<<', '7408122F1204159UTO<<<<<<<<<<<6', 'ERIKSSON<<ANNA<MARIA<<<<<<<<<<']
const SPECIMEN_TD3 = ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10']

function expectMrzError(action: () => unknown, code: MrzErrorCode, field?: MrzCheckedField): void {
  try {
    action()
  } catch (error) {
    expect(error).toBeInstanceOf(MrzError)
    expect((error as MrzError).code).toBe(code)
    expect((error as MrzError).field).toBe(field)
    return
  }
  expect.fail(`expected MrzError ${code}`)
}

function replaceAt(line: string, position: number, character: string): string {
  return line.slice(0, position - 1) + character + line.slice(position)
}

describe('check digits', () => {
  it('weights 7, 3, 1 with fillers as zero and letters from 10', () => {
    expect(computeCheckDigit('L898902C<')).toBe('3')
    expect(computeCheckDigit('690806')).toBe('1')
    expect(computeCheckDigit('940623')).toBe('6')
    expect(computeCheckDigit('<<<<')).toBe('0')
    expect(computeCheckDigit('')).toBe('0')
  })

  it('rejects characters outside the MRZ alphabet', () => {
    expectMrzError(() => computeCheckDigit('l898902c'), 'invalidCharacter')
  })
})

describe('TD1', () => {
  it('parses the Vietnamese card, with the 12-digit ID from the optional data', () => {
    expect(parseMrz(VIETNAMESE_TD1.join('\n'))).toEqual({
      format: 'TD1',
      documentCode: 'ID',
      issuingState: 'VNM',
      documentNumber: '093047064',
      dateOfBirth: '930105',
      sex: 'M',
      dateOfExpiry: '330105',
      nationality: 'VNM',
      primaryIdentifier: 'NGUYEN',
      secondaryIdentifier: 'VAN A',
      optionalData1: '001093047064<<2',
      optionalData2: '<<<<<<<<<<<',
      vietnameseIdNumber: '001093047064',
    })
  })

  it('parses the ICAO specimen, which has no Vietnamese ID', () => {
    expect(parseMrz(SPECIMEN_TD1.join('\r\n'))).toMatchObject({
      documentCode: 'I',
      documentNumber: 'D23145890',
      primaryIdentifier: 'ERIKSSON',
      secondaryIdentifier: 'ANNA MARIA',
      vietnameseIdNumber: undefined,
    })
  })

  it('accepts the three lines as one run of 90 characters, with stray whitespace around', () => {
    expect(parseMrz(`  ${VIETNAMESE_TD1.join('')}\n`).documentNumber).toBe('093047064')
  })

  it('reads a document number that overflows into the optional data', () => {
    const mrz = parseMrz(['I<UTOD23145890<7349<<<<<<<<<<<', '7408122F1204159UTO<<<<<<<<<<<6', 'ERIKSSON<<ANNA<MARIA<<<<<<<<<<'].join('\n'))
    expect(mrz.documentNumber).toBe('D23145890734')
    expect(bacMrzInformation(mrz)).toBe('D23145890734974081221204159')
  })

  it('does not take a 12-digit optional value as the ID when it does not end with the document number', () => {
    const line1 = 'IDVNM0930470641001093047065<<2'
    const line2 = '9301054M3301052VNM<<<<<<<<<<<5'
    expect(computeCheckDigit(line1.slice(5) + line2.slice(0, 7) + line2.slice(8, 15) + line2.slice(18, 29))).toBe('5')
    expect(parseMrz([line1, line2, VIETNAMESE_TD1[2]].join('\n'))).toMatchObject({ vietnameseIdNumber: undefined })
  })

  it.each<[string, number, number, MrzCheckedField]>([
    ['document number', 0, 15, 'documentNumber'],
    ['date of birth', 1, 7, 'dateOfBirth'],
    ['date of expiry', 1, 15, 'dateOfExpiry'],
    ['composite', 1, 30, 'composite'],
  ])('rejects a wrong %s check digit', (_name, lineIndex, position, field) => {
    const lines = [...VIETNAMESE_TD1]
    const line = lines[lineIndex] ?? ''
    lines[lineIndex] = replaceAt(line, position, line.charAt(position - 1) === '0' ? '1' : '0')
    expectMrzError(() => parseMrz(lines.join('\n')), 'checkDigit', field)
  })

  it('rejects a changed data character through the composite check digit', () => {
    // Position 30 of line 1 is covered only by the composite check digit.
    const lines = [replaceAt(VIETNAMESE_TD1[0] ?? '', 30, '3'), VIETNAMESE_TD1[1], VIETNAMESE_TD1[2]]
    expectMrzError(() => parseMrz(lines.join('\n')), 'checkDigit', 'composite')
  })

  it('rejects a filler where the document number check digit belongs when nothing overflows', () => {
    const lines = ['I<UTOD23145890<<<<<<<<<<<<<<<<', ...SPECIMEN_TD1.slice(1)]
    expectMrzError(() => parseMrz(lines.join('\n')), 'checkDigit', 'documentNumber')
  })

  it('rejects dates that are not six digits', () => {
    const lines = [VIETNAMESE_TD1[0], replaceAt(VIETNAMESE_TD1[1] ?? '', 3, 'A'), VIETNAMESE_TD1[2]]
    expectMrzError(() => parseMrz(lines.join('\n')), 'invalidFormat')
  })
})

describe('TD3', () => {
  it('parses the ICAO passport specimen', () => {
    expect(parseMrz(SPECIMEN_TD3.join('\n'))).toEqual({
      format: 'TD3',
      documentCode: 'P',
      issuingState: 'UTO',
      documentNumber: 'L898902C3',
      dateOfBirth: '740812',
      sex: 'F',
      dateOfExpiry: '120415',
      nationality: 'UTO',
      primaryIdentifier: 'ERIKSSON',
      secondaryIdentifier: 'ANNA MARIA',
      personalNumber: 'ZE184226B<<<<<',
    })
  })

  it('accepts a filler as check digit of an empty personal number', () => {
    const line2 = 'L898902C36UTO7408122F1204159<<<<<<<<<<<<<<<8'
    expect(parseMrz([SPECIMEN_TD3[0], line2].join('\n'))).toMatchObject({ personalNumber: '<<<<<<<<<<<<<<' })
  })

  it.each<[number, MrzCheckedField]>([
    [10, 'documentNumber'],
    [20, 'dateOfBirth'],
    [28, 'dateOfExpiry'],
    [43, 'personalNumber'],
    [44, 'composite'],
  ])('rejects a wrong check digit at position %i (%s)', (position, field) => {
    const line2 = replaceAt(SPECIMEN_TD3[1] ?? '', position, SPECIMEN_TD3[1]?.charAt(position - 1) === '5' ? '6' : '5')
    expectMrzError(() => parseMrz([SPECIMEN_TD3[0], line2].join('\n')), 'checkDigit', field)
  })
})

describe('MRZ input', () => {
  it.each([
    ['two TD1 lines', VIETNAMESE_TD1.slice(0, 2).join('\n')],
    ['a short line', [...VIETNAMESE_TD1.slice(0, 2), 'NGUYEN<<VAN<A'].join('\n')],
    ['nothing', ' \n '],
    ['a TD1 line with TD3 lines', [SPECIMEN_TD3[0], VIETNAMESE_TD1[0]].join('\n')],
  ])('rejects %s as invalid-format', (_name, text) => {
    expectMrzError(() => parseMrz(text), 'invalidFormat')
  })

  it('rejects lower case and punctuation as invalid-character', () => {
    expectMrzError(() => parseMrz(VIETNAMESE_TD1.join('\n').toLowerCase()), 'invalidCharacter')
    expectMrzError(() => parseMrz(VIETNAMESE_TD1.join('\n').replace('NGUYEN', 'NGUYỄN')), 'invalidCharacter')
  })

  it('throws nothing but MrzError on random text', () => {
    const mrzish = fc.string({ unit: fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<<<<\n'.split('')), maxLength: 100 })
    fc.assert(
      fc.property(fc.oneof(mrzish, fc.string({ maxLength: 100 })), (text) => {
        try {
          parseMrz(text)
        } catch (error) {
          if (!(error instanceof MrzError)) throw error
        }
      }),
      { numRuns: FUZZ_RUNS },
    )
  })
})

describe('BAC MRZ information', () => {
  it('reproduces the Appendix D MRZ information, padding the document number to nine characters', () => {
    expect(bacMrzInformation({ documentNumber: 'L898902C', dateOfBirth: '690806', dateOfExpiry: '940623' })).toBe(
      APPENDIX_D.mrzInformation,
    )
  })

  it('builds the Vietnamese card MRZ information from the parsed MRZ', () => {
    expect(bacMrzInformation(parseMrz(VIETNAMESE_TD1.join('\n')))).toBe('093047064193010543301052')
  })

  it('rejects fields that cannot be MRZ information', () => {
    const fields = { documentNumber: '093047064', dateOfBirth: '930105', dateOfExpiry: '330105' }
    expectMrzError(() => bacMrzInformation({ ...fields, documentNumber: '093-047' }), 'invalidFormat')
    expectMrzError(() => bacMrzInformation({ ...fields, dateOfBirth: '05/01/1993' }), 'invalidFormat')
  })
})
