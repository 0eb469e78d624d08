import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Protocol } from 'electron'
import { securityHeadersFor } from '../shared/security/csp'
import { contentTypeOf, resolveStaticPath } from '../shared/security/static-files'
import { APP_HOST, APP_SCHEME } from './app-origin'

/** Must run before the app is ready: app:// behaves like https (secure context, IndexedDB, fetch). */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true },
} as const

/** Serves the built renderer at app://motcua/ with the same headers the web host sends. */
export function serveRenderer(protocol: Pick<Protocol, 'handle'>, rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url)
    const relative = url.host === APP_HOST ? resolveStaticPath(url.pathname) : undefined
    if (!relative) return new Response('Not found', { status: 404 })
    try {
      const content = await readFile(join(rendererDir, relative))
      return new Response(content, { headers: { ...securityHeadersFor(relative), 'Content-Type': contentTypeOf(relative) } })
    } catch {
      return new Response('Not found', { status: 404 })
    }
  })
}
