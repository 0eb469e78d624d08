import { useLiveQuery } from 'dexie-react-hooks'
import { useApp } from '../app/app-context'
import { readLocalStatus, readOutboxSummary, type OutboxSummary, type SyncLocalStatus } from './outbox'

export interface SyncView {
  readonly enabled: boolean
  readonly outbox?: OutboxSummary
  readonly local?: SyncLocalStatus
  /** The engine's last success on either lane. */
  readonly lastSuccessAt?: number
  /** The engine's latest error, if it came after its last success. */
  readonly problem?: { readonly code: string; readonly at: number }
}

/** What every window shows about sync: read from IndexedDB, where the engine (in whichever window runs it) writes. */
export function useSyncView(): SyncView {
  const { store, device } = useApp()
  const enabled = device.config.sync !== undefined && device.config.sync.role !== 'none'
  const outbox = useLiveQuery(() => readOutboxSummary(store.db, store.deviceId), [store])
  const local = useLiveQuery(() => readLocalStatus(store.db), [store])
  const lanes = local ? [local.send, local.receive] : []
  const lastSuccessAt = Math.max(...lanes.map((lane) => lane.lastSuccessAt ?? 0))
  const latestError = lanes.map((lane) => lane.lastError).filter((error) => error !== undefined).sort((a, b) => b.at - a.at)[0]
  return {
    enabled,
    ...(outbox && { outbox }),
    ...(local && { local }),
    ...(lastSuccessAt > 0 && { lastSuccessAt }),
    ...(latestError && latestError.at > lastSuccessAt && { problem: latestError }),
  }
}
