import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { QueueSetupSchema, type QueueSetup } from '../../../shared/contract/schemas'

/** The queue services of the sample catalogue shipped with the app (replaced by the city's through sync). */
export async function loadSampleQueueSetup(resourcesDir: string): Promise<QueueSetup> {
  const file = join(resourcesDir, 'catalog', 'queue-setup.sample.json')
  const parsed = QueueSetupSchema.safeParse(JSON.parse(await readFile(file, 'utf8')))
  if (!parsed.success) throw new Error(`The service catalogue ${file} is damaged: ${parsed.error.message}`)
  return parsed.data
}
