import type { EventEnvelope } from '../../../src/shared/domain/eventlog/envelope'
import { describe, expect, it } from 'vitest'
import { foldQueue } from '../../../src/shared/domain/queue/fold'
import { queueStatistics, statisticsCsv } from '../../../src/shared/domain/queue/statistics'
import { DeviceLog, TEST_DAY, TEST_DAY_START_MS } from '../../helpers/events'

const t = (minutes: number): number => TEST_DAY_START_MS + minutes * 60_000

describe('daily statistics', () => {
  const kiosk = new DeviceLog('kiosk-0001')
  const lan = new DeviceLog('counter-001')
  const minh = new DeviceLog('counter-002')
  // Tickets 1-5 every 6 minutes from 8:00, then 6-10 from 8:30; 1-6 for hộ tịch, 7-10 for chứng thực.
  const issuedAt = (index: number): number => (index < 5 ? index * 6 : 30 + index - 5)
  const tickets = Array.from({ length: 10 }, (_unused, index) => kiosk.issue(`A${String(index + 1).padStart(3, '0')}`, t(issuedAt(index)), index < 6 ? 'ho-tich' : 'chung-thuc'))
  const events: EventEnvelope[] = [...tickets]
  // Counter 1 (Lan) calls tickets 1-5 ten minutes after issue and serves ticket i in i minutes.
  for (let index = 0; index < 5; index++) {
    const id = tickets[index]!.payload.ticketId
    events.push(lan.call(id, 1, t(issuedAt(index) + 10), 'Lan'), lan.atCounter('served', id, 1, t(issuedAt(index) + 10 + index + 1)))
  }
  // Counter 2 (Minh): ticket 6 a no-show after a 15-minute wait, ticket 7 served in 4 minutes after 20; 8-10 still waiting.
  events.push(minh.call(tickets[5]!.payload.ticketId, 2, t(45), 'Minh'), minh.atCounter('skipped', tickets[5]!.payload.ticketId, 2, t(47)))
  events.push(minh.call(tickets[6]!.payload.ticketId, 2, t(51), 'Minh'), minh.atCounter('served', tickets[6]!.payload.ticketId, 2, t(55)))
  events.push(kiosk.rate(3, t(60), tickets[0]!.payload.ticketId), kiosk.rate(1, t(61), tickets[6]!.payload.ticketId), kiosk.rate(2, t(62)))
  const rows = queueStatistics(foldQueue(events, TEST_DAY))
  const rowOf = (dimension: string, key: string) => rows.find((row) => row.dimension === dimension && row.key === key)!

  it('counts the day in total', () => {
    expect(rowOf('all', '')).toMatchObject({ tickets: 10, served: 6, noShows: 1, ratings: [1, 1, 1] })
    // Waits: 10 min for tickets 1-5, 15 for 6, 20 for 7.
    expect(rowOf('all', '')).toMatchObject({ waitMeanMinutes: 12.1, waitP90Minutes: 20 })
  })

  it('splits by service, counter and clerk, with means and 90th percentiles', () => {
    expect(rowOf('service', 'ho-tich')).toMatchObject({ tickets: 6, served: 5, noShows: 1, serviceMeanMinutes: 3, serviceP90Minutes: 5 })
    expect(rowOf('counter', '2')).toMatchObject({ tickets: 2, served: 1, noShows: 1, serviceMeanMinutes: 4, ratings: [1, 0, 0] })
    expect(rowOf('clerk', 'Lan')).toMatchObject({ tickets: 5, served: 5, ratings: [0, 0, 1] })
    expect(rowOf('counter', '')).toMatchObject({ tickets: 3, served: 0, waitMeanMinutes: null })
  })

  it('exports CSV that a spreadsheet reads in Vietnamese and cannot be tricked into formulas', () => {
    const csv = statisticsCsv(rows, (row) => (row.dimension === 'clerk' && row.key === 'Minh' ? '=HYPERLINK("x")' : row.key))
    expect(csv.startsWith('\uFEFFNgày,Nhóm,Mã,Tên,Số phiếu')).toBe(true)
    expect(csv).toContain('\r\n2026-11-23,Tổng,,,10,6,1,12.1,20,')
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`)
    expect(csv.endsWith('\r\n')).toBe(true)
  })
})
