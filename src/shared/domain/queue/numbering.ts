/**
 * Ticket numbers must never collide between devices that issue tickets while cut off from each
 * other, yet stay short on the ticket. Each issuing device gets a block of the 3-digit range from
 * provisioning (index i of n); once its block is used up it continues in its own 4-digit range
 * (i+1)xxx, which no other block can reach.
 */
export interface TicketBlock {
  /** 0-based index of this device among the ward's ticket-issuing devices. */
  readonly index: number
  /** How many devices of the ward issue tickets. */
  readonly count: number
}

const THREE_DIGIT_MAX = 999
const MAX_BLOCKS = 9

export function validateTicketBlock(block: TicketBlock): TicketBlock {
  const { index, count } = block
  if (!Number.isInteger(count) || count < 1 || count > MAX_BLOCKS) throw new RangeError(`ticket block count must be 1..${MAX_BLOCKS}`)
  if (!Number.isInteger(index) || index < 0 || index >= count) throw new RangeError('ticket block index must be 0..count-1')
  return block
}

/** The number of the k-th ticket (1-based) this device issues today for one service. */
export function ticketNumber(k: number, block: TicketBlock): number {
  validateTicketBlock(block)
  if (!Number.isInteger(k) || k < 1) throw new RangeError('ticket ordinal must be a positive integer')
  const span = Math.floor(THREE_DIGIT_MAX / block.count)
  if (k <= span) return block.index * span + k
  const overflow = k - span
  if (overflow > THREE_DIGIT_MAX) throw new RangeError('more than ~2,000 tickets for one service in a day on one device')
  return (block.index + 1) * 1000 + overflow
}

/** "A" + 15 -> "A015". */
export function ticketLabel(prefix: string, number: number): string {
  return `${prefix}${String(number).padStart(3, '0')}`
}
