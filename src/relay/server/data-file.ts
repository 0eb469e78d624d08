import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * A secret the server makes in its data folder on first start and never replaces (mode 0600):
 * the enrolment secret, the server's signing key. A damaged file is an error to report, since
 * replacing it would void every enrolment code or pinned key issued from it.
 */
export async function loadOrCreateDataFile<T>(
  dataDir: string,
  name: string,
  options: { readonly create: boolean; readonly make: () => string; readonly parse: (text: string) => T | undefined; readonly what: string },
): Promise<T> {
  const path = join(dataDir, name)
  const read = async (): Promise<T> => {
    const value = options.parse(await readFile(path, 'utf8'))
    if (value === undefined) throw new Error(`${path} does not hold ${options.what}: restore it from backup`)
    return value
  }
  try {
    return await read()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    if (!options.create) throw new Error(`${path} does not exist: this folder is not a relay server's data folder (start the server once with it)`)
  }
  await mkdir(dataDir, { recursive: true })
  // 'wx': when two processes start at once, the second fails here instead of overwriting the first's file.
  await writeFile(path, options.make(), { mode: 0o600, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error
  })
  return read()
}
