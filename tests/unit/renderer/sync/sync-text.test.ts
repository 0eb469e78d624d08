import { describe, expect, it } from 'vitest'
import { en, vi as vietnamese } from '../../../../src/renderer/src/i18n/messages'
import { translator } from '../../../../src/renderer/src/i18n/i18n'
import { describeSyncProblem, SYNC_PROBLEM_CODES } from '../../../../src/renderer/src/sync/sync-text'
import { SYNC_ERROR_CODES } from '../../../../src/shared/sync/protocol'
import { needsTechnician } from '../../../../src/shared/sync/engine-state'

describe('sync problems in the clerk\'s words', () => {
  const t = translator('vi')
  const other = (code: string) => t('sync.problem.other', { code })

  it('has its own Vietnamese and English sentence for every error code of the protocol and the engine', () => {
    for (const code of [...SYNC_ERROR_CODES, 'network', 'timeout', 'badResponse', 'serverKeyChanged', 'failed', 'notConfigured']) {
      expect(SYNC_PROBLEM_CODES).toContain(code)
      expect(describeSyncProblem({ code }, t)).not.toBe(other(code))
      expect(Object.keys(vietnamese)).toContain(`sync.problem.${code}`)
      expect(Object.keys(en)).toContain(`sync.problem.${code}`)
    }
  })

  it('says a problem that cures itself will be retried, and does not send the clerk to a technician for it', () => {
    for (const code of ['failed', 'offsetMismatch', 'sequenceGap', 'payloadTooLarge', 'checksumMismatch', 'digestMismatch']) {
      expect(needsTechnician(code)).toBe(false)
      expect(describeSyncProblem({ code }, t)).toMatch(/tự (thử|gửi)/)
      expect(describeSyncProblem({ code }, t)).not.toMatch(/kỹ thuật viên/)
    }
    for (const code of ['conflictingEvent', 'notYourEvents', 'serverKeyChanged']) expect(describeSyncProblem({ code }, t)).toMatch(/kỹ thuật viên/)
    expect(needsTechnician('serverKeyChanged')).toBe(true)
  })

  it('falls back to the code for one it does not know', () => {
    expect(describeSyncProblem({ code: 'somethingNew' }, t)).toBe(other('somethingNew'))
  })
})
