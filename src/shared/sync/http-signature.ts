/**
 * HTTP Message Signatures (RFC 9421) as the relay uses them: the device signs (Ed25519) the method,
 * authority, path, query and, when there is a body, its Content-Digest (RFC 9530); the server signs
 * its answer's status, body digest, Upload-Offset and error code, bound to that request signature
 * (the `req` parameter). This module builds and parses the strings; signing and verifying happen
 * in Node with the keys.
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

/**
 * What a server answer's signature covers. The body digest is of the body as the client reads it,
 * after any Content-Encoding is undone: fetch hands over decoded bytes only, so a digest of the
 * gzip bytes (Content-Digest) could not be checked.
 */
export interface SignedResponseParts {
  readonly status: number
  /** The Sync-Body-Digest header value: sha-256=:BASE64: of the decoded body (empty for HEAD, 201, 204). */
  readonly bodyDigest: string
  /** The Upload-Offset header value, when the answer has one (a client trusts it to resume an upload). */
  readonly uploadOffset?: string
  /** The Sync-Error header value, when the answer is an error (a HEAD error has only this). */
  readonly errorCode?: string
  /** The request's Signature member value (`:BASE64:`): the answer belongs to that request only. */
  readonly requestSignature: string
}

export const BODY_DIGEST_HEADER = 'sync-body-digest'
export const ERROR_CODE_HEADER = 'sync-error'

const COMPONENTS_WITHOUT_BODY = ['@method', '@authority', '@path', '@query'] as const
const COMPONENTS_WITH_BODY = [...COMPONENTS_WITHOUT_BODY, 'content-digest'] as const
/** RFC 9421 §2.4: the request's signature, as a component of the answer's. */
const REQUEST_SIGNATURE_COMPONENT = `signature;req;key="${SIGNATURE_LABEL}"`

export function componentsFor(parts: SignedRequestParts): readonly string[] {
  return parts.contentDigest === undefined ? COMPONENTS_WITHOUT_BODY : COMPONENTS_WITH_BODY
}

/** Exactly what an answer with these headers must cover: nothing it carries for the client may be left out. */
export function responseComponentsFor(parts: SignedResponseParts): readonly string[] {
  return ['@status', BODY_DIGEST_HEADER, ...(parts.uploadOffset !== undefined ? ['upload-offset'] : []), ...(parts.errorCode !== undefined ? [ERROR_CODE_HEADER] : []), REQUEST_SIGNATURE_COMPONENT]
}

/** `"name"` followed by the component's parameters (`;req;key="sig1"`), as Signature-Input and the base write it. */
function serializeComponent(component: string): string {
  const parameters = component.indexOf(';')
  return parameters < 0 ? `"${component}"` : `"${component.slice(0, parameters)}"${component.slice(parameters)}`
}

/** The Signature-Input member value: ("@method" ...);created=N;keyid="...";alg="ed25519". */
export function serializeSignatureParams(params: SignatureParams): string {
  const list = params.components.map(serializeComponent).join(' ')
  return `(${list});created=${params.created};keyid="${params.keyid}";alg="${SIGNATURE_ALGORITHM}"`
}

function responseComponentValue(parts: SignedResponseParts, component: string): string | undefined {
  switch (component) {
    case '@status':
      return String(parts.status)
    case BODY_DIGEST_HEADER:
      return parts.bodyDigest
    case 'upload-offset':
      return parts.uploadOffset
    case ERROR_CODE_HEADER:
      return parts.errorCode
    case REQUEST_SIGNATURE_COMPONENT:
      return parts.requestSignature
    default:
      return undefined
  }
}

function requestComponentValue(parts: SignedRequestParts, component: string): string | undefined {
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
  return baseOf((component) => requestComponentValue(parts, component), params)
}

/** The base of a server answer's signature; undefined when a covered component is missing from the answer. */
export function responseSignatureBase(parts: SignedResponseParts, params: SignatureParams): string | undefined {
  return baseOf((component) => responseComponentValue(parts, component), params)
}

function baseOf(valueOf: (component: string) => string | undefined, params: SignatureParams): string | undefined {
  const lines: string[] = []
  for (const component of params.components) {
    const value = valueOf(component)
    if (value === undefined || /[\r\n]/.test(value)) return undefined
    lines.push(`${serializeComponent(component)}: ${value}`)
  }
  lines.push(`"@signature-params": ${serializeSignatureParams(params)}`)
  return lines.join('\n')
}

const COMPONENT = `"[@a-z-]{1,40}"(?:;req;key="${SIGNATURE_LABEL}")?`
const SIGNATURE_INPUT_PATTERN = new RegExp(
  `^${SIGNATURE_LABEL}=\\(((?:${COMPONENT}(?: ${COMPONENT}){0,9})?)\\);created=(\\d{1,12});keyid="([A-Za-z0-9_-]{1,64})";alg="${SIGNATURE_ALGORITHM}"$`,
)

/** Reads our one accepted Signature-Input shape (a device's or a server's); anything else is refused rather than half-understood. */
export function parseSignatureInput(header: string): SignatureParams | undefined {
  const match = SIGNATURE_INPUT_PATTERN.exec(header.trim())
  if (!match) return undefined
  const components = match[1] === '' ? [] : match[1]!.split(' ').map((serialized) => serialized.replace(/^"([^"]+)"/, '$1'))
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

/** Same list, same order: a signature covering less than the message carries (or more) is refused. */
export function coversExactly(params: SignatureParams, required: readonly string[]): boolean {
  return params.components.length === required.length && required.every((component, index) => params.components[index] === component)
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
