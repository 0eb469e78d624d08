import { createHash } from 'node:crypto'
import {
  PDFArray,
  PDFCrossRefSection,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFRef,
  PDFString,
  PDFTrailer,
  PDFTrailerDict,
  StandardFonts,
  type PDFObject,
} from 'pdf-lib'
import { buildDetachedSignedData } from './cms'
import { SigningError } from './errors'
import { formatPdfDate } from './pdf-date'
import type { Signer } from './signer'

/**
 * PAdES baseline B-B signing (ETSI EN 319 142-1) as an incremental update: the original bytes stay
 * untouched and the signature field, its widget, the signature dictionary and the edited catalog and
 * page are appended with their own cross-reference section, so earlier signatures remain valid.
 */

export interface VisibleSignature {
  /** Lower-left corner and size on page 1, in PDF points. */
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
  /**
   * Lines written from the top-left corner in Helvetica, so limited to WinAnsi (Windows-1252) characters.
   * Omitted: an empty appearance, for a document that already shows the signer in its own content in an
   * embedded font (Vietnamese text; PDF/A, where the unembedded Helvetica is not allowed).
   */
  readonly text?: string
}

export interface PdfSignatureOptions {
  readonly signer: Signer
  readonly reason: string
  readonly location: string
  /** The signer's name as shown by viewers; they read it from the certificate when absent. */
  readonly name?: string
  /** Omitted: an invisible signature. */
  readonly visible?: VisibleSignature
  /** Source of the claimed signing time written to /M. */
  readonly now?: () => Date
}

export type PadesErrorCode = 'invalidPdf' | 'encryptedPdf' | 'textNotEncodable' | 'signatureTooLarge'

export class PadesError extends SigningError<PadesErrorCode> {}

/** Room for the CMS: 8 KiB, written as 16 KiB of hex. A later B-T timestamp token must fit here too. */
const CONTENTS_CAPACITY_BYTES = 8192
const CONTENTS_HEX_LENGTH = CONTENTS_CAPACITY_BYTES * 2
/** Wide enough for "0 a b c" with ten-digit offsets; the remainder stays spaces. */
const BYTE_RANGE_WIDTH = 40
/** Widget flags: Print (4) so it prints, Locked (128) so viewers don't let it move. */
const WIDGET_FLAGS = 4 | 128
/** AcroForm SigFlags: SignaturesExist (1) | AppendOnly (2). */
const SIG_FLAGS = 3
const APPEARANCE_FONT = { resourceName: 'Helv', size: 9, leading: 11, padding: 3 }

const STARTXREF_AT_END = /startxref\s+(\d+)\s+%%EOF\s*$/

interface Serializable {
  sizeInBytes(): number
  copyBytesInto(buffer: Uint8Array, offset: number): number
}

function bytesOf(object: Serializable): Buffer {
  const bytes = Buffer.alloc(object.sizeInBytes())
  object.copyBytesInto(bytes, 0)
  return bytes
}

async function loadPdf(pdf: Buffer): Promise<PDFDocument> {
  let doc: PDFDocument
  try {
    // pdf-lib's EncryptedPDFError is not recognisable once caught (ES5 Error subclass), so check the flag ourselves.
    doc = await PDFDocument.load(pdf, { updateMetadata: false, ignoreEncryption: true })
  } catch (error) {
    throw new PadesError('invalidPdf', 'The document could not be parsed as a PDF', { cause: error })
  }
  if (doc.isEncrypted) throw new PadesError('encryptedPdf', 'Encrypted PDFs cannot be signed here')
  return doc
}

interface PreviousRevision {
  /** Offset of the cross-reference section the update chains to with /Prev. */
  readonly xrefOffset: number
  /** Its /Size: new objects are numbered from here, above object and xref streams pdf-lib does not register. */
  readonly size: number
}

function previousRevision(pdf: Buffer): PreviousRevision {
  const xrefOffset = Number(STARTXREF_AT_END.exec(pdf.subarray(-1024).toString('latin1'))?.[1] ?? Number.NaN)
  // The first /Size after the section start belongs to its trailer (table) or stream dictionary (xref stream).
  const size = Number(/\/Size\s+(\d+)/.exec(pdf.subarray(xrefOffset).toString('latin1'))?.[1] ?? Number.NaN)
  if (!(xrefOffset < pdf.length) || !Number.isSafeInteger(size)) throw new PadesError('invalidPdf', 'The PDF does not end with a readable cross-reference section')
  return { xrefOffset, size }
}

/** Edits to objects that already exist: each is rewritten in full in the update, so we record which ones changed. */
class ExistingObjectEdits {
  readonly changed = new Set<PDFRef>()

  constructor(private readonly doc: PDFDocument) {}

  /**
   * The dictionary or array under `key` of `holder` (created when missing), with the indirect object that
   * stores it, which is marked for rewriting. `holderRef` is the indirect object that stores `holder`.
   */
  dictionary(holder: PDFDict, holderRef: PDFRef, key: string) {
    return this.container(holder, holderRef, key, () => this.doc.context.obj({}), (value): value is PDFDict => value instanceof PDFDict)
  }

  array(holder: PDFDict, holderRef: PDFRef, key: string) {
    return this.container(holder, holderRef, key, () => this.doc.context.obj([]), (value): value is PDFArray => value instanceof PDFArray)
  }

  private container<T extends PDFObject>(holder: PDFDict, holderRef: PDFRef, key: string, create: () => T, isExpected: (value: PDFObject) => value is T): { value: T; ref: PDFRef } {
    const entry = holder.get(PDFName.of(key))
    const ref = entry instanceof PDFRef ? entry : holderRef
    const value = entry instanceof PDFRef ? this.doc.context.lookup(entry) : entry
    this.changed.add(ref)
    if (value === undefined) {
      const created = create()
      holder.set(PDFName.of(key), created)
      return { value: created, ref }
    }
    if (!isExpected(value)) throw new PadesError('invalidPdf', `/${key} has an unexpected type`)
    return { value, ref }
  }
}

/** A form XObject with a thin border and `text` from the top-left corner; empty without text. */
async function appearanceStream(doc: PDFDocument, visible: VisibleSignature): Promise<PDFRef> {
  if (visible.text === undefined) return doc.context.register(doc.context.stream('', { Type: 'XObject', Subtype: 'Form', BBox: [0, 0, visible.width, visible.height] }))
  const font = doc.embedStandardFont(StandardFonts.Helvetica)
  const { resourceName, size, leading, padding } = APPEARANCE_FONT
  let lines: string[]
  try {
    lines = visible.text.split('\n').map((line) => font.encodeText(line).toString())
  } catch (error) {
    throw new PadesError('textNotEncodable', 'The visible signature text has characters outside WinAnsi', { cause: error })
  }
  await font.embed()
  const content = [
    `q 0.5 w ${0.25} ${0.25} ${visible.width - 0.5} ${visible.height - 0.5} re S Q`,
    `BT /${resourceName} ${size} Tf ${leading} TL ${padding} ${visible.height - padding - size} Td`,
    lines.map((line) => `${line} Tj`).join(' T* '),
    'ET',
  ].join('\n')
  const stream = doc.context.stream(content, {
    Type: 'XObject',
    Subtype: 'Form',
    BBox: [0, 0, visible.width, visible.height],
    Resources: { Font: { [resourceName]: font.ref } },
  })
  return doc.context.register(stream)
}

interface Placeholder {
  readonly text: string
  readonly byteRangeAt: number
  readonly contentsAt: number
}

/** The signature dictionary, written by hand so /ByteRange and /Contents sit at known offsets for patching. */
function signatureDictionary(options: PdfSignatureOptions, signingTime: Date): Placeholder {
  const textEntry = (key: string, value: string | undefined) => (value === undefined ? [] : [`/${key} ${PDFHexString.fromText(value).toString()}`])
  const head = ['<<', '/Type /Sig', '/Filter /Adobe.PPKLite', '/SubFilter /ETSI.CAdES.detached', '/ByteRange ['].join('\n')
  const middle = `${' '.repeat(BYTE_RANGE_WIDTH)}]\n/Contents `
  const tail = [
    `<${'0'.repeat(CONTENTS_HEX_LENGTH)}>`,
    `/M ${PDFString.of(formatPdfDate(signingTime)).toString()}`,
    ...textEntry('Reason', options.reason),
    ...textEntry('Location', options.location),
    ...textEntry('Name', options.name),
    '>>',
  ].join('\n')
  return { text: head + middle + tail, byteRangeAt: head.length, contentsAt: head.length + middle.length }
}

interface SignatureField {
  readonly signatureRef: PDFRef
  /** Existing and new objects the update must carry, the signature dictionary aside. */
  readonly objectsToWrite: ReadonlyArray<[PDFRef, PDFObject]>
}

/** Adds the signature field's widget on page 1 to the AcroForm and the page; /V points at the yet unwritten signature dictionary. */
async function addSignatureField(doc: PDFDocument, previous: PreviousRevision, visible: VisibleSignature | undefined): Promise<SignatureField> {
  if (doc.getPageCount() === 0) throw new PadesError('invalidPdf', 'The PDF has no pages')
  const { context } = doc
  const catalogRef = context.trailerInfo.Root
  if (!(catalogRef instanceof PDFRef)) throw new PadesError('invalidPdf', 'The trailer has no indirect /Root')
  context.largestObjectNumber = Math.max(context.largestObjectNumber, previous.size - 1)
  const firstNewObjectNumber = context.largestObjectNumber + 1

  const page = doc.getPage(0)
  const signatureRef = context.nextRef()
  const widget = context.obj({
    Type: 'Annot',
    Subtype: 'Widget',
    FT: 'Sig',
    T: PDFString.of(`Signature${signatureRef.objectNumber}`),
    F: WIDGET_FLAGS,
    P: page.ref,
    V: signatureRef,
    Rect: visible ? [visible.x, visible.y, visible.x + visible.width, visible.y + visible.height] : [0, 0, 0, 0],
  })
  if (visible) widget.set(PDFName.of('AP'), context.obj({ N: await appearanceStream(doc, visible) }))
  const widgetRef = context.register(widget)

  const edits = new ExistingObjectEdits(doc)
  const acroForm = edits.dictionary(doc.catalog, catalogRef, 'AcroForm')
  acroForm.value.set(PDFName.of('SigFlags'), PDFNumber.of(SIG_FLAGS))
  edits.array(acroForm.value, acroForm.ref, 'Fields').value.push(widgetRef)
  edits.array(page.node, page.ref, 'Annots').value.push(widgetRef)

  const objectsToWrite = context.enumerateIndirectObjects().filter(([ref]) => edits.changed.has(ref) || ref.objectNumber >= firstNewObjectNumber)
  return { signatureRef, objectsToWrite }
}

const OBJECT_END = Buffer.from('\nendobj\n')

/** The original bytes, then the objects, a cross-reference section for them and a trailer chained to the previous one. */
function appendUpdate(pdf: Buffer, doc: PDFDocument, previous: PreviousRevision, field: SignatureField, placeholder: Placeholder): { file: Buffer; signatureDictionaryAt: number } {
  const bodies = new Map<PDFRef, Buffer>(field.objectsToWrite.map(([ref, object]) => [ref, bytesOf(object)]))
  bodies.set(field.signatureRef, Buffer.from(placeholder.text, 'latin1'))

  const separator = Buffer.from(pdf.at(-1) === 0x0a ? '' : '\n')
  const parts = [pdf, separator]
  let offset = pdf.length + separator.length
  let signatureDictionaryAt = 0
  const xref = PDFCrossRefSection.createEmpty()
  for (const [ref, body] of [...bodies].sort(([a], [b]) => a.objectNumber - b.objectNumber)) {
    const header = Buffer.from(`${ref.objectNumber} ${ref.generationNumber} obj\n`)
    if (ref === field.signatureRef) signatureDictionaryAt = offset + header.length
    xref.addEntry(ref, offset)
    parts.push(header, body, OBJECT_END)
    offset += header.length + body.length + OBJECT_END.length
  }

  const { context } = doc
  const trailer = context.obj({ Size: context.largestObjectNumber + 1, Root: context.trailerInfo.Root, Prev: previous.xrefOffset })
  // Keep /Info and the file identifier of the original, as an incremental update should.
  if (context.trailerInfo.Info) trailer.set(PDFName.of('Info'), context.trailerInfo.Info)
  if (context.trailerInfo.ID) trailer.set(PDFName.of('ID'), context.trailerInfo.ID)
  parts.push(bytesOf(xref), Buffer.from('\n'), bytesOf(PDFTrailerDict.of(trailer)), Buffer.from('\n'), bytesOf(PDFTrailer.forLastCrossRefSectionOffset(offset)), Buffer.from('\n'))
  return { file: Buffer.concat(parts), signatureDictionaryAt }
}

/** Signs `pdf` on page 1 and returns the signed file; the input must be an unencrypted PDF with at least one page. */
export async function signPdf(pdf: Buffer, options: PdfSignatureOptions): Promise<Buffer> {
  const doc = await loadPdf(pdf)
  const previous = previousRevision(pdf)
  const field = await addSignatureField(doc, previous, options.visible)
  const placeholder = signatureDictionary(options, (options.now ?? (() => new Date()))())
  const { file, signatureDictionaryAt } = appendUpdate(pdf, doc, previous, field, placeholder)
  return fillSignature(file, signatureDictionaryAt, placeholder, options.signer)
}

/** Writes the final /ByteRange, hashes what it covers and puts the hex CMS into /Contents. */
async function fillSignature(file: Buffer, dictionaryAt: number, placeholder: Placeholder, signer: Signer): Promise<Buffer> {
  const contentsStart = dictionaryAt + placeholder.contentsAt
  const contentsEnd = contentsStart + CONTENTS_HEX_LENGTH + 2
  const byteRange = `0 ${contentsStart} ${contentsEnd} ${file.length - contentsEnd}`
  file.write(byteRange.padEnd(BYTE_RANGE_WIDTH, ' '), dictionaryAt + placeholder.byteRangeAt, 'latin1')

  const digest = createHash('sha256').update(file.subarray(0, contentsStart)).update(file.subarray(contentsEnd)).digest()
  const cms = await buildDetachedSignedData(digest, signer)
  if (cms.length > CONTENTS_CAPACITY_BYTES) throw new PadesError('signatureTooLarge', `The CMS needs ${cms.length} bytes; /Contents holds ${CONTENTS_CAPACITY_BYTES}`)
  file.write(cms.toString('hex').toUpperCase(), contentsStart + 1, 'latin1')
  return file
}
