import { MotcuaError } from '../../../shared/contract/dispatch'
import { errorMessageKey } from '../i18n/messages'
import type { Translate } from '../i18n/i18n'

/** What the screen says about a failure, in the screen's language; the English detail goes to the log only. */
export function describeError(error: unknown, t: Translate): string {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error))
  if (error instanceof MotcuaError) return t(errorMessageKey(error.code))
  if (error instanceof Error && /^(Dexie|Abort|Quota|Database|Constraint|Version|Open)/.test(error.name)) return t('error.storage')
  return t('error.failed')
}
