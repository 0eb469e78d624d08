import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  TlvError,
  decodeTlv,
  decodeTlvHeader,
  decodeTlvList,
  encodeTlv,
  type Tlv,
  type TlvErrorCode,
} from '../../../src/main/services/idcard/icao/tlv'
import { FUZZ_RUNS, bytes, toHex } from './appendix-d'

function expectTlvError(action: () => unknown, code: TlvErrorCode): void {
  try {
    action()
  } catch (error) {
    expect(error).toBeInstanceOf(TlvError)
    expect((error as TlvError).code).toBe(code)
    return
  }
  expect.fail(`expected TlvError ${code}`)
}

describe('BER-TLV decoding', () => {
  it('decodes a DG13-shaped constructed object down to its primitives', () => {
    // 6D { 30 { version 1, OID 1.0.10646.1.0.8, 31 { 30 { 02 01 01, PrintableString ID } } } }
    const encoded = bytes('6D2230200201010606' + '28D316010008' + '31133011020101130C' + Buffer.from('048093000001').toString('hex'))
    const field = encodeTlv(0x30, Buffer.concat([encodeTlv(0x02, bytes('01')), encodeTlv(0x13, Buffer.from('048093000001'))]))
    const sequenceContent = Buffer.concat([encodeTlv(0x02, bytes('01')), encodeTlv(0x06, bytes('28D316010008')), encodeTlv(0x31, field)])
    expect(toHex(encodeTlv(0x6d, encodeTlv(0x30, sequenceContent)))).toBe(toHex(encoded))
    const root = decodeTlv(encoded)
    expect(root).toMatchObject({ tag: 0x6d, constructed: true })
    if (!root.constructed) throw new Error('constructed expected')
    const [sequence] = root.children
    if (!sequence?.constructed) throw new Error('SEQUENCE expected')
    expect(sequence.children.map((child) => child.tag)).toEqual([0x02, 0x06, 0x31])
    const set = sequence.children[2]
    if (!set?.constructed) throw new Error('SET expected')
    const idString = set.children[0]?.constructed ? set.children[0].children[1] : undefined
    expect(idString?.value.toString('latin1')).toBe('048093000001')
    expect(toHex(set.encoded)).toBe(toHex(encodeTlv(0x31, field)))
  })

  it('reads two-byte tags and tells constructed from primitive by bit 6 of the first tag byte', () => {
    const [group, version] = decodeTlvList(bytes('7F6103020101' + '5F0104' + '30313037'))
    expect(group).toMatchObject({ tag: 0x7f61, constructed: true })
    expect(version).toMatchObject({ tag: 0x5f01, constructed: false })
    expect(version?.value.toString('latin1')).toBe('0107')
  })

  it('reads three-byte tags', () => {
    expect(decodeTlv(bytes('9F810102ABCD'))).toMatchObject({ tag: 0x9f8101, constructed: false })
  })

  it('reads long-form lengths of one to four bytes, minimal or not', () => {
    for (const [lengthBytes, length] of [['8180', 0x80], ['82012C', 300], ['83000005', 5], ['8400000003', 3]] as const) {
      const tlv = decodeTlv(Buffer.concat([bytes('04' + lengthBytes), Buffer.alloc(length, 0xaa)]))
      expect(tlv.value.length).toBe(length)
    }
  })

  it('reads a header from a prefix so a file reader knows how much to fetch', () => {
    expect(decodeTlvHeader(bytes('75823A10FF'))).toEqual({ tag: 0x75, constructed: true, headerLength: 4, valueLength: 0x3a10 })
  })

  it('returns views into the input, and decodes zero-length values', () => {
    const input = bytes('0400' + '3000')
    const [empty, emptySequence] = decodeTlvList(input)
    expect(empty?.value.length).toBe(0)
    expect(emptySequence).toMatchObject({ constructed: true, children: [] })
  })

  it.each<[string, string, TlvErrorCode]>([
    ['empty input', '', 'truncated'],
    ['a lone multi-byte tag mark', '5F', 'truncated'],
    ['a tag without length', '5F1F', 'truncated'],
    ['a value shorter than its length', '04050102', 'truncated'],
    ['long-form length bytes missing', '048201', 'truncated'],
    ['a child running past its parent', '3003040500', 'truncated'],
    ['the indefinite length form', '04800000', 'invalidLength'],
    ['a five-byte length', '04850000000001AA', 'invalidLength'],
    ['a tag number with a leading zero digit', '5F800100', 'invalidTag'],
    ['a tag of four bytes', '5F8181010100', 'invalidTag'],
    ['a declared length beyond the size limit', '0484FFFFFFFF', 'tooLarge'],
  ])('rejects %s', (_name, hex, code) => {
    expectTlvError(() => decodeTlv(bytes(hex)), code)
  })

  it('rejects nesting deeper than the limit and input larger than the limit', () => {
    let nested = encodeTlv(0x04, bytes('00'))
    for (let depth = 0; depth < 5; depth += 1) nested = encodeTlv(0x30, nested)
    expect(() => decodeTlv(nested, { maxDepth: 6 })).not.toThrow()
    expectTlvError(() => decodeTlv(nested, { maxDepth: 5 }), 'tooDeep')
    expectTlvError(() => decodeTlv(encodeTlv(0x04, Buffer.alloc(20)), { maxSize: 21 }), 'tooLarge')
  })

  it('insists on exactly one object where one is expected', () => {
    expectTlvError(() => decodeTlv(bytes('04000400')), 'trailingData')
  })
})

describe('BER-TLV encoding', () => {
  it('uses the shortest length form', () => {
    expect(toHex(encodeTlv(0x87, Buffer.alloc(0x7f))).slice(0, 4)).toBe('877F')
    expect(toHex(encodeTlv(0x87, Buffer.alloc(0x80))).slice(0, 6)).toBe('878180')
    expect(toHex(encodeTlv(0x87, Buffer.alloc(300))).slice(0, 8)).toBe('8782012C')
    expect(toHex(encodeTlv(0x87, Buffer.alloc(70000))).slice(0, 10)).toBe('8783011170')
    expect(toHex(encodeTlv(0x5f1f, bytes('41')))).toBe('5F1F0141')
  })

  it.each([
    ['a lone multi-byte tag mark', 0x1f],
    ['a multi-byte tag whose last byte says more follow', 0x5f81],
    ['two bytes without the multi-byte mark', 0x4101],
    ['a negative number', -1],
    ['a fraction', 1.5],
    ['more than three bytes', 0x5f818101],
  ])('rejects %s as a tag', (_name, tag) => {
    expectTlvError(() => encodeTlv(tag, bytes('00')), 'invalidTag')
  })
})

interface TreeSpec {
  tag: number
  value?: Uint8Array
  children?: TreeSpec[]
}

const tree = fc.letrec<{ node: TreeSpec }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 5 },
    fc.record({ tag: fc.constantFrom(0x02, 0x04, 0x0c, 0x5f1f, 0x87, 0x9f8101), value: fc.uint8Array({ maxLength: 300 }) }),
    fc.record({ tag: fc.constantFrom(0x30, 0x31, 0x6d, 0x7f61, 0xbf8101), children: fc.array(tie('node'), { maxLength: 4 }) }),
  ),
}))

function encodeSpec(spec: TreeSpec): Buffer {
  return encodeTlv(spec.tag, spec.children ? Buffer.concat(spec.children.map(encodeSpec)) : (spec.value ?? Buffer.alloc(0)))
}

function shape(node: Tlv): TreeSpec {
  return node.constructed ? { tag: node.tag, children: node.children.map(shape) } : { tag: node.tag, value: new Uint8Array(node.value) }
}

function specShape(spec: TreeSpec): TreeSpec {
  if (spec.children) return { tag: spec.tag, children: spec.children.map(specShape) }
  return { tag: spec.tag, value: new Uint8Array(spec.value ?? []) }
}

describe('BER-TLV properties', () => {
  it('throws nothing but TlvError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (input) => {
        try {
          decodeTlvList(input)
        } catch (error) {
          if (!(error instanceof TlvError)) throw error
        }
      }),
      { numRuns: FUZZ_RUNS },
    )
  })

  it('decodes what it encodes, byte for byte', () => {
    fc.assert(
      fc.property(tree.node, (spec) => {
        const encoded = encodeSpec(spec)
        const decoded = decodeTlv(encoded)
        expect(shape(decoded)).toEqual(specShape(spec))
        expect(toHex(decoded.encoded)).toBe(toHex(encoded))
      }),
      { numRuns: FUZZ_RUNS },
    )
  })

  it('reports any cut-short encoding as truncated', () => {
    fc.assert(
      fc.property(tree.node, fc.nat(), (spec, cutSeed) => {
        const encoded = encodeSpec(spec)
        expectTlvError(() => decodeTlv(encoded.subarray(0, cutSeed % encoded.length)), 'truncated')
      }),
      { numRuns: FUZZ_RUNS },
    )
  })
})
