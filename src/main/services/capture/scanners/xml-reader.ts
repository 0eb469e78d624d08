import { CodedError } from '../../../../shared/coded-error'

/**
 * A small, strict XML reader for what network scanners send (eSCL capabilities and status). It refuses
 * what a scanner has no reason to send and a parser has every reason to fear: any DOCTYPE (so no DTD, no
 * external entity, no entity expansion), entities other than the five predefined ones and character
 * references, processing instructions after the declaration, encodings other than UTF-8. Size, depth and
 * element count are bounded. Names keep their prefix apart: scanners differ in the prefixes they bind.
 */

export type XmlErrorCode = 'malformed' | 'forbidden' | 'tooLarge'
export class XmlError extends CodedError<XmlErrorCode> {}

export interface XmlElement {
  /** The local name, without its namespace prefix. */
  readonly name: string
  readonly qualifiedName: string
  readonly attributes: ReadonlyMap<string, string>
  readonly children: readonly XmlElement[]
  /** The character data directly inside the element, CDATA included, entities resolved. */
  readonly text: string
}

export interface XmlLimits {
  readonly maxBytes: number
  readonly maxDepth: number
  readonly maxElements: number
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxBytes: 1024 * 1024, maxDepth: 32, maxElements: 20_000 }

const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

function isNameStart(char: string): boolean {
  return /^[A-Za-z_:\u00C0-\uFFFF]$/.test(char)
}

function isNameChar(char: string): boolean {
  return isNameStart(char) || /^[0-9.-]$/.test(char)
}

function isSpace(char: string | undefined): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\r'
}

/** A code point XML 1.0 allows in a document. */
function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff)
}

interface OpenElement {
  readonly qualifiedName: string
  readonly attributes: Map<string, string>
  readonly children: XmlElement[]
  text: string
}

class XmlCursor {
  position = 0
  elements = 0

  constructor(
    readonly source: string,
    readonly limits: XmlLimits,
  ) {}

  fail(message: string, code: XmlErrorCode = 'malformed'): never {
    throw new XmlError(code, `XML ${code} at offset ${this.position}: ${message}`)
  }

  peek(offset = 0): string | undefined {
    return this.source[this.position + offset]
  }

  startsWith(text: string): boolean {
    return this.source.startsWith(text, this.position)
  }

  expect(text: string): void {
    if (!this.startsWith(text)) this.fail(`expected ${JSON.stringify(text)}`)
    this.position += text.length
  }

  skipSpaces(): void {
    while (isSpace(this.peek())) this.position++
  }

  readName(): string {
    const start = this.position
    if (!isNameStart(this.peek() ?? '')) this.fail('expected a name')
    while (this.position < this.source.length && isNameChar(this.source[this.position]!)) this.position++
    return this.source.slice(start, this.position)
  }

  /** Up to (not including) `end`, which must come. */
  readUntil(end: string): string {
    const found = this.source.indexOf(end, this.position)
    if (found < 0) this.fail(`unterminated, expected ${JSON.stringify(end)}`)
    const text = this.source.slice(this.position, found)
    this.position = found + end.length
    return text
  }

  /** Character data or an attribute value, with `&...;` resolved, up to one of the stop characters. */
  readText(stops: string): string {
    let text = ''
    while (this.position < this.source.length) {
      const char = this.source[this.position]!
      if (stops.includes(char)) return text
      if (char === '&') {
        text += this.readReference()
        continue
      }
      if (char === '<') this.fail('"<" inside a value')
      text += char
      this.position++
    }
    return text
  }

  readReference(): string {
    this.expect('&')
    const body = this.readUntil(';')
    if (body.length > 12) this.fail('reference too long')
    if (body.startsWith('#')) {
      const code = body.startsWith('#x') ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10)
      const digits = body.startsWith('#x') ? /^#x[0-9A-Fa-f]+$/ : /^#[0-9]+$/
      if (!digits.test(body) || !isXmlChar(code)) this.fail(`bad character reference &${body};`)
      return String.fromCodePoint(code)
    }
    const value = PREDEFINED_ENTITIES[body]
    if (value === undefined) this.fail(`entity &${body}; is not allowed`, 'forbidden')
    return value
  }
}

function readAttributes(cursor: XmlCursor): Map<string, string> {
  const attributes = new Map<string, string>()
  for (;;) {
    const hadSpace = isSpace(cursor.peek())
    cursor.skipSpaces()
    const next = cursor.peek()
    if (next === '>' || next === '/' || next === '?' || next === undefined) return attributes
    if (!hadSpace) cursor.fail('attributes must be separated by spaces')
    const name = cursor.readName()
    cursor.skipSpaces()
    cursor.expect('=')
    cursor.skipSpaces()
    const quote = cursor.peek()
    if (quote !== '"' && quote !== "'") cursor.fail('attribute value must be quoted')
    cursor.position++
    const value = cursor.readText(quote)
    cursor.expect(quote)
    if (attributes.has(name)) cursor.fail(`attribute ${name} repeated`)
    attributes.set(name, value)
  }
}

function localName(qualifiedName: string): string {
  const colon = qualifiedName.indexOf(':')
  return colon < 0 ? qualifiedName : qualifiedName.slice(colon + 1)
}

/** Comments and whitespace allowed around the root element; anything else there is refused. */
function skipMisc(cursor: XmlCursor): void {
  for (;;) {
    cursor.skipSpaces()
    if (cursor.startsWith('<!--')) {
      cursor.position += 4
      if (cursor.readUntil('-->').includes('--')) cursor.fail('"--" inside a comment')
    } else if (cursor.startsWith('<!')) {
      cursor.fail('DOCTYPE and other declarations are not allowed', 'forbidden')
    } else if (cursor.startsWith('<?')) {
      cursor.fail('processing instructions are not allowed', 'forbidden')
    } else {
      return
    }
  }
}

function readDeclaration(cursor: XmlCursor): void {
  if (!cursor.startsWith('<?xml') || !isSpace(cursor.peek(5))) return
  cursor.position += 5
  const attributes = readAttributes(cursor)
  cursor.skipSpaces()
  cursor.expect('?>')
  const encoding = attributes.get('encoding')
  if (encoding !== undefined && !/^(utf-8|us-ascii)$/i.test(encoding)) cursor.fail(`encoding ${encoding} is not supported`)
}

function readElement(cursor: XmlCursor): XmlElement {
  cursor.expect('<')
  const root = openElement(cursor)
  if (root.selfClosed) return finish(root.element)
  const stack: OpenElement[] = [root.element]
  while (stack.length > 0) {
    const current = stack[stack.length - 1]!
    current.text += cursor.readText('<')
    if (cursor.position >= cursor.source.length) cursor.fail(`element ${current.qualifiedName} is not closed`)
    if (cursor.startsWith('</')) {
      cursor.position += 2
      const name = cursor.readName()
      if (name !== current.qualifiedName) cursor.fail(`</${name}> closes <${current.qualifiedName}>`)
      cursor.skipSpaces()
      cursor.expect('>')
      stack.pop()
      const done = finish(current)
      if (stack.length === 0) return done
      stack[stack.length - 1]!.children.push(done)
    } else if (cursor.startsWith('<!--')) {
      cursor.position += 4
      if (cursor.readUntil('-->').includes('--')) cursor.fail('"--" inside a comment')
    } else if (cursor.startsWith('<![CDATA[')) {
      cursor.position += 9
      current.text += cursor.readUntil(']]>')
    } else if (cursor.startsWith('<!')) {
      cursor.fail('declarations are not allowed inside elements', 'forbidden')
    } else if (cursor.startsWith('<?')) {
      cursor.fail('processing instructions are not allowed', 'forbidden')
    } else {
      cursor.position++
      if (stack.length >= cursor.limits.maxDepth) cursor.fail(`deeper than ${cursor.limits.maxDepth} elements`, 'tooLarge')
      const child = openElement(cursor)
      if (child.selfClosed) current.children.push(finish(child.element))
      else stack.push(child.element)
    }
  }
  // The loop returns when the root closes; running out of input fails inside it.
  return cursor.fail('unreachable')
}

function openElement(cursor: XmlCursor): { element: OpenElement; selfClosed: boolean } {
  if (++cursor.elements > cursor.limits.maxElements) cursor.fail(`more than ${cursor.limits.maxElements} elements`, 'tooLarge')
  const qualifiedName = cursor.readName()
  const attributes = readAttributes(cursor)
  const selfClosed = cursor.startsWith('/>')
  cursor.expect(selfClosed ? '/>' : '>')
  return { element: { qualifiedName, attributes, children: [], text: '' }, selfClosed }
}

function finish(element: OpenElement): XmlElement {
  return { name: localName(element.qualifiedName), qualifiedName: element.qualifiedName, attributes: element.attributes, children: element.children, text: element.text }
}

/** Parses one XML document (UTF-8 bytes or text) into its root element. Throws XmlError. */
export function parseXml(input: Uint8Array | string, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlElement {
  const size = typeof input === 'string' ? input.length : input.byteLength
  if (size > limits.maxBytes) throw new XmlError('tooLarge', `XML tooLarge: ${size} bytes, more than ${limits.maxBytes}`)
  let text: string
  try {
    text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input)
  } catch {
    throw new XmlError('malformed', 'XML malformed: not UTF-8')
  }
  if (text.startsWith('\uFEFF')) text = text.slice(1)
  for (const char of text) {
    if (!isXmlChar(char.codePointAt(0)!)) throw new XmlError('malformed', `XML malformed: character U+${char.codePointAt(0)!.toString(16)} is not allowed`)
  }
  const cursor = new XmlCursor(text, limits)
  readDeclaration(cursor)
  skipMisc(cursor)
  if (cursor.peek() !== '<') cursor.fail('expected the root element')
  const root = readElement(cursor)
  skipMisc(cursor)
  if (cursor.position < text.length) cursor.fail('content after the root element')
  return root
}

/** The first child with this local name. */
export function childNamed(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((child) => child.name === name)
}

export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name)
}

/** The trimmed text of the child reached by this path of local names. */
export function textAt(element: XmlElement, ...path: string[]): string | undefined {
  let current: XmlElement | undefined = element
  for (const name of path) current = current && childNamed(current, name)
  return current?.text.trim()
}

/** Text for an XML element's content: the three characters that matter escaped. */
export function escapeXmlText(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}
