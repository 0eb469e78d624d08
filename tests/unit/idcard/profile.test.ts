import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CardProfileError, loadCardProfile } from '../../../src/main/services/idcard/emulator/profile'
import { PROJECT_ROOT } from '../../helpers/browser-mode-host'

const sample = join(PROJECT_ROOT, 'resources/idcard/sample-profile.json')

/** A copy of the sample profile with some DG13 fields taken out (and other changes), beside its face picture. */
function profileWithout(fields: readonly string[], changes: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'card-profile-'))
  const profile = { ...(JSON.parse(readFileSync(sample, 'utf8')) as { dg13: Record<string, string> }), ...changes }
  for (const field of fields) delete profile.dg13[field]
  writeFileSync(join(dir, 'profile.json'), JSON.stringify(profile))
  copyFileSync(join(PROJECT_ROOT, 'resources/idcard/sample-face.jpg'), join(dir, 'sample-face.jpg'))
  return join(dir, 'profile.json')
}

describe('card profiles for the emulator', () => {
  it('may leave out the fields a card may leave empty', async () => {
    const profile = await loadCardProfile(profileWithout(['religion', 'identifyingFeatures', 'spouseName', 'oldIdNumber', 'fatherName']))
    expect(profile.dg13).toMatchObject({ religion: '', identifyingFeatures: '', spouseName: '', oldIdNumber: '', fatherName: '', fullName: 'Nguyễn Văn Mẫu' })
  })

  it('carries the CAN when it has one, and refuses one that is not 6 digits', async () => {
    expect((await loadCardProfile(sample)).can).toBe('012345')
    expect((await loadCardProfile(profileWithout([], { can: undefined }))).can).toBeUndefined()
    await expect(loadCardProfile(profileWithout([], { can: '12a456' }))).rejects.toMatchObject({ code: 'invalidProfile' })
  })

  it('refuses a DG13 key the contract does not know', async () => {
    const profile = JSON.parse(readFileSync(sample, 'utf8')) as { dg13: Record<string, string> }
    await expect(loadCardProfile(profileWithout([], { dg13: { ...profile.dg13, favouriteColour: 'đỏ' } }))).rejects.toMatchObject({ code: 'invalidProfile' })
  })

  it('refuses a profile without the fields every card has', async () => {
    await expect(loadCardProfile(profileWithout(['idNumber']))).rejects.toBeInstanceOf(CardProfileError)
  })
})
