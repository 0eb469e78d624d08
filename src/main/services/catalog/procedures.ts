import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ProcedureCatalogSchema, type ProcedureCatalog } from '../../../shared/domain/dossier/procedures'

/** The procedure catalogue shipped with the app as a sample (replaced by the city's through sync). */
export async function loadSampleProcedureCatalog(resourcesDir: string): Promise<ProcedureCatalog> {
  const file = join(resourcesDir, 'catalog', 'procedures.sample.json')
  const parsed = ProcedureCatalogSchema.safeParse(JSON.parse(await readFile(file, 'utf8')))
  if (!parsed.success) throw new Error(`The procedure catalogue ${file} is damaged: ${parsed.error.message}`)
  return parsed.data
}
