import { describe, expect, it, vi } from 'vitest'
import { operations } from '../../../src/shared/contract/contract'
import { dispatch, MotcuaError, unwrapResult, type OperationHandlers } from '../../../src/shared/contract/dispatch'
import { fakeDeviceInfo, fakeHandlers } from '../../helpers/fake-services'

describe('dispatch: one operation from an untrusted caller', () => {
  it('runs a known operation with valid input', async () => {
    const result = await dispatch(fakeHandlers(), 'getDeviceInfo', {})
    expect(result).toEqual({ ok: true, value: fakeDeviceInfo() })
  })

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'getDeviceInfo ', 'eval', ''])('refuses the name %j that is not in the contract', async (name) => {
    const result = await dispatch(fakeHandlers(), name, {})
    expect(result).toMatchObject({ ok: false, error: { code: 'unknownOperation' } })
  })

  it.each([
    ['an unknown field', { wardCode: '20194', admin: true }],
    ['a ward code of the wrong shape', { wardCode: '../../etc' }],
    ['a role outside the list', { roles: ['root'] }],
    ['a counter number out of range', { counterNumber: 1000 }],
    ['a string for an object', 'hello'],
    ['an array', [1, 2]],
  ])('refuses input with %s', async (_name, input) => {
    const handlers = fakeHandlers()
    const result = await dispatch(handlers, 'updateDeviceConfig', input)
    expect(result).toMatchObject({ ok: false, error: { code: 'invalidInput' } })
    expect(handlers.updateDeviceConfig).not.toHaveBeenCalled()
  })

  it('never lets a handler leak more than the contract declares', async () => {
    const log = vi.fn()
    const handlers = { ...fakeHandlers(), getDeviceInfo: async () => ({ ...fakeDeviceInfo(), privateKey: 'secret' }) } as unknown as OperationHandlers
    const result = await dispatch(handlers, 'getDeviceInfo', {}, log)
    expect(result).toEqual({ ok: false, error: { code: 'failed', message: 'Operation getDeviceInfo failed' } })
    expect(log).toHaveBeenCalledOnce()
  })

  it('passes a MotcuaError through with its code, hides any other failure', async () => {
    const rejecting = { ...fakeHandlers(), getQueueSetup: async () => Promise.reject(new MotcuaError('unavailable', 'catalogue missing')) }
    expect(await dispatch(rejecting, 'getQueueSetup', {})).toEqual({ ok: false, error: { code: 'unavailable', message: 'catalogue missing' } })
    const crashing = { ...fakeHandlers(), getQueueSetup: async () => Promise.reject(new Error('ENOENT /secret/path')) }
    const result = await dispatch(crashing, 'getQueueSetup', {}, () => undefined)
    expect(result).toEqual({ ok: false, error: { code: 'failed', message: 'Operation getQueueSetup failed' } })
  })

  it("carries a MotcuaError's reason across, and drops one that is not a plain word", async () => {
    const refusing = (reason: string) => ({ ...fakeHandlers(), getQueueSetup: async () => Promise.reject(new MotcuaError('invalidInput', 'too big', reason)) })
    const result = await dispatch(refusing('imageTooLarge'), 'getQueueSetup', {})
    expect(result).toEqual({ ok: false, error: { code: 'invalidInput', message: 'too big', reason: 'imageTooLarge' } })
    expect(() => unwrapResult('getQueueSetup', result)).toThrow(expect.objectContaining({ code: 'invalidInput', reason: 'imageTooLarge' }))
    expect(await dispatch(refusing('<img src=x>'), 'getQueueSetup', {})).toEqual({ ok: false, error: { code: 'invalidInput', message: 'too big' } })
  })
})

describe('unwrapResult: a reply from across a boundary', () => {
  it('returns a valid value', () => {
    expect(unwrapResult('getDeviceInfo', { ok: true, value: fakeDeviceInfo() })).toEqual(fakeDeviceInfo())
  })

  it.each([
    ['nothing', undefined],
    ['HTML from a proxy', '<html>502</html>'],
    ['a result with extra fields', { ok: true, value: fakeDeviceInfo(), extra: 1 }],
    ['an error code outside the list', { ok: false, error: { code: 'boom', message: 'x' } }],
    ['an error reason that is not a word', { ok: false, error: { code: 'invalidInput', message: 'x', reason: 'a b'.repeat(30) } }],
  ])('turns %s into an "unavailable" error', (_name, reply) => {
    expect(() => unwrapResult('getDeviceInfo', reply)).toThrow(expect.objectContaining({ code: 'unavailable' }))
  })

  it('rejects a value outside the contract', () => {
    expect(() => unwrapResult('getDeviceInfo', { ok: true, value: { config: {} } })).toThrow(MotcuaError)
  })

  it('rethrows an error reply as a MotcuaError with its code', () => {
    expect(() => unwrapResult('listWards', { ok: false, error: { code: 'forbidden', message: 'no' } })).toThrow(expect.objectContaining({ code: 'forbidden' }))
  })

  it('every operation declares an input, an output and a summary', () => {
    for (const spec of Object.values(operations)) {
      expect(spec.input).toBeDefined()
      expect(spec.output).toBeDefined()
      expect(spec.summary.length).toBeGreaterThan(5)
    }
  })
})
