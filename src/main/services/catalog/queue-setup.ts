import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { QueueSetupSchema, type QueueSetup } from '../../../shared/contract/schemas'
import { parseCalendarOverrides } from '../../../shared/domain/calendar/overrides'

/** The ward's queue set-up shipped with the app as a sample (replaced by the city's through sync). */
export async function loadSampleQueueSetup(resourcesDir: string): Promise<QueueSetup> {
  const file = join(resourcesDir, 'catalog', 'queue-setup.sample.json')
  const parsed = QueueSetupSchema.safeParse(JSON.parse(await readFile(file, 'utf8')))
  if (!parsed.success) throw new Error(`The queue set-up ${file} is damaged: ${parsed.error.message}`)
  // The calendar's cross-checks (a day both added and worked...) are beyond the schema.
  parseCalendarOverrides(parsed.data.calendarOverrides)
  return parsed.data
}
