import { describe, expect, it } from 'vitest'
import { planWindows, type WindowPlanInput } from '../../../src/main/windows'

const primary = { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 } }
const tv = { id: 2, bounds: { x: 1920, y: 0, width: 3840, height: 2160 } }
const plan = (input: Partial<WindowPlanInput>) =>
  planWindows({ roles: ['kiosk'], isProduction: true, primaryDisplay: primary, displays: [primary], technicianRequested: false, ...input })

describe('window plans', () => {
  it('locks a kiosk-only machine into kiosk mode, but not a commune PC that also serves at the counter', () => {
    expect(plan({ roles: ['kiosk'] })[0]!.options).toMatchObject({ kiosk: true, fullscreen: true })
    expect(plan({ roles: ['kiosk', 'display'] })[0]!.options).toMatchObject({ kiosk: true })
    expect(plan({ roles: ['kiosk', 'counter'] })[0]!.options).toMatchObject({ kiosk: false })
    expect(plan({ roles: ['kiosk'], isProduction: false })[0]!.options).toMatchObject({ kiosk: false })
  })

  it('puts the display on the second screen when one is attached', () => {
    const [display] = plan({ roles: ['display'], displays: [primary, tv] })
    expect(display!.options).toMatchObject({ x: 1920, y: 0, width: 3840, height: 2160, fullscreen: true })
    expect(plan({ roles: ['display'] })[0]!.options).toMatchObject({ x: 0, fullscreen: false })
  })

  it('opens the technician console only on request, unless it is the only role', () => {
    expect(plan({ roles: ['counter', 'technician'] }).map((p) => p.role)).toEqual(['counter'])
    expect(plan({ roles: ['counter', 'technician'], technicianRequested: true }).map((p) => p.role)).toEqual(['counter', 'technician'])
    expect(plan({ roles: ['technician'] }).map((p) => p.role)).toEqual(['technician'])
  })
})
