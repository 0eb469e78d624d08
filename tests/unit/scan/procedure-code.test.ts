import { describe, expect, it } from 'vitest'
import { parseProcedureCode } from '../../../src/shared/domain/scan/procedure-code'

describe('parseProcedureCode', () => {
  it.each([
    ['1.001193', '1.001193'],
    ['2.000815', '2.000815'],
    ['\uFEFF 1.001193\r\n', '1.001193'],
    ['https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001193', '1.001193'],
    ['HTTPS://DICHVUCONG.GOV.VN/p/home/x.html?MA_THU_TUC=2.000815#top', '2.000815'],
    ['http://dichvucong.danang.gov.vn/thu-tuc/2.000815', '2.000815'],
    ['https://dichvucong.danang.gov.vn/thu-tuc/2.000815/?lang=vi', '2.000815'],
    ['https://example.vn/?a=1&ma_thu_tuc=1.001193&b=2', '1.001193'],
    // The same code twice is still one code.
    ['https://example.vn/thu-tuc/1.001193?ma_thu_tuc=1.001193', '1.001193'],
  ])('reads %j', (text, code) => {
    expect(parseProcedureCode(text)).toEqual({ ok: true, value: code })
  })

  it.each([
    ['empty', ''],
    ['empty', '  \r\n'],
    ['notACode', '1.00119'],
    ['notACode', '1.0011934'],
    ['notACode', '12.001193'],
    ['notACode', '1,001193'],
    ['notACode', '1.001193 2.000815'],
    ['notACode', '//dichvucong.gov.vn/thu-tuc/1.001193'],
    ['unsupportedScheme', 'javascript:alert(1)//1.001193'],
    ['unsupportedScheme', 'JavaScript:location="https://evil.example/?ma_thu_tuc=1.001193"'],
    ['unsupportedScheme', 'data:text/html,<script>alert(1)</script>1.001193'],
    ['unsupportedScheme', 'file:///etc/1.001193'],
    ['unsupportedScheme', 'ftp://example.vn/1.001193'],
    ['unsupportedScheme', 'vbscript:1.001193'],
    ['malformedUrl', 'https:1.001193'],
    ['malformedUrl', 'https:\\\\evil.example\\1.001193'],
    ['malformedUrl', 'https://example.vn/thu tuc/1.001193'],
    ['malformedUrl', 'https://example.vn/\u0000/1.001193'],
    ['malformedUrl', 'https://ехample.vn/1.001193'],
    ['malformedUrl', 'https:///1.001193'],
    ['noCodeInUrl', 'https://dichvucong.gov.vn/p/home/dvc-trang-chu.html'],
    ['noCodeInUrl', 'https://example.vn/?ma_thu_tuc=1.001193x'],
    ['noCodeInUrl', 'https://example.vn/?ma_thu_tuc=1.001193=2'],
    ['noCodeInUrl', 'https://example.vn/?ma_thu_tuc=%31.001193'],
    ['noCodeInUrl', 'https://example.vn/#/thu-tuc/1.001193'],
    ['noCodeInUrl', 'https://1.001193/'],
    ['noCodeInUrl', 'https://example.vn/thu-tuc/1.001193.html'],
    ['ambiguousUrl', 'https://example.vn/?ma_thu_tuc=1.001193&ma_thu_tuc=2.000815'],
    ['ambiguousUrl', 'https://example.vn/thu-tuc/1.001193?ma_thu_tuc=2.000815'],
  ])('rejects with %s: %j', (code, text) => {
    const result = parseProcedureCode(text)
    expect(result.ok).toBe(false)
    expect(!result.ok && result.error.code).toBe(code)
  })
})
