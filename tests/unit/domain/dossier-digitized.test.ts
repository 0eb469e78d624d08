import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { blobsReferencedBy, foldDossiers } from '../../../src/shared/domain/dossier/dossiers'
import { DossierEvent, DossierPapersDigitizedSchema, paperIdAt, type DossierPapersDigitized } from '../../../src/shared/domain/dossier/events'
import { DeviceLog, TEST_DAY, TEST_DAY_START_MS } from '../../helpers/events'

const sha = (n: number): string => n.toString(16).padStart(64, '0')
const CODE = '48.20242-261123-0001'
const digitized: DossierPapersDigitized = {
  dossierCode: CODE,
  pdf: { sha256: sha(100), bytes: 345_678, fileName: `${CODE}.1.pdf`, pages: 3 },
  pagesByPaper: [
    { paperId: 'paper-1', pageSha256s: [sha(1), sha(2)] },
    { paperId: 'paper-3', pageSha256s: [sha(3)] },
  ],
}

describe('dossier.papersDigitized', () => {
  it('names papers by their place in the dossier', () => {
    expect([0, 1, 9].map(paperIdAt)).toEqual(['paper-1', 'paper-2', 'paper-10'])
  })

  it('accepts what "Hoàn tất số hoá" records', () => {
    expect(DossierPapersDigitizedSchema.parse(digitized)).toEqual(digitized)
  })

  it.each([
    ['a PDF hash that is not hex SHA-256', { pdf: { ...digitized.pdf, sha256: 'ABC' } }],
    ['a page hash in capitals', { pagesByPaper: [{ paperId: 'paper-1', pageSha256s: [sha(1).toUpperCase().replace(/0/g, 'F')] }] }],
    ['a file name with a path', { pdf: { ...digitized.pdf, fileName: '../x.pdf' } }],
    ['a paper with no pages', { pagesByPaper: [{ paperId: 'paper-1', pageSha256s: [] }] }],
    ['no paper at all', { pagesByPaper: [] }],
    ['a paper id of another shape', { pagesByPaper: [{ paperId: 'giay-khai-sinh', pageSha256s: [sha(1)] }] }],
    ['a dossier code that is not one', { dossierCode: 'HS-1' }],
    ['an extra field (a clear-text name, say)', { applicantName: 'Nguyễn Văn A' }],
  ])('refuses %s', (_name, change) => {
    expect(DossierPapersDigitizedSchema.safeParse({ ...digitized, ...change }).success).toBe(false)
  })

  it('tells sync which files an event refers to: the PDF and every page, each once', () => {
    const device = new DeviceLog('counter-0001')
    const event = device.event(DossierEvent.papersDigitized, { ...digitized, pagesByPaper: [...digitized.pagesByPaper, { paperId: 'paper-4', pageSha256s: [sha(1)] }] }, TEST_DAY_START_MS)
    expect(blobsReferencedBy(event).sort()).toEqual([sha(1), sha(2), sha(3), sha(100)])
    expect(blobsReferencedBy(device.event(DossierEvent.receiptIssued, { dossierId: randomUUID() }, TEST_DAY_START_MS))).toEqual([])
    expect(blobsReferencedBy(device.event(DossierEvent.papersDigitized, { dossierCode: CODE }, TEST_DAY_START_MS))).toEqual([])
    expect(blobsReferencedBy({ ...event, v: 2 })).toEqual([])
  })

  it('is folded into its dossier, by code, in order; one for an unknown dossier is ignored', () => {
    const device = new DeviceLog('counter-0001')
    const dossierId = randomUUID()
    const received = {
      dossierId,
      code: CODE,
      procedureId: '1.000894',
      applicant: { alg: 'A256GCM', kid: 'k', iv: 'AAAAAAAAAAAAAAAA', ct: 'AAAA' },
      identifiedBy: 'typed',
      papers: [{ name: 'Tờ khai', originals: 1, certifiedCopies: 0, copies: 0 }],
      sets: 1,
      feeVnd: 0,
      receivedAt: TEST_DAY_START_MS,
      returnAt: TEST_DAY_START_MS + 86_400_000,
      counter: 1,
      officer: 'Trần Thị Lan',
    }
    const second = { ...digitized, pdf: { ...digitized.pdf, fileName: `${CODE}.2.pdf`, sha256: sha(200) } }
    const events = [
      device.event(DossierEvent.received, received, TEST_DAY_START_MS),
      device.event(DossierEvent.papersDigitized, digitized, TEST_DAY_START_MS + 1000),
      device.event(DossierEvent.papersDigitized, second, TEST_DAY_START_MS + 2000),
      device.event(DossierEvent.papersDigitized, { ...digitized, dossierCode: '48.20242-261123-0099' }, TEST_DAY_START_MS + 3000),
    ]
    const [dossier] = foldDossiers(events, TEST_DAY)
    expect(dossier!.digitized.map((entry) => entry.pdf.fileName)).toEqual([`${CODE}.1.pdf`, `${CODE}.2.pdf`])
  })
})
