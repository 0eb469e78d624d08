import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ProcedureCatalogSchema, returnTime, searchProcedures, type ProcessingTime } from '../../../src/shared/domain/dossier/procedures'
import { WorkingCalendar } from '../../../src/shared/domain/calendar/workdays'
import { PROJECT_ROOT } from '../../helpers/browser-mode-host'

const catalog = ProcedureCatalogSchema.parse(JSON.parse(readFileSync(join(PROJECT_ROOT, 'resources/catalog/procedures.sample.json'), 'utf8')))
const names = (query: string) => searchProcedures(catalog.procedures, query).map((procedure) => procedure.name)

describe('the sample procedure catalogue', () => {
  it('is marked as sample data and holds at least 30 procedures across the commune-level fields', () => {
    expect(catalog.sample).toBe(true)
    expect(catalog.note).toMatch(/MẪU/)
    expect(catalog.procedures.length).toBeGreaterThanOrEqual(30)
    expect(new Set(catalog.procedures.map((procedure) => procedure.fieldId))).toEqual(new Set(['ho-tich', 'chung-thuc', 'cu-tru', 'bao-tro-xa-hoi', 'ho-kinh-doanh', 'xay-dung', 'dat-dai']))
  })

  it('carries the codes from the facts file and null where the code is unknown', () => {
    const codeOf = (id: string) => catalog.procedures.find((procedure) => procedure.id === id)?.code
    expect(codeOf('dang-ky-khai-sinh')).toBe('1.001193')
    expect(codeOf('dang-ky-ket-hon')).toBe('1.000894')
    expect(codeOf('chung-thuc-ban-sao-tu-ban-chinh')).toBe('2.000815')
    expect(codeOf('dang-ky-thuong-tru')).toBe('1.004222')
    expect(codeOf('dang-ky-nhan-cha-me-con')).toBeNull()
    expect(codeOf('chung-thuc-hop-dong-giao-dich')).toBeNull()
  })

  it('gives chứng thực its 15:00 same-day cut-off and fee', () => {
    const copy = catalog.procedures.find((procedure) => procedure.id === 'chung-thuc-ban-sao-tu-ban-chinh')!
    expect(copy.processing).toMatchObject({ workingDays: 0, sameDayCutoff: '15:00' })
    expect(copy.fee.text).toContain('200.000')
    expect(copy.papers[0]).toMatchObject({ originals: 1, certifiedCopies: 0, copies: 0 })
  })

  it('refuses unknown fields, duplicate ids, invented code shapes and papers with no count', () => {
    const [first] = catalog.procedures
    const broken = (patch: object) => ProcedureCatalogSchema.safeParse({ ...catalog, procedures: [{ ...first, ...patch }] }).success
    expect(broken({})).toBe(true)
    expect(broken({ fieldId: 'thue' })).toBe(false)
    expect(broken({ code: '1001193' })).toBe(false)
    expect(broken({ papers: [{ name: 'Tờ khai', originals: 0, certifiedCopies: 0, copies: 0 }] })).toBe(false)
    expect(ProcedureCatalogSchema.safeParse({ ...catalog, procedures: [first, first] }).success).toBe(false)
  })
})

describe('searching procedures', () => {
  it('ignores diacritics and case', () => {
    expect(names('dang ky ket hon')[0]).toBe('Đăng ký kết hôn')
    expect(names('ĐĂNG KÝ KẾT HÔN')[0]).toBe('Đăng ký kết hôn')
    expect(names('Đăng ký kết hôn')[0]).toBe('Đăng ký kết hôn')
  })

  it('ranks the exact name, then names starting with the query, before words found elsewhere', () => {
    const results = names('dang ky khai sinh')
    expect(results[0]).toBe('Đăng ký khai sinh')
    expect(results[1]).toBe('Đăng ký khai sinh kết hợp nhận cha, mẹ, con')
    expect(results).toContain('Đăng ký lại khai sinh')
    expect(results.indexOf('Đăng ký lại khai sinh')).toBeGreaterThan(1)
  })

  it('finds words in any order and by procedure code', () => {
    expect(names('tam tru')).toEqual(expect.arrayContaining(['Đăng ký tạm trú', 'Gia hạn tạm trú']))
    expect(names('chu ky chung thuc')).toContain('Chứng thực chữ ký trong giấy tờ, văn bản')
    expect(names('2.000815')).toEqual(['Chứng thực bản sao từ bản chính giấy tờ, văn bản'])
  })

  it('returns nothing for an empty or unmatched query', () => {
    expect(names('   ')).toEqual([])
    expect(names('hộ chiếu phổ thông')).toEqual([])
  })
})

describe('the return date', () => {
  const at = (iso: string) => Date.parse(iso)
  const due = (receivedIso: string, processing: Pick<ProcessingTime, 'workingDays' | 'sameDayCutoff'>, calendar?: WorkingCalendar) =>
    new Date(returnTime({ receivedAt: at(receivedIso), processing, returnClock: '16:00', ...(calendar && { calendar }) })).toISOString()
  const sameDay = { workingDays: 0, sameDayCutoff: '15:00' }

  it('gives a same-day procedure received before 15:00 the same day at the return time', () => {
    expect(due('2026-10-08T14:59:59+07:00', sameDay)).toBe(new Date('2026-10-08T16:00:00+07:00').toISOString())
    expect(due('2026-10-08T15:00:00+07:00', sameDay)).toBe(new Date('2026-10-08T16:00:00+07:00').toISOString())
  })

  it('moves a dossier received after the 15:00 cut-off to the next working day, over a weekend', () => {
    expect(due('2026-10-08T15:00:01+07:00', sameDay)).toBe(new Date('2026-10-09T16:00:00+07:00').toISOString())
    expect(due('2026-10-09T15:30:00+07:00', sameDay)).toBe(new Date('2026-10-12T16:00:00+07:00').toISOString())
  })

  it('counts working days from the day received, skipping weekends', () => {
    // Thursday + 3 working days: Friday, Monday, Tuesday.
    expect(due('2026-10-08T09:00:00+07:00', { workingDays: 3 })).toBe(new Date('2026-10-13T16:00:00+07:00').toISOString())
    // Received on a Saturday: counts as Monday.
    expect(due('2026-10-10T09:00:00+07:00', { workingDays: 1 })).toBe(new Date('2026-10-13T16:00:00+07:00').toISOString())
  })

  it('skips Tết 2026 (16-20 February) and applies the cut-off before it', () => {
    expect(due('2026-02-13T10:00:00+07:00', { workingDays: 1 })).toBe(new Date('2026-02-23T16:00:00+07:00').toISOString())
    expect(due('2026-02-13T15:10:00+07:00', sameDay)).toBe(new Date('2026-02-23T16:00:00+07:00').toISOString())
    // Thursday 12 February + 7: Friday 13, then 23-27 February and Monday 2 March.
    expect(due('2026-02-12T10:00:00+07:00', { workingDays: 7 })).toBe(new Date('2026-03-02T16:00:00+07:00').toISOString())
  })

  it('moves a same-day procedure with no cut-off to the next working day once the return time has passed', () => {
    expect(due('2026-10-08T16:30:00+07:00', { workingDays: 0 })).toBe(new Date('2026-10-09T16:00:00+07:00').toISOString())
  })

  it('follows the city calendar', () => {
    const cityDayOff = new WorkingCalendar({ extraDaysOff: [{ date: '2026-10-09', name: 'Nghỉ theo quyết định của thành phố' }] })
    expect(due('2026-10-08T15:30:00+07:00', sameDay, cityDayOff)).toBe(new Date('2026-10-12T16:00:00+07:00').toISOString())
  })
})
