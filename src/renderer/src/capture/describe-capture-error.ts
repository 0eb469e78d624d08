import type { Translate } from '../i18n/i18n'
import { describeError } from '../ui/error-message'
import { captureProblemKey } from './capture-errors'

/** What the screen says about a failed capture, PDF import or PDF: which page problem it was, or something else. */
export function describeCaptureError(error: unknown, t: Translate): string {
  const key = captureProblemKey(error)
  if (!key) return describeError(error, t)
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error))
  return t(key)
}
