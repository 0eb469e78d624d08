import { RoleSchema, type Role } from '../../../shared/contract/schemas'

export type Route = { readonly role: Role; readonly counter?: number } | { readonly unknownRole: string }

/**
 * The window's role comes from its address (#/kiosk, #/counter/2, #/display, #/technician), so one
 * profile can show several roles side by side; an empty address means the device's first role.
 */
export function parseRoute(hash: string, configuredRoles: readonly Role[]): Route {
  const [rawRole = '', rawCounter] = hash.replace(/^#\/?/, '').split('/')
  if (rawRole === '') return { role: configuredRoles[0] ?? 'technician' }
  const role = RoleSchema.safeParse(rawRole)
  if (!role.success) return { unknownRole: rawRole.slice(0, 40) }
  const counter = rawCounter !== undefined && /^\d{1,2}$/.test(rawCounter) ? Number(rawCounter) : undefined
  return counter !== undefined && counter >= 1 && role.data === 'counter' ? { role: role.data, counter } : { role: role.data }
}
