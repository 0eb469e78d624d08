import { InvalidArgumentError } from 'commander'
import { describe, expect, it } from 'vitest'
import { parsePort, parseWaitSeconds } from '../../../src/cli/commands/idcard'

describe('idcard command options', () => {
  it('takes a port from 1 to 65535', () => {
    expect(parsePort('35963')).toBe(35963)
  })

  it.each(['abc', '', '0', '65536', '1.5', '-1', ' 80', '0x50'])('refuses the port %j in Vietnamese and English', (value) => {
    expect(() => parsePort(value)).toThrow(InvalidArgumentError)
    expect(() => parsePort(value)).toThrow(/Cổng .*\(port must be/)
  })

  it('takes a wait in seconds, fractions included', () => {
    expect(parseWaitSeconds('3')).toBe(3)
    expect(parseWaitSeconds('0.5')).toBe(0.5)
  })

  it.each(['abc', '', ' ', 'NaN', '0', '-2', 'Infinity', '601'])('refuses the wait %j in Vietnamese and English', (value) => {
    expect(() => parseWaitSeconds(value)).toThrow(/Thời gian chờ .*\(wait must be/)
  })
})
