import { z } from 'zod'
import { epochDayOf, isoDateOf } from '../calendar/days'
import { addWorkingDays, NATIONAL_CALENDAR, type WorkingCalendar } from '../calendar/workdays'
import { toSearchKey } from '../text'
import { vietnamDay, vietnamDayStartMs } from '../time'

/**
 * The administrative procedures a counter receives dossiers for: what papers they need, how long
 * they take and what they cost. The sample in resources/catalog/procedures.sample.json stands in
 * until the city's catalogue arrives by sync.
 */

const ClockSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day is HH:mm')

/** National procedure codes (Cơ sở dữ liệu quốc gia về TTHC) such as 1.001193; null where we do not know it. */
export const ProcedureCodeSchema = z.string().regex(/^\d\.\d{6}$/, 'a procedure code looks like 1.001193')

const CountSchema = z.number().int().min(0).max(99)

/** One paper of the dossier (thành phần hồ sơ) and how many of each kind the counter takes. */
export const RequiredPaperSchema = z
  .object({
    name: z.string().min(1).max(300),
    originals: CountSchema,
    certifiedCopies: CountSchema,
    copies: CountSchema,
    /** When the paper is needed, or what may replace it. */
    note: z.string().max(300).optional(),
  })
  .refine((paper) => paper.originals + paper.certifiedCopies + paper.copies > 0, 'a paper needs at least one original or copy')

export const ProcessingTimeSchema = z.object({
  /** 0: returned the same working day. */
  workingDays: z.number().int().min(0).max(90),
  /** Dossiers received after this time (Vietnam) count as received on the next working day, e.g. chứng thực's 15:00. */
  sameDayCutoff: ClockSchema.optional(),
  /** How the law words it, for the screen and the receipt ("Trong ngày; quá 15 giờ thì trả vào ngày làm việc tiếp theo"). */
  text: z.string().max(300),
})

export const ProcedureSchema = z.object({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
  code: ProcedureCodeSchema.nullable(),
  name: z.string().min(1).max(300),
  fieldId: z.string().min(1),
  papers: z.array(RequiredPaperSchema).min(1),
  processing: ProcessingTimeSchema,
  fee: z.object({
    /** Đồng per dossier; null when it depends on the case (pages, value, province's resolution). */
    amountVnd: z.number().int().min(0).nullable(),
    text: z.string().min(1).max(300),
  }),
})

export const ProcedureCatalogSchema = z
  .object({
    /** True for the sample shipped with the app. */
    sample: z.boolean(),
    note: z.string().optional(),
    /** The time of day written on the receipt as the return time. */
    returnClock: ClockSchema,
    fields: z.array(z.object({ id: z.string().min(1), name: z.string().min(1) })).min(1),
    procedures: z.array(ProcedureSchema).min(1),
  })
  .superRefine((catalog, context) => {
    const fieldIds = new Set(catalog.fields.map((field) => field.id))
    const seen = new Set<string>()
    for (const [index, procedure] of catalog.procedures.entries()) {
      if (!fieldIds.has(procedure.fieldId)) context.addIssue({ code: 'custom', path: ['procedures', index, 'fieldId'], message: `unknown field ${procedure.fieldId}` })
      if (seen.has(procedure.id)) context.addIssue({ code: 'custom', path: ['procedures', index, 'id'], message: `duplicate id ${procedure.id}` })
      seen.add(procedure.id)
    }
  })

export type Procedure = z.infer<typeof ProcedureSchema>
export type ProcedureCatalog = z.infer<typeof ProcedureCatalogSchema>
export type ProcessingTime = z.infer<typeof ProcessingTimeSchema>

/** Lower is better: the whole name, the name's start, a word's start, then every word somewhere. */
const MatchRank = { exact: 0, prefix: 1, wordPrefix: 2, allWords: 3 } as const

function rankOf(procedure: Procedure, key: string, words: readonly string[]): number | undefined {
  const name = toSearchKey(procedure.name)
  if (name === key || procedure.code === key) return MatchRank.exact
  if (name.startsWith(key) || procedure.code?.startsWith(key)) return MatchRank.prefix
  if (name.includes(` ${key}`)) return MatchRank.wordPrefix
  const haystack = `${name} ${toSearchKey(procedure.fieldId.replaceAll('-', ' '))}`
  return words.every((word) => haystack.includes(word)) ? MatchRank.allWords : undefined
}

/**
 * Procedures matching `query`, ignoring diacritics and case ("dang ky ket hon" finds "Đăng ký kết hôn"),
 * best first: exact, prefix, word-prefix, then all words anywhere; ties keep the shorter name first.
 * A procedure code ("1.000894") matches too. An empty query matches nothing.
 */
export function searchProcedures(procedures: readonly Procedure[], query: string): Procedure[] {
  const key = toSearchKey(query)
  if (key === '') return []
  const words = key.split(' ')
  return procedures
    .map((procedure) => ({ procedure, rank: rankOf(procedure, key, words) }))
    .filter((match): match is { procedure: Procedure; rank: number } => match.rank !== undefined)
    .sort((a, b) => a.rank - b.rank || a.procedure.name.length - b.procedure.name.length)
    .map(({ procedure }) => procedure)
}

const MS_PER_MINUTE = 60_000
const minutesOf = (clock: string): number => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5))

export interface ReturnTimeInput {
  /** When the counter received the complete dossier (epoch ms). */
  readonly receivedAt: number
  readonly processing: Pick<ProcessingTime, 'workingDays' | 'sameDayCutoff'>
  /** The time of day (Vietnam) written as the return time, the catalogue's returnClock. */
  readonly returnClock: string
  readonly calendar?: WorkingCalendar
}

/**
 * When the result is due (epoch ms, at `returnClock` in Vietnam). The count starts on the day received;
 * a dossier received on a day off, after the same-day cut-off, or (for same-day procedures) after the
 * return time counts as received on the next working day. n working days then lands on the n-th working
 * day after that (addWorkingDays).
 */
export function returnTime({ receivedAt, processing, returnClock, calendar = NATIONAL_CALENDAR }: ReturnTimeInput): number {
  const receivedDay = vietnamDay(receivedAt)
  const sinceMidnight = receivedAt - vietnamDayStartMs(receivedDay)
  const afterCutoff = processing.sameDayCutoff !== undefined && sinceMidnight > minutesOf(processing.sameDayCutoff) * MS_PER_MINUTE
  const afterReturnTime = processing.workingDays === 0 && sinceMidnight >= minutesOf(returnClock) * MS_PER_MINUTE
  const countFrom = afterCutoff || afterReturnTime ? isoDateOf(epochDayOf(receivedDay) + 1) : receivedDay
  const returnDay = addWorkingDays(countFrom, processing.workingDays, calendar)
  return vietnamDayStartMs(returnDay) + minutesOf(returnClock) * MS_PER_MINUTE
}
