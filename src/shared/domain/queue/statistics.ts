import type { QueueState, Ticket } from './fold'

export type StatisticsDimension = 'service' | 'counter' | 'clerk'

export interface StatisticsRow {
  readonly day: string
  readonly dimension: StatisticsDimension | 'all'
  /** The service id, counter number or clerk name; '' for the day's total or for tickets never called. */
  readonly key: string
  readonly tickets: number
  readonly served: number
  readonly noShows: number
  readonly waitMeanMinutes: number | null
  readonly waitP90Minutes: number | null
  readonly serviceMeanMinutes: number | null
  readonly serviceP90Minutes: number | null
  /** Counts of Không hài lòng, Hài lòng, Rất hài lòng. */
  readonly ratings: readonly [number, number, number]
}

const keyOf: Record<StatisticsDimension, (ticket: Ticket) => string> = {
  service: (ticket) => ticket.serviceId,
  counter: (ticket) => (ticket.counter === undefined ? '' : String(ticket.counter)),
  clerk: (ticket) => ticket.clerk ?? '',
}

/** The day's figures, in total and per service, counter and clerk: tickets, waits, service times, no-shows, ratings. */
export function queueStatistics(state: QueueState): StatisticsRow[] {
  const rows = [row(state, 'all', '', state.tickets)]
  for (const dimension of ['service', 'counter', 'clerk'] as const) {
    const groups = new Map<string, Ticket[]>()
    for (const ticket of state.tickets) {
      const key = keyOf[dimension](ticket)
      groups.set(key, [...(groups.get(key) ?? []), ticket])
    }
    for (const [key, tickets] of [...groups].sort(([a], [b]) => a.localeCompare(b, 'vi', { numeric: true }))) rows.push(row(state, dimension, key, tickets))
  }
  return rows
}

function row(state: QueueState, dimension: StatisticsRow['dimension'], key: string, tickets: readonly Ticket[]): StatisticsRow {
  const ids = new Set(tickets.map((ticket) => ticket.ticketId))
  const ratings: [number, number, number] = [0, 0, 0]
  for (const rating of state.ratings) if (dimension === 'all' || (rating.ticketId !== undefined && ids.has(rating.ticketId))) ratings[rating.rating - 1]!++
  const waits = tickets.filter((ticket) => ticket.firstCalledAt !== undefined).map((ticket) => ticket.firstCalledAt! - ticket.issuedAt)
  const services = tickets.filter((ticket) => ticket.servedAt !== undefined).map((ticket) => ticket.servedAt! - ticket.calledAt!)
  return {
    day: state.day,
    dimension,
    key,
    tickets: tickets.length,
    served: services.length,
    noShows: tickets.filter((ticket) => ticket.status === 'skipped').length,
    waitMeanMinutes: minutes(mean(waits)),
    waitP90Minutes: minutes(percentile90(waits)),
    serviceMeanMinutes: minutes(mean(services)),
    serviceP90Minutes: minutes(percentile90(services)),
    ratings,
  }
}

const mean = (values: readonly number[]): number | null => (values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length)

/** Nearest-rank 90th percentile. */
function percentile90(values: readonly number[]): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.ceil(0.9 * sorted.length) - 1]!
}

const minutes = (ms: number | null): number | null => (ms === null ? null : Math.round((ms / 60_000) * 10) / 10)

const CSV_HEADER = [
  'Ngày',
  'Nhóm',
  'Mã',
  'Tên',
  'Số phiếu',
  'Đã phục vụ',
  'Vắng mặt',
  'Chờ TB (phút)',
  'Chờ P90 (phút)',
  'Phục vụ TB (phút)',
  'Phục vụ P90 (phút)',
  'Không hài lòng',
  'Hài lòng',
  'Rất hài lòng',
]
const DIMENSION_NAMES: Record<StatisticsRow['dimension'], string> = { all: 'Tổng', service: 'Dịch vụ', counter: 'Quầy', clerk: 'Cán bộ' }

/**
 * The statistics as CSV for a spreadsheet: a UTF-8 byte-order mark (so Excel reads the Vietnamese
 * right), CRLF line ends, fields quoted where needed and guarded against formula injection.
 */
export function statisticsCsv(rows: readonly StatisticsRow[], nameOf: (row: StatisticsRow) => string): string {
  const lines = [CSV_HEADER, ...rows.map((row) => [
    row.day,
    DIMENSION_NAMES[row.dimension],
    row.key,
    nameOf(row),
    row.tickets,
    row.served,
    row.noShows,
    row.waitMeanMinutes,
    row.waitP90Minutes,
    row.serviceMeanMinutes,
    row.serviceP90Minutes,
    ...row.ratings,
  ])]
  return `\uFEFF${lines.map((fields) => fields.map(csvField).join(',')).join('\r\n')}\r\n`
}

function csvField(value: string | number | null): string {
  if (value === null) return ''
  if (typeof value === 'number') return String(value)
  // A cell starting with = + - @ would run as a formula in a spreadsheet: a clerk's name is input too.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}
