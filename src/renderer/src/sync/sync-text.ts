import type { Translate } from '../i18n/i18n'
import { SYNC_ERROR_CODES } from '../../../shared/sync/protocol'

/** Every code a sync problem may carry: the protocol's, the client's own (network…, serverKeyChanged), and the engine's (failed, notConfigured). */
export const SYNC_PROBLEM_CODES = [...SYNC_ERROR_CODES, 'network', 'timeout', 'badResponse', 'serverKeyChanged', 'notConfigured', 'failed'] as const
const EXPLAINED: ReadonlySet<string> = new Set(SYNC_PROBLEM_CODES)
const isExplained = (code: string): code is (typeof SYNC_PROBLEM_CODES)[number] => EXPLAINED.has(code)

/** A sync problem in the screen's language: the protocol's code decides the sentence, the English detail stays in the log. */
export function describeSyncProblem(problem: { code: string; serverTime?: string }, t: Translate): string {
  if (!isExplained(problem.code)) return t('sync.problem.other', { code: problem.code })
  const serverTime = problem.serverTime ? new Date(problem.serverTime).toLocaleString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh' }) : '?'
  return t(`sync.problem.${problem.code}`, { serverTime })
}

/** A time of day (or date and time when not today) in Vietnam's time zone. */
export function formatSyncTime(at: number | string, now: number = Date.now()): string {
  const date = new Date(at)
  const sameDay = date.toLocaleDateString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh' }) === new Date(now).toLocaleDateString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh' })
  return sameDay ? date.toLocaleTimeString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit' }) : date.toLocaleString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh' })
}
