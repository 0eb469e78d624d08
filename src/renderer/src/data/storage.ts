export interface StorageStatus {
  readonly usageBytes?: number
  readonly quotaBytes?: number
  readonly persisted: boolean
}

/**
 * Asks the browser to keep this origin's data under storage pressure: a counter's unsynced
 * dossiers must never be evicted. Browsers may refuse; the technician screen says so.
 */
export async function requestPersistentStorage(storage: StorageManager | undefined = navigator.storage): Promise<boolean> {
  if (!storage?.persist) return false
  try {
    return (await storage.persisted()) || (await storage.persist())
  } catch {
    return false
  }
}

export async function readStorageStatus(storage: StorageManager | undefined = navigator.storage): Promise<StorageStatus | undefined> {
  if (!storage?.estimate) return undefined
  try {
    const [estimate, persisted] = await Promise.all([storage.estimate(), storage.persisted()])
    return { usageBytes: estimate.usage, quotaBytes: estimate.quota, persisted }
  } catch {
    return undefined
  }
}

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '?'
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`
}
