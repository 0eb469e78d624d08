import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ServiceCatalogSchema, type ServiceCatalog } from '../../../shared/contract/schemas'

/** The queue services of the sample catalogue shipped with the app (replaced by the city's through sync). */
export async function loadSampleServiceCatalog(resourcesDir: string): Promise<ServiceCatalog> {
  const file = join(resourcesDir, 'catalog', 'queue-services.sample.json')
  const parsed = ServiceCatalogSchema.safeParse(JSON.parse(await readFile(file, 'utf8')))
  if (!parsed.success) throw new Error(`The service catalogue ${file} is damaged: ${parsed.error.message}`)
  return parsed.data
}
