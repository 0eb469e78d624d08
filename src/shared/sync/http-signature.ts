/**
 * HTTP Message Signatures (RFC 9421) as the relay uses them: Ed25519 over the method, authority,
 * path, query and, when there is a body, its Content-Digest (RFC 9530). This module builds and
 * parses the strings; signing and verifying happen in Node with the device key.
 */

export const SIGNATURE_LABEL = 'sig1'
export const SIGNATURE_ALGORITHM = 'ed25519'

export interface SignedRequestParts {
  readonly method: string
  /** Host[:port] as the client addressed the server. */
  readonly authority: string
  /** Path, without the query. */
  readonly path: string
  /** The query string with its leading '?', or '?' when there is none (RFC 9421 §2.2.7). */
  readonly query: string
  /** The Content-Digest header value, when the request has a body. */
  readonly contentDigest?: string
}

export interface SignatureParams {
  readonly created: number
  readonly keyid: string
  readonly components: readonly string[]
}

const COMPONENTS_WITHOUT_BODY = ['@method', '@authority', '@path', '@query'] as const
const COMPONENTS_WITH_BODY = [...COMPONENTS_WITHOUT_BODY, 'content-digest'] as const

export function componentsFor(parts: SignedRequestParts): readonly string[] {
  return parts.contentDigest === undefined ? COMPONENTS_WITHOUT_BODY : COMPONENTS_WITH_BODY
}

/** The Signature-Input member value: ("@method" ...);created=N;keyid="...";alg="ed25519". */
export function serializeSignatureParams(params: SignatureParams): string {
  const list = params.components.map((component) => `"${component}"`).join(' ')
  return `(${list});created=${params.created};keyid="${params.keyid}";alg="${SIGNATURE_ALGORITHM}"`
}

function componentValue(parts: SignedRequestParts, component: string): string | undefined {
  switch (component) {
    case '@method':
      return parts.method.toUpperCase()
    case '@authority':
      return parts.authority.toLowerCase()
    case '@path':
      return parts.path
    case '@query':
      return parts.query
    case 'content-digest':
      return parts.contentDigest
    default:
      return undefined
  }
}

/** The signature base (RFC 9421 §2.5); undefined when a covered component is missing from the request. */
export function signatureBase(parts: SignedRequestParts, params: SignatureParams): string | undefined {
  const lines: string[] = []
  for (const component of params.components) {
    const value = componentValue(parts, component)
    if (value === undefined || /[\r\n]/.test(value)) return undefined
    lines.push(`"${component}": ${value}`)
  }
  lines.push(`"@signature-params": ${serializeSignatureParams(params)}`)
  return lines.join('\n')
}

const SIGNATURE_INPUT_PATTERN = new RegExp(
  `^${SIGNATURE_LABEL}=\\(((?:"[@a-z-]{1,40}"(?: "[@a-z-]{1,40}"){0,9})?)\\);created=(\\d{1,12});keyid="([a-z0-9-]{1,64})";alg="${SIGNATURE_ALGORITHM}"$`,
)

/** Reads our one accepted Signature-Input shape; anything else is refused rather than half-understood. */
export function parseSignatureInput(header: string): SignatureParams | undefined {
  const match = SIGNATURE_INPUT_PATTERN.exec(header.trim())
  if (!match) return undefined
  const components = match[1] === '' ? [] : match[1]!.split(' ').map((quoted) => quoted.slice(1, -1))
  return { components, created: Number(match[2]), keyid: match[3]! }
}

/** The Signature header: sig1=:BASE64:. */
export function serializeSignature(signatureBase64: string): string {
  return `${SIGNATURE_LABEL}=:${signatureBase64}:`
}

export function parseSignature(header: string): string | undefined {
  const match = new RegExp(`^${SIGNATURE_LABEL}=:([A-Za-z0-9+/]{86}==):$`).exec(header.trim())
  return match?.[1]
}

/** Content-Digest (RFC 9530) with SHA-256: sha-256=:BASE64:. */
export function serializeContentDigest(sha256Base64: string): string {
  return `sha-256=:${sha256Base64}:`
}

export function parseContentDigest(header: string): string | undefined {
  return /^sha-256=:([A-Za-z0-9+/]{43}=):$/.exec(header.trim())?.[1]
}

/** The components a request of this kind must cover, so a signature cannot be stripped down to less. */
export function coversRequiredComponents(params: SignatureParams, hasBody: boolean): boolean {
  const required = hasBody ? COMPONENTS_WITH_BODY : COMPONENTS_WITHOUT_BODY
  return required.every((component) => params.components.includes(component)) && params.components.length === required.length
}
