import { describe, expect, it } from 'vitest'
import { PcscError, translateConnectError } from '../../../src/main/services/idcard/pcsc'
import { CardReadError } from '../../../src/main/services/idcard/reader'

/** pcsc-mini rejects with an Error carrying its name for the SCARD_* value in `code`. */
const pcscFailure = (code: string) => Object.assign(new Error(`PC/SC ${code}`), { code })

describe('a failed connect to the card', () => {
  it.each([
    ['SharingViolation', PcscError, 'busy'],
    ['Timeout', CardReadError, 'timeout'],
    ['RemovedCard', CardReadError, 'cardRemoved'],
    ['ReaderUnavailable', CardReadError, 'readerUnplugged'],
    ['InternalError', CardReadError, 'readFailed'],
  ] as const)('turns %s into a failure the screen can explain', (code, type, expected) => {
    const translated = translateConnectError(pcscFailure(code), 'Reader 0')
    expect(translated).toBeInstanceOf(type)
    expect(translated.code).toBe(expected)
  })

  it('turns an error without a PC/SC code into readFailed', () => {
    expect(translateConnectError(new TypeError('boom'), 'Reader 0')).toMatchObject({ code: 'readFailed' })
  })
})
