import { z } from 'zod'
import { numberInBlock, type BlockNumbering, type TicketBlock } from '../queue/numbering'
import { vietnamDay } from '../time'

/**
 * Dossier codes as the provincial systems print them: `{agency code}-{yyMMdd}-{sequence}`, e.g.
 * H15.50.05.13-261008-0975. The counters of a ward receive dossiers while cut off from each other
 * and from the city, so the sequence is split the way queue tickets are (../queue/numbering.ts):
 * counter i of n numbers inside its own block of 0001..9999 and, past it, in its own 5-digit range
 * (i+1)xxxx. The block is the counter's place among the ward's counters (counterNumber - 1 of
 * counterCount in the device configuration), so no two devices can make the same code on one day;
 * k, the device's count of dossiers received that day plus one, comes from its event log.
 */

const DOSSIER_NUMBERING: BlockNumbering = { digits: 4, maxBlocks: 99, what: 'dossiers' }
const SEQUENCE_DIGITS = 4

/**
 * Agency identifiers under QĐ 20/2020/QĐ-TTg: dot-separated groups of digits and capitals
 * (000.00.12.H17, H15.50.05.13). At most 18 characters, so a code with a 6-digit overflow
 * sequence still fits the QR seal's 32.
 */
export const AgencyCodeSchema = z.string().regex(/^[0-9A-Z]+(\.[0-9A-Z]+)*$/, 'an agency code is dot-separated groups of digits and capitals').max(18)

export const DossierCodeSchema = z.string().regex(/^[0-9A-Z]+(\.[0-9A-Z]+)*-\d{6}-\d{4,6}$/, 'a dossier code is {agency}-{yyMMdd}-{sequence}').max(32)

export interface DossierCodeInput {
  readonly agencyCode: string
  /** When the dossier was received (epoch ms); its day in Vietnam goes into the code. */
  readonly receivedAt: number
  /** 1 for this device's first dossier of that day. */
  readonly ordinal: number
  /** This counter's block: index counterNumber - 1 of count counterCount. */
  readonly block: TicketBlock
}

export function dossierCode({ agencyCode, receivedAt, ordinal, block }: DossierCodeInput): string {
  const agency = AgencyCodeSchema.parse(agencyCode)
  const yyMMdd = vietnamDay(receivedAt).slice(2).replaceAll('-', '')
  const sequence = String(numberInBlock(ordinal, block, DOSSIER_NUMBERING)).padStart(SEQUENCE_DIGITS, '0')
  return `${agency}-${yyMMdd}-${sequence}`
}
