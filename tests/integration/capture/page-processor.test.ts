/**
 * processPage end to end: decoding with sharp, the pipeline in its worker thread, encoding. The encoded pages are
 * checked by independent decoders: the CCITT G4 stream wrapped in a PDF and extracted by poppler's pdfimages,
 * JPEG headers read byte by byte and by ImageMagick's identify.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { crc32, deflateSync } from 'node:zlib'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_INPUT_PIXELS } from '../../../src/shared/capture/geometry'
import { closePageProcessor, createPageProcessor, processPage, startPageWorker, type ProcessedPage, type ProcessPageOptions } from '../../../src/main/services/capture/page-processor'
import { makeFlatScan, makePagePhoto } from '../../helpers/page-photos'

const dir = mkdtempSync(join(tmpdir(), 'page-processor-'))
let photo: Uint8Array
let scan: Uint8Array

beforeAll(() => {
  photo = readFileSync(makePagePhoto({ dir, texture: 'cluttered' }).photoPath)
  scan = readFileSync(makeFlatScan({ dir, skewDegrees: -8 }).scanPath)
}, 120_000)

afterAll(() => closePageProcessor())

function tool(command: string, args: readonly string[]): Buffer {
  try {
    return execFileSync(command, args)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${command} is not installed; this test needs it (Debian: poppler-utils / imagemagick)`)
    throw error
  }
}

/** The smallest PDF showing one CCITT G4 image with the parameters ProcessedPage promises. */
function g4Pdf(page: ProcessedPage): Buffer {
  const parts: Buffer[] = []
  const offsets: number[] = []
  let length = 0
  const add = (chunk: Buffer | Uint8Array): void => {
    parts.push(Buffer.from(chunk))
    length += chunk.length
  }
  const object = (number: number, dictionary: string, stream?: Uint8Array): void => {
    offsets[number] = length
    add(Buffer.from(`${number} 0 obj\n${dictionary}\n`, 'latin1'))
    if (stream) {
      add(Buffer.from('stream\n', 'latin1'))
      add(stream)
      add(Buffer.from('\nendstream\n', 'latin1'))
    }
    add(Buffer.from('endobj\n', 'latin1'))
  }
  add(Buffer.from('%PDF-1.4\n', 'latin1'))
  object(1, '<< /Type /Catalog /Pages 2 0 R >>')
  object(2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>')
  object(3, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>')
  const { widthPx: w, heightPx: h } = page
  object(4, `<< /Type /XObject /Subtype /Image /Width ${w} /Height ${h} /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns ${w} /Rows ${h} /BlackIs1 false /EncodedByteAlign false /EndOfBlock true >> /Length ${page.bytes.length} >>`, page.bytes)
  const content = Buffer.from('q 595 0 0 842 0 0 cm /Im0 Do Q', 'latin1')
  object(5, `<< /Length ${content.length} >>`, content)
  const xref = length
  add(Buffer.from(`xref\n0 6\n0000000000 65535 f \n${offsets.slice(1).map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('')}trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`, 'latin1'))
  return Buffer.concat(parts)
}

/** The JFIF APP0 segment's units and densities, and the number of components in the SOF0 (baseline) frame. */
function jpegHeader(jpeg: Uint8Array): { units: number; xDensity: number; yDensity: number; baseline: boolean; components: number } {
  const bytes = Buffer.from(jpeg)
  expect(bytes.subarray(0, 4)).toEqual(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))
  expect(bytes.toString('latin1', 6, 11)).toBe('JFIF\0')
  let at = 2
  let baseline = false
  let components = 0
  while (at < bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1]!
    if (marker === 0xc0 || marker === 0xc2) {
      baseline = marker === 0xc0
      components = bytes[at + 9]!
      break
    }
    at += 2 + bytes.readUInt16BE(at + 2)
  }
  return { units: bytes[13]!, xDensity: bytes.readUInt16BE(14), yDensity: bytes.readUInt16BE(16), baseline, components }
}

const photoOptions: ProcessPageOptions = { mode: 'bw', dpi: 200, source: 'photo' }

describe('processPage', () => {
  it('makes a black-and-white page a CCITT G4 stream that poppler decodes to the same page, under 80 KiB', async () => {
    const page = await processPage(photo, photoOptions)
    expect(page).toMatchObject({ encoding: 'ccitt-g4', widthPx: 1654, heightPx: 2339, dpi: 200, rotation: 0, blank: false })
    expect(page.bytes.length).toBeLessThanOrEqual(80 * 1024)
    expect(page.sha256).toBe(createHash('sha256').update(page.bytes).digest('hex'))

    const pdfPath = join(dir, 'g4.pdf')
    writeFileSync(pdfPath, g4Pdf(page))
    expect(tool('pdfimages', ['-list', pdfPath]).toString()).toMatch(/1654\s+2339\s+gray\s+1\s+1\s+ccitt/)
    tool('pdfimages', ['-png', pdfPath, join(dir, 'g4')])
    const decoded = await sharp(join(dir, 'g4-000.png')).greyscale().raw().toBuffer({ resolveWithObject: true })
    expect(decoded.info).toMatchObject({ width: 1654, height: 2339 })
    // The decoded ink lies on the OCR image's dark print, and its paper on white: same pixels, right polarity.
    const ocr = await sharp(page.ocrImage).extractChannel(0).raw().toBuffer({ resolveWithObject: true })
    expect(ocr.info).toMatchObject({ width: 1654, height: 2339, channels: 1 })
    let ink = 0
    let inkLevel = 0
    let paperLevel = 0
    for (let index = 0; index < decoded.data.length; index++) {
      if (decoded.data[index]! < 128) {
        ink++
        inkLevel += ocr.data[index]!
      } else paperLevel += ocr.data[index]!
    }
    const inkShare = ink / decoded.data.length
    expect(inkShare).toBeGreaterThan(0.005)
    expect(inkShare).toBeLessThan(0.15)
    expect(inkLevel / ink).toBeLessThan(128)
    expect(paperLevel / (decoded.data.length - ink)).toBeGreaterThan(230)
  })

  it('makes a colour page a baseline 4:2:0 JPEG with 200 dpi in its JFIF header, under 300 KiB', async () => {
    const page = await processPage(photo, { ...photoOptions, mode: 'color' })
    expect(page.encoding).toBe('jpeg')
    expect(page.bytes.length).toBeLessThanOrEqual(300 * 1024)
    expect(jpegHeader(page.bytes)).toEqual({ units: 1, xDensity: 200, yDensity: 200, baseline: true, components: 3 })
    const jpegPath = join(dir, 'colour.jpg')
    writeFileSync(jpegPath, page.bytes)
    expect(tool('identify', ['-format', '%w %h %[jpeg:sampling-factor] %x', jpegPath]).toString()).toMatch(/^1654 2339 2x2,1x1,1x1 200/)
  })

  it('makes a grey page a one-component JPEG', async () => {
    const page = await processPage(photo, { ...photoOptions, mode: 'gray' })
    expect(jpegHeader(page.bytes)).toMatchObject({ components: 1, baseline: true, xDensity: 200 })
    expect(page.bytes.length).toBeLessThanOrEqual(300 * 1024)
  })

  it('gives a grey OCR PNG at the dpi and a thumbnail at most 240 px tall', async () => {
    const page = await processPage(scan, { mode: 'color', dpi: 300, source: 'scan' })
    expect(await sharp(page.ocrImage).metadata()).toMatchObject({ format: 'png', width: 2480, height: 3508, channels: 1, density: 300 })
    const thumbnail = await sharp(page.thumbnailJpeg).metadata()
    expect(thumbnail.format).toBe('jpeg')
    expect(thumbnail.height).toBeLessThanOrEqual(240)
    expect(Math.abs(page.deskewDegrees + 8)).toBeLessThanOrEqual(0.5)
  })

  it('reports the found corners in the source picture, whatever size it was decoded at', async () => {
    const made = makePagePhoto({ dir, name: 'large', photoSize: { width: 6000, height: 4500 }, corners: [{ x: 1810, y: 380 }, { x: 4530, y: 520 }, { x: 4780, y: 4160 }, { x: 1560, y: 4020 }] })
    const page = await processPage(readFileSync(made.photoPath), photoOptions)
    const diagonal = Math.hypot(4780 - 1810, 4160 - 380)
    page.corners!.forEach((corner, index) => expect(Math.hypot(corner.x - made.trueCorners[index]!.x, corner.y - made.trueCorners[index]!.y)).toBeLessThanOrEqual(0.01 * diagonal))
  }, 60_000)

  it('queues pages for its one worker and answers each', async () => {
    const processor = createPageProcessor()
    try {
      const pages = await Promise.all([1, 2, 3].map(() => processor.processPage(scan, { mode: 'bw', dpi: 200, source: 'scan' })))
      expect(new Set(pages.map((page) => page.sha256)).size).toBe(1)
    } finally {
      await processor.close()
    }
  })

  it('starts a new worker when its idle one has died, instead of handing the dead one out', async () => {
    const workers: Worker[] = []
    const processor = createPageProcessor({
      startWorker: () => {
        const worker = startPageWorker()
        workers.push(worker)
        return worker
      },
    })
    try {
      await processor.processPage(scan, { mode: 'bw', dpi: 200, source: 'scan' })
      await workers[0]!.terminate()
      await expect(processor.processPage(scan, { mode: 'bw', dpi: 200, source: 'scan' })).resolves.toMatchObject({ encoding: 'ccitt-g4' })
      expect(workers).toHaveLength(2)
    } finally {
      await processor.close()
    }
  }, 60_000)

  it('stops a worker stuck on a page and says so, then gives the next page to a new one', async () => {
    const exited: number[] = []
    // The first worker never answers; the next one answers at once (that it answers is all this test needs).
    const stuck = 'setInterval(() => {}, 1000)'
    const answering = "const { parentPort } = require('node:worker_threads'); parentPort.on('message', (job) => parentPort.postMessage({ id: job.id, ok: false, message: 'the second worker' }))"
    let started = 0
    const processor = createPageProcessor({
      pageTimeoutMs: 1_000,
      startWorker: () => {
        const worker = new Worker(started++ === 0 ? stuck : answering, { eval: true })
        worker.once('exit', (code) => exited.push(code))
        return worker
      },
    })
    try {
      await expect(processor.processPage(scan, { mode: 'bw', dpi: 200, source: 'scan' })).rejects.toMatchObject({ code: 'processingFailed', message: expect.stringMatching(/took more than 1000 ms/) })
      await expect.poll(() => exited).toHaveLength(1)
      await expect(processor.processPage(scan, { mode: 'bw', dpi: 200, source: 'scan' })).rejects.toMatchObject({ message: expect.stringMatching(/the second worker/) })
      expect(started).toBe(2)
    } finally {
      await processor.close()
    }
  })
})

describe('processPage refuses bad input with a code', () => {
  const refuses = (image: Uint8Array, code: string, options: ProcessPageOptions = photoOptions) => expect(processPage(image, options)).rejects.toMatchObject({ code })

  it('not an image', () => refuses(Buffer.from('%PDF-1.7 this is not a picture'), 'unreadableImage'))

  it('an empty file', () => refuses(new Uint8Array(0), 'unreadableImage'))

  it('a truncated JPEG', () => refuses(photo.subarray(0, Math.floor(photo.length / 2)), 'unreadableImage'))

  it('a 1×1 picture', async () => refuses(await sharp({ create: { width: 1, height: 1, channels: 3, background: 'white' } }).png().toBuffer(), 'imageTooSmall'))

  it('a picture of more pixels than any page needs (a decompression bomb)', async () => {
    // A PNG header claiming a huge grey picture, with one row of data: the header alone must be enough to refuse it.
    const side = Math.ceil(Math.sqrt(MAX_INPUT_PIXELS)) + 100
    const chunk = (type: string, data: Buffer): Buffer => {
      const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
      const framed = Buffer.alloc(body.length + 8)
      framed.writeUInt32BE(data.length, 0)
      body.copy(framed, 4)
      framed.writeUInt32BE(crc32(body), body.length + 4)
      return framed
    }
    const header = Buffer.alloc(13)
    header.writeUInt32BE(side, 0)
    header.writeUInt32BE(side, 4)
    header.set([8, 0, 0, 0, 0], 8) // 8-bit grey, no interlace
    const bomb = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.alloc(side + 1))), chunk('IEND', Buffer.alloc(0))])
    await refuses(bomb, 'imageTooLarge')
  })

  it('options outside the contract', async () => {
    await refuses(scan, 'invalidOptions', { mode: 'bw', dpi: 150 as 200, source: 'scan' })
    await refuses(scan, 'invalidOptions', { mode: 'sepia' as 'bw', dpi: 200, source: 'scan' })
    await refuses(scan, 'invalidOptions', { mode: 'bw', dpi: 200, source: 'photo', corners: [{ x: 0, y: 0 }] as never })
  })
})
