/**
 * The one Content Security Policy of every screen, whether Electron serves it over app:// or the
 * web host over http: no inline script or style, no network but our own origin.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  // opencv.js (the live page outline) compiles WebAssembly; this allows that and nothing else (no eval).
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "media-src 'self' blob:",
  "worker-src 'self' blob:",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ')

/** Headers sent with every page and asset, by both hosts. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
  'Permissions-Policy': 'camera=(self), microphone=(), geolocation=(), usb=(), serial=(), hid=()',
}

/**
 * The page-outline worker's script (the renderer build's assets/outline-worker-HASH.js) runs
 * opencv.js, whose embind glue builds its call wrappers with `new Function`. A dedicated worker
 * takes its policy from its own script's response, so that one file alone may evaluate strings:
 * it has no DOM, and every page keeps the strict policy above.
 */
export const PAGE_OUTLINE_WORKER_PATH = /^assets\/outline-worker-[\w-]+\.js$/
export const PAGE_OUTLINE_WORKER_POLICY = CONTENT_SECURITY_POLICY.replace("script-src 'self' 'wasm-unsafe-eval'", "script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval'")

/** The headers for one file of the renderer build (its path relative to the build). */
export function securityHeadersFor(relativePath: string): Readonly<Record<string, string>> {
  return PAGE_OUTLINE_WORKER_PATH.test(relativePath) ? { ...SECURITY_HEADERS, 'Content-Security-Policy': PAGE_OUTLINE_WORKER_POLICY } : SECURITY_HEADERS
}
