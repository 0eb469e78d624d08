import type { EventName, OperationName, Unsubscribe } from '../../../shared/contract/contract'
import type { Transport } from '../../../shared/contract/client'

const RECONNECT_DELAY_MS = 2000

/**
 * Browser mode: operations over HTTP POST and events over one WebSocket, both to the loopback web
 * host that served this page (its token travels in an HttpOnly cookie).
 */
export function createWebTransport(location: Location = window.location): Transport {
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>()
  let socket: WebSocket | undefined

  const connect = (): void => {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
    socket = new WebSocket(`${scheme}//${location.host}/api/events`)
    socket.onmessage = (message) => {
      let parsed: unknown
      try {
        parsed = JSON.parse(String(message.data))
      } catch {
        console.warn('Ignored an event message that is not JSON')
        return
      }
      const { event, payload } = (parsed ?? {}) as { event?: unknown; payload?: unknown }
      if (typeof event !== 'string') return
      for (const listener of listeners.get(event as EventName) ?? []) listener(payload)
    }
    socket.onclose = () => {
      socket = undefined
      if (listeners.size > 0) setTimeout(connect, RECONNECT_DELAY_MS)
    }
  }

  return {
    async invoke(name: OperationName, input: unknown): Promise<unknown> {
      const response = await fetch(`/api/op/${name}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(input),
        credentials: 'same-origin',
      })
      try {
        return await response.json()
      } catch {
        return undefined // unwrapResult turns this into an 'unavailable' error
      }
    },
    listen(event: EventName, relay: (payload: unknown) => void): Unsubscribe {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(relay)
      if (!socket) connect()
      return () => {
        set.delete(relay)
        if (set.size === 0) listeners.delete(event)
        if (listeners.size === 0) socket?.close()
      }
    },
  }
}
