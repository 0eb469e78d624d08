import type { BrowserWindowConstructorOptions, Rectangle } from 'electron'
import type { Role } from '../shared/contract/schemas'

export interface WindowPlan {
  readonly role: Role
  readonly options: BrowserWindowConstructorOptions
}

export interface DisplayLike {
  readonly id: number
  readonly bounds: Rectangle
}

export interface WindowPlanInput {
  readonly roles: readonly Role[]
  readonly isProduction: boolean
  readonly primaryDisplay: DisplayLike
  readonly displays: readonly DisplayLike[]
  /** The technician console opens on request (the --technician switch), or when it is the device's only role. */
  readonly technicianRequested: boolean
}

const TITLES: Record<Role, string> = {
  kiosk: 'Một Cửa Kiosk — Ki-ốt',
  counter: 'Một Cửa Kiosk — Quầy',
  display: 'Một Cửa Kiosk — Màn hình gọi số',
  technician: 'Một Cửa Kiosk — Kỹ thuật viên',
}

/** Which windows this device opens, where and how large: pure, so it is tested without Electron. */
export function planWindows(input: WindowPlanInput): WindowPlan[] {
  const { roles, isProduction, primaryDisplay, displays } = input
  const secondary = displays.find((display) => display.id !== primaryDisplay.id)
  // A kiosk locks the screen only when it is the machine's only interactive role.
  const kioskLocksScreen = isProduction && !roles.includes('counter') && !(input.technicianRequested && roles.includes('technician'))
  const plans: WindowPlan[] = []
  for (const role of roles) {
    if (role === 'technician' && !input.technicianRequested && roles.length > 1) continue
    const base: BrowserWindowConstructorOptions = {
      title: TITLES[role],
      show: false,
      backgroundColor: role === 'display' ? '#0b1d33' : '#ffffff',
      autoHideMenuBar: true,
    }
    if (role === 'kiosk') {
      plans.push({ role, options: { ...base, kiosk: kioskLocksScreen, fullscreen: kioskLocksScreen, width: 1080, height: 1920 } })
    } else if (role === 'display') {
      const bounds = (secondary ?? primaryDisplay).bounds
      plans.push({ role, options: { ...base, x: bounds.x, y: bounds.y, width: bounds.width, height: bounds.height, fullscreen: secondary !== undefined } })
    } else {
      plans.push({ role, options: { ...base, width: 1366, height: 900 } })
    }
  }
  return plans
}
