/**
 * Our pages live at app://motcua/. A custom scheme's URL has the origin "null", so trust is
 * decided by comparing protocol and host, never by URL.origin.
 */
export const APP_SCHEME = 'app'
export const APP_HOST = 'motcua'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`

export function appUrl(route: string): string {
  return `${APP_ORIGIN}/index.html#/${route}`
}

/** Whether a URL belongs to our app: app://motcua/..., or the development server when one is in use. */
export function isAppUrl(url: string, devServerUrl?: string): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  if (parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '') return true
  if (!devServerUrl) return false
  const dev = new URL(devServerUrl)
  return parsed.protocol === dev.protocol && parsed.host === dev.host
}

/** The little of Electron's WebFrameMain the sender check needs. */
export interface FrameLike {
  readonly url: string
  readonly parent: FrameLike | null
}

/** IPC is answered only for our own page in a top-level frame: never a subframe, never another origin. */
export function isTrustedSenderFrame(frame: FrameLike | null | undefined, devServerUrl?: string): boolean {
  if (!frame || frame.parent !== null) return false
  return isAppUrl(frame.url, devServerUrl)
}
