import Dexie from 'dexie'
import { useEffect } from 'react'
import type { MotcuaApi } from '../../../shared/contract/contract'
import type { DeviceConfig } from '../../../shared/contract/schemas'
import type { MotcuaDatabase } from '../data/db'
import type { EventStore } from '../data/event-store'
import { runAsLeader } from './leader'
import { SyncEngine } from './sync-engine'

/** Starts this profile's sync engine when the device is set up for sync (one window runs it, see leader.ts). */
export function useSyncEngine(api: MotcuaApi, db: MotcuaDatabase, store: EventStore, config: DeviceConfig): void {
  const enrolled = config.sync !== undefined && config.sync.role !== 'none' && config.sync.enrolledAt !== undefined
  const topology = config.topology === 'city' ? 'city' : 'ward'
  useEffect(() => {
    if (!enrolled) return undefined
    const engine = new SyncEngine({ db, store, transport: api, topology, log: (line) => console.info(line) })
    // A write to the event log, from any window of this profile, may be an event to send.
    const onMutated = (parts: Record<string, unknown>): void => {
      if (Object.keys(parts).some((part) => part.startsWith(`idb://${db.name}/events/`))) engine.wake()
    }
    Dexie.on.storagemutated.subscribe(onMutated)
    const stop = runAsLeader(`motcua-sync:${db.name}`, (signal) => engine.run(signal))
    return () => {
      stop()
      Dexie.on.storagemutated.unsubscribe(onMutated)
    }
  }, [api, db, store, enrolled, topology])
}
