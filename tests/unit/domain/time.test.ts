import { describe, expect, it } from 'vitest'
import { vietnamDay, vietnameseDate, vietnameseDateTime } from '../../../src/shared/domain/time'

describe('Vietnamese dates', () => {
  it('prints a day as documents do and an instant in Vietnam time, whatever the machine zone', () => {
    expect(vietnameseDate('2026-02-17')).toBe('17/02/2026')
    // 23:30 UTC on the 16th is already 06:30 on the 17th in Vietnam.
    const instant = Date.parse('2026-02-16T23:30:00Z')
    expect(vietnamDay(instant)).toBe('2026-02-17')
    expect(vietnameseDateTime(instant)).toBe('06:30 17/02/2026')
  })
})
