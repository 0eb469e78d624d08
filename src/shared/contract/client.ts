import { EVENT_NAMES, events, OPERATION_NAMES, subscriberName, type EventName, type MotcuaApi, type OperationName, type Unsubscribe } from './contract'
import { unwrapResult } from './dispatch'

/** How a bridge reaches main: send one operation and get its raw result; hear one event's raw payloads. */
export interface Transport {
  invoke(name: OperationName, input: unknown): Promise<unknown>
  listen(event: EventName, relay: (payload: unknown) => void): Unsubscribe
}

/**
 * The screen-side API built from the contract over any transport (Electron IPC in the preload, HTTP
 * and WebSocket in browser mode). Replies and event payloads are checked against the contract:
 * they are input from outside too.
 */
export function buildApi(transport: Transport): MotcuaApi {
  const api: Record<string, unknown> = {}
  for (const name of OPERATION_NAMES) {
    api[name] = async (input: unknown) => unwrapResult(name, await transport.invoke(name, input ?? {}))
  }
  for (const name of EVENT_NAMES) {
    const schema = events[name]
    api[subscriberName(name)] = (listener: (payload: unknown) => void): Unsubscribe => {
      if (typeof listener !== 'function') throw new TypeError(`${subscriberName(name)} needs a function`)
      return transport.listen(name, (payload) => {
        const parsed = schema.safeParse(payload)
        if (parsed.success) listener(parsed.data)
      })
    }
  }
  return Object.freeze(api) as MotcuaApi
}
