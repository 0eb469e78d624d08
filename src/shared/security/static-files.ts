/** Content types of the files a renderer build holds; anything else is not served. */
export const STATIC_CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.wav': 'audio/wav',
  '.traineddata': 'application/octet-stream',
}

/**
 * Maps a request path to a file inside the renderer build, or undefined when it would leave it
 * (.., encoded separators, NUL) or names a type we do not serve. "/" is the app's index.html.
 */
export function resolveStaticPath(requestPath: string): string | undefined {
  let decoded: string
  try {
    decoded = decodeURIComponent(requestPath)
  } catch {
    return undefined
  }
  if (decoded === '/' || decoded === '') return 'index.html'
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return undefined
  const segments = decoded.slice(1).split('/')
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) return undefined
  const dot = decoded.lastIndexOf('.')
  if (dot < decoded.lastIndexOf('/') || !Object.hasOwn(STATIC_CONTENT_TYPES, decoded.slice(dot).toLowerCase())) return undefined
  return segments.join('/')
}

export function contentTypeOf(relativePath: string): string {
  const dot = relativePath.lastIndexOf('.')
  return STATIC_CONTENT_TYPES[relativePath.slice(dot).toLowerCase()] ?? 'application/octet-stream'
}
