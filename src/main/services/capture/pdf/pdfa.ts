import { createHash } from 'node:crypto'
import { PDFArray, PDFDict, PDFHexString, PDFName, PDFNumber, PDFString, type PDFDocument } from 'pdf-lib'
import { VIETNAM_OFFSET_MS } from '../../../../shared/domain/time'
import { formatPdfDate } from '../../signing/pdf-date'

/**
 * What makes a PDF a PDF/A-2b (ISO 19005-2, level B) beyond its pages: XMP metadata that says so and agrees
 * with the Info dictionary, an output intent with its ICC profile, a file identifier, and (for the reader)
 * page labels naming the paper each page belongs to.
 */

export interface DocumentDescription {
  readonly title: string
  /** Who made the document: the digitiser. */
  readonly author?: string
  readonly createdAt: Date
  readonly creatorTool: string
  readonly producer: string
}

const XMP_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }
const xmlText = (text: string): string => text.replace(/[&<>"]/g, (character) => XMP_ESCAPES[character]!)

/** The same instant formatPdfDate writes, as XMP wants it: 2026-11-23T19:20:00+07:00. */
function xmpDate(instant: Date): string {
  const local = new Date(Math.floor(instant.getTime() / 1000) * 1000 + VIETNAM_OFFSET_MS)
  return `${local.toISOString().slice(0, 19)}+07:00`
}

function xmpPacket(description: DocumentDescription): string {
  const date = xmpDate(description.createdAt)
  const author = description.author === undefined ? [] : [`   <dc:creator><rdf:Seq><rdf:li>${xmlText(description.author)}</rdf:li></rdf:Seq></dc:creator>`]
  return [
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
    ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    '  <rdf:Description rdf:about=""',
    '    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"',
    '    xmlns:dc="http://purl.org/dc/elements/1.1/"',
    '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"',
    '    xmlns:pdf="http://ns.adobe.com/pdf/1.3/">',
    '   <pdfaid:part>2</pdfaid:part>',
    '   <pdfaid:conformance>B</pdfaid:conformance>',
    '   <dc:format>application/pdf</dc:format>',
    `   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">${xmlText(description.title)}</rdf:li></rdf:Alt></dc:title>`,
    ...author,
    `   <xmp:CreateDate>${date}</xmp:CreateDate>`,
    `   <xmp:ModifyDate>${date}</xmp:ModifyDate>`,
    `   <xmp:MetadataDate>${date}</xmp:MetadataDate>`,
    `   <xmp:CreatorTool>${xmlText(description.creatorTool)}</xmp:CreatorTool>`,
    `   <pdf:Producer>${xmlText(description.producer)}</pdf:Producer>`,
    '  </rdf:Description>',
    ' </rdf:RDF>',
    '</x:xmpmeta>',
    '<?xpacket end="w"?>',
  ].join('\n')
}

/** The Info dictionary and the XMP stream, written from the same description so they cannot disagree. */
export function describeDocument(doc: PDFDocument, description: DocumentDescription): void {
  const { context } = doc
  const pdfDate = PDFString.of(formatPdfDate(description.createdAt))
  const info = context.obj({})
  info.set(PDFName.of('Title'), PDFHexString.fromText(description.title))
  if (description.author !== undefined) info.set(PDFName.of('Author'), PDFHexString.fromText(description.author))
  info.set(PDFName.of('Creator'), PDFHexString.fromText(description.creatorTool))
  info.set(PDFName.of('Producer'), PDFHexString.fromText(description.producer))
  info.set(PDFName.of('CreationDate'), pdfDate)
  info.set(PDFName.of('ModDate'), pdfDate)
  context.trailerInfo.Info = context.register(info)

  // PDF/A wants the metadata stream readable without filters.
  const metadata = context.stream(Buffer.from(xmpPacket(description), 'utf8'), { Type: 'Metadata', Subtype: 'XML' })
  doc.catalog.set(PDFName.of('Metadata'), context.register(metadata))
}

/** The sRGB output intent: the colour the JPEG pages (sRGB or grey) are to be reproduced in. */
export function addSrgbOutputIntent(doc: PDFDocument, iccProfile: Uint8Array): void {
  const { context } = doc
  const profile = context.register(context.flateStream(iccProfile, { N: 3 }))
  const intent = context.obj({
    Type: 'OutputIntent',
    S: 'GTS_PDFA1',
    OutputConditionIdentifier: PDFString.of('sRGB IEC61966-2.1'),
    RegistryName: PDFString.of('http://www.color.org'),
    Info: PDFString.of('sRGB IEC61966-2.1'),
    DestOutputProfile: profile,
  })
  doc.catalog.set(PDFName.of('OutputIntents'), context.obj([intent]))
}

/**
 * The file identifier, both halves the same (a new document), from a digest of what makes this document this
 * one: the same pages, title and time give the same file.
 */
export function setDocumentId(doc: PDFDocument, contentDigest: Buffer): void {
  const id = PDFHexString.of(createHash('sha256').update(contentDigest).digest('hex').slice(0, 32))
  doc.context.trailerInfo.ID = doc.context.obj([id, id])
}

/**
 * /PageLabels: consecutive pages of one paper share a range labelled "<paper> 1", "<paper> 2", ...; pages
 * without a paper keep their plain page number.
 */
export function setPageLabels(doc: PDFDocument, labels: ReadonlyArray<string | undefined>): void {
  const { context } = doc
  const nums = PDFArray.withContext(context)
  labels.forEach((label, index) => {
    if (index > 0 && labels[index - 1] === label) return
    const range = PDFDict.withContext(context)
    range.set(PDFName.of('S'), PDFName.of('D'))
    if (label === undefined) range.set(PDFName.of('St'), PDFNumber.of(index + 1))
    else range.set(PDFName.of('P'), PDFHexString.fromText(`${label} `))
    nums.push(PDFNumber.of(index))
    nums.push(range)
  })
  doc.catalog.set(PDFName.of('PageLabels'), context.obj({ Nums: nums }))
}
