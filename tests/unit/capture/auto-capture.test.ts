import { describe, expect, it } from 'vitest'
import { AutoCaptureTrigger, STEADY_HOLD_MS, STEADY_TOLERANCE } from '../../../src/renderer/src/capture/auto-capture'
import type { Quad } from '../../../src/shared/capture/types'

const WIDTH = 1280
const HEIGHT = 720
const DIAGONAL = Math.hypot(WIDTH, HEIGHT)
const page = (shift = 0): Quad => [
  { x: 300 + shift, y: 60 },
  { x: 900 + shift, y: 70 },
  { x: 910 + shift, y: 680 },
  { x: 290 + shift, y: 670 },
]
const seen = (trigger: AutoCaptureTrigger, corners: Quad | undefined, at: number, sharp = true): boolean => trigger.observe({ corners, width: WIDTH, height: HEIGHT, sharp, at })

describe('auto-capture', () => {
  it('fires once the outline has held within 1.5 % of the diagonal for 0.8 s on a sharp frame, and only once', () => {
    const trigger = new AutoCaptureTrigger()
    const jitter = STEADY_TOLERANCE * DIAGONAL * 0.5
    const fired = [0, 200, 400, 600, 800, 1000, 1200].map((at, index) => seen(trigger, page(index % 2 ? jitter : 0), at))
    expect(fired).toEqual([false, false, false, false, true, false, false])
  })

  it('waits while the page moves more than the tolerance', () => {
    const trigger = new AutoCaptureTrigger()
    const step = STEADY_TOLERANCE * DIAGONAL * 1.2
    const fired = [0, 200, 400, 600, 800, 1000].map((at, index) => seen(trigger, page(index * step), at))
    expect(fired.some(Boolean)).toBe(false)
    // Still from 1000 ms: fires at 1000 + 800.
    expect(seen(trigger, page(5 * step), 1000 + STEADY_HOLD_MS - 1)).toBe(false)
    expect(seen(trigger, page(5 * step), 1000 + STEADY_HOLD_MS)).toBe(true)
  })

  it('does not count a slow drift as still: the spell is measured from where it began', () => {
    const trigger = new AutoCaptureTrigger()
    const creep = STEADY_TOLERANCE * DIAGONAL * 0.4
    const fired = Array.from({ length: 10 }, (_unused, index) => seen(trigger, page(index * creep), index * 200))
    expect(fired.some(Boolean)).toBe(false)
  })

  it('holds off on blurred frames and fires on the first sharp one', () => {
    const trigger = new AutoCaptureTrigger()
    expect([0, 400, 800, 1200].map((at) => seen(trigger, page(), at, false))).toEqual([false, false, false, false])
    expect(seen(trigger, page(), 1400, true)).toBe(true)
  })

  it('fires again for the next page: after the page leaves the view, or moves', () => {
    const trigger = new AutoCaptureTrigger()
    seen(trigger, page(), 0)
    expect(seen(trigger, page(), STEADY_HOLD_MS)).toBe(true)
    expect(seen(trigger, undefined, 1000)).toBe(false)
    seen(trigger, page(), 1200)
    expect(seen(trigger, page(), 1200 + STEADY_HOLD_MS)).toBe(true)
    seen(trigger, page(200), 3000)
    expect(seen(trigger, page(200), 3000 + STEADY_HOLD_MS)).toBe(true)
  })

  it('after a manual shot waits for the page to move before firing by itself', () => {
    const trigger = new AutoCaptureTrigger()
    seen(trigger, page(), 0)
    trigger.disarm()
    expect(seen(trigger, page(), 2000)).toBe(false)
    seen(trigger, page(200), 2200)
    expect(seen(trigger, page(200), 2200 + STEADY_HOLD_MS)).toBe(true)
  })
})
