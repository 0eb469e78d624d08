import { trimScannerFraming, type ParseResult } from './scan-input'

export type ProcedureCodeErrorCode = 'empty' | 'notACode' | 'unsupportedScheme' | 'malformedUrl' | 'noCodeInUrl' | 'ambiguousUrl'

export interface ProcedureCodeError {
  readonly code: ProcedureCodeErrorCode
  /** English, for the log; the screen translates the code. */
  readonly message: string
}

/** A TTHC code from the national procedure database: level digit, dot, six digits ("1.001193"). */
const PROCEDURE_CODE = /^\d\.\d{6}$/
/** The query parameter the national public-service portal uses for a procedure's page. */
const PROCEDURE_QUERY_PARAMETER = 'ma_thu_tuc'
/** Control characters, spaces and look-alike letters have no place in a link we take a code from. */
const PRINTABLE_ASCII = /^[!-~]+$/
/** The path, when present, starts with '/', so host and path cannot trade characters (no backtracking). */
const HTTP_URL = /^https?:\/\/[^/?#]+(?<path>\/[^?#]*)?(?:\?(?<query>[^#]*))?(?:#.*)?$/i
const ANY_SCHEME = /^[a-z][a-z\d+.-]*:/i

/**
 * A procedure code, bare or carried by an http(s) link (`?ma_thu_tuc=1.001193` or a path segment such as
 * `/thu-tuc/1.001193`). Only the code is taken: the link is never opened, so its host does not matter.
 */
export function parseProcedureCode(text: string): ParseResult<string, ProcedureCodeError> {
  const trimmed = trimScannerFraming(text)
  if (trimmed === '') return fail('empty', 'The scan is empty')
  if (PROCEDURE_CODE.test(trimmed)) return { ok: true, value: trimmed }
  if (/^https?:/i.test(trimmed)) return codeFromUrl(trimmed)
  if (ANY_SCHEME.test(trimmed)) return fail('unsupportedScheme', 'Only http and https links can carry a procedure code')
  return fail('notACode', 'Not a procedure code (digit, dot, 6 digits) nor a link carrying one')
}

function codeFromUrl(url: string): ParseResult<string, ProcedureCodeError> {
  const match = PRINTABLE_ASCII.test(url) ? HTTP_URL.exec(url) : null
  if (!match) return fail('malformedUrl', 'The link is not a well-formed http(s) URL')
  const { path = '', query = '' } = match.groups ?? {}
  const fromPath = path.split('/').filter((segment) => PROCEDURE_CODE.test(segment))
  const fromQuery = query.split('&').flatMap((pair) => {
    const [name = '', ...valueParts] = pair.split('=')
    const value = valueParts.join('=')
    return name.toLowerCase() === PROCEDURE_QUERY_PARAMETER && PROCEDURE_CODE.test(value) ? [value] : []
  })
  const codes = new Set([...fromPath, ...fromQuery])
  const [code] = codes
  if (code === undefined) return fail('noCodeInUrl', 'The link carries no procedure code')
  if (codes.size > 1) return fail('ambiguousUrl', `The link carries ${codes.size} different procedure codes`)
  return { ok: true, value: code }
}

function fail(code: ProcedureCodeErrorCode, message: string): ParseResult<never, ProcedureCodeError> {
  return { ok: false, error: { code, message } }
}
