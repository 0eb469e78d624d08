import { createContext, useContext } from 'react'
import type { MotcuaApi } from '../../../shared/contract/contract'
import type { DeviceInfo, QueueSetup } from '../../../shared/contract/schemas'
import type { EventStore } from '../data/event-store'

export interface AppServices {
  readonly api: MotcuaApi
  readonly device: DeviceInfo
  readonly setup: QueueSetup
  readonly store: EventStore
}

export const AppContext = createContext<AppServices | undefined>(undefined)

export function useApp(): AppServices {
  const services = useContext(AppContext)
  if (!services) throw new Error('useApp outside AppContext')
  return services
}
