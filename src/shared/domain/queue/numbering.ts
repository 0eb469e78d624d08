/**
 * Numbers must never collide between devices that hand them out while cut off from each other, yet
 * stay short. Each device gets a block of the `digits`-wide range from provisioning (index i of n);
 * once its block is used up it continues in its own range (i+1)·10^digits + k, which no other block
 * can reach. Queue tickets use 3 digits (A015); dossier codes use the same scheme with the 4-digit
 * sequence the provincial systems print (src/shared/domain/dossier/dossier-code.ts).
 */
export interface TicketBlock {
  /** 0-based index of this device among the ward's devices that share the range. */
  readonly index: number
  /** How many devices of the ward share the range. */
  readonly count: number
}

export interface BlockNumbering {
  /** Width of the range the blocks split: 3 gives 1..999. */
  readonly digits: number
  readonly maxBlocks: number
  /** Named in the error when one device runs past its overflow range. */
  readonly what: string
}

const TICKET_NUMBERING: BlockNumbering = { digits: 3, maxBlocks: 9, what: 'tickets for one service' }

function checkBlock(block: TicketBlock, maxBlocks: number): void {
  const { index, count } = block
  if (!Number.isInteger(count) || count < 1 || count > maxBlocks) throw new RangeError(`block count must be 1..${maxBlocks}`)
  if (!Number.isInteger(index) || index < 0 || index >= count) throw new RangeError('block index must be 0..count-1')
}

export function validateTicketBlock(block: TicketBlock): TicketBlock {
  checkBlock(block, TICKET_NUMBERING.maxBlocks)
  return block
}

/** The number of the k-th item (1-based) this device hands out today in a block-split range. */
export function numberInBlock(k: number, block: TicketBlock, numbering: BlockNumbering): number {
  checkBlock(block, numbering.maxBlocks)
  if (!Number.isInteger(k) || k < 1) throw new RangeError('the ordinal must be a positive integer')
  const rangeEnd = 10 ** numbering.digits - 1
  const span = Math.floor(rangeEnd / block.count)
  if (k <= span) return block.index * span + k
  const overflow = k - span
  if (overflow > rangeEnd) throw new RangeError(`more than ${span + rangeEnd} ${numbering.what} in a day on one device`)
  return (block.index + 1) * (rangeEnd + 1) + overflow
}

/** The number of the k-th ticket (1-based) this device issues today for one service. */
export function ticketNumber(k: number, block: TicketBlock): number {
  return numberInBlock(k, block, TICKET_NUMBERING)
}

/** "A" + 15 -> "A015". */
export function ticketLabel(prefix: string, number: number): string {
  return `${prefix}${String(number).padStart(3, '0')}`
}
