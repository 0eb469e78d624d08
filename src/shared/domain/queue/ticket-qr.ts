/**
 * What a printed ticket's QR says: the ward, the day and the number, enough for a kiosk of the
 * ward to find the ticket in that day's queue. Versioned so the format can change.
 */
export function ticketQrText(ticket: { wardCode: string; day: string; label: string }): string {
  return `MCQ1:${ticket.wardCode}:${ticket.day}:${ticket.label}`
}
