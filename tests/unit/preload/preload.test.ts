import { EventEmitter } from 'node:events'
import { describe, expect, it, vi } from 'vitest'
import { EVENT_NAMES, OPERATION_NAMES, subscriberName } from '../../../src/shared/contract/contract'
import { fakeDeviceInfo } from '../../helpers/fake-services'

const ipc = Object.assign(new EventEmitter(), { invoke: vi.fn(async (_channel: string, _input: unknown): Promise<unknown> => ({ ok: true, value: fakeDeviceInfo() })) })
const exposeInMainWorld = vi.fn()
vi.mock('electron', () => ({ contextBridge: { exposeInMainWorld }, ipcRenderer: ipc }))

describe('the preload bridge (electron module mocked)', async () => {
  await import('../../../src/preload/index')
  const [[worldKey, api]] = exposeInMainWorld.mock.calls as [[string, Record<string, unknown>]]

  it('exposes exactly one named function per operation and one subscribe function per event', () => {
    expect(worldKey).toBe('motcua')
    const expected = [...OPERATION_NAMES, ...EVENT_NAMES.map((event) => subscriberName(event))].sort()
    expect(Object.keys(api).sort()).toEqual(expected)
    for (const generic of ['invoke', 'send', 'on', 'ipcRenderer', 'call']) expect(api).not.toHaveProperty(generic)
    expect(Object.isFrozen(api)).toBe(true)
  })

  it('sends each operation on its own fixed channel and checks the reply', async () => {
    await expect((api.getDeviceInfo as (input: object) => Promise<unknown>)({})).resolves.toEqual(fakeDeviceInfo())
    expect(ipc.invoke).toHaveBeenLastCalledWith('motcua:getDeviceInfo', {})
    ipc.invoke.mockResolvedValueOnce({ ok: true, value: { forged: true } })
    await expect((api.getDeviceInfo as (input: object) => Promise<unknown>)({})).rejects.toMatchObject({ code: 'unavailable' })
  })

  it('hands listeners the checked payload, never the IPC event, and unsubscribes', () => {
    const listener = vi.fn()
    const unsubscribe = (api.onDeviceConfigChanged as (listener: (payload: unknown) => void) => () => void)(listener)
    const ipcEvent = { sender: 'the raw IpcRendererEvent' }
    ipc.emit('motcua:deviceConfigChanged', ipcEvent, fakeDeviceInfo())
    ipc.emit('motcua:deviceConfigChanged', ipcEvent, { not: 'a device' })
    expect(listener).toHaveBeenCalledTimes(1)
    expect(listener).toHaveBeenCalledWith(fakeDeviceInfo())
    unsubscribe()
    ipc.emit('motcua:deviceConfigChanged', ipcEvent, fakeDeviceInfo())
    expect(listener).toHaveBeenCalledTimes(1)
    expect(ipc.listenerCount('motcua:deviceConfigChanged')).toBe(0)
  })

  it('refuses a listener that is not a function', () => {
    expect(() => (api.onDeviceConfigChanged as (listener: unknown) => void)('alert(1)')).toThrow(TypeError)
  })
})
