import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { WardSchema, type Ward } from '../../../shared/contract/schemas'

const WardListFileSchema = z.object({ source: z.string(), units: z.array(WardSchema).min(1) })

/** Đà Nẵng's commune-level units, shipped in resources/reference (see its "source"). */
export async function loadWards(resourcesDir: string): Promise<readonly Ward[]> {
  const file = join(resourcesDir, 'reference', 'danang-communes.json')
  const parsed = WardListFileSchema.safeParse(JSON.parse(await readFile(file, 'utf8')))
  if (!parsed.success) throw new Error(`The ward list ${file} is damaged: ${parsed.error.message}`)
  return parsed.data.units
}
