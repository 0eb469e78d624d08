import type { MessageKey } from '../i18n/messages'
import type { Translate } from '../i18n/i18n'

const EXPLAINED = new Set(['network', 'timeout', 'badResponse', 'unavailable', 'clockSkew', 'unauthenticated', 'unknownDevice', 'enrollmentRefused', 'wrongWard', 'notConfigured'])

/** A sync problem in the screen's language: the protocol's code decides the sentence, the English detail stays in the log. */
export function describeSyncProblem(problem: { code: string; serverTime?: string }, t: Translate): string {
  if (!EXPLAINED.has(problem.code)) return t('sync.problem.other', { code: problem.code })
  const serverTime = problem.serverTime ? new Date(problem.serverTime).toLocaleString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh' }) : '?'
  return t(`sync.problem.${problem.code}` as MessageKey, { serverTime })
}

/** A time of day (or date and time when not today) in Vietnam's time zone. */
export function formatSyncTime(at: number | string, now: number = Date.now()): string {
  const date = new Date(at)
  const sameDay = date.toLocaleDateString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh' }) === new Date(now).toLocaleDateString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh' })
  return sameDay ? date.toLocaleTimeString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit' }) : date.toLocaleString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh' })
}
