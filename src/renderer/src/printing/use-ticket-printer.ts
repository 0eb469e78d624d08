import { useCallback, useState } from 'react'
import type { Service } from '../../../shared/contract/schemas'
import { ticketQrText } from '../../../shared/domain/queue/ticket-qr'
import { vietnamClock, vietnameseDate } from '../../../shared/domain/time'
import { PAPER_DOTS } from '../../../shared/printing/escpos'
import { useApp } from '../app/app-context'
import type { IssuedTicket } from '../data/queue'
import { useI18n } from '../i18n/i18n'
import { drawTicket, ticketRaster } from './ticket-canvas'

export interface TicketPrinting {
  /** Prints an issued ticket on the configured printer, in the background: the ticket is already safe. */
  print(issued: IssuedTicket, service: Service): void
  /** The number of the last ticket that did not print, to tell the resident. */
  readonly failedLabel: string | undefined
  /** For the system printer: the ticket picture to put in the print-only element, then print. */
  readonly systemPrintout: string | undefined
  /** Drops the system printout once its card closes, so that it never shows in another print. */
  clearSystemPrintout(): void
}

export function useTicketPrinter(): TicketPrinting {
  const { api, device } = useApp()
  const { t, language } = useI18n()
  const [failedLabel, setFailedLabel] = useState<string>()
  const [systemPrintout, setSystemPrintout] = useState<string>()
  const { printer } = device.config

  const print = useCallback(
    (issued: IssuedTicket, service: Service): void => {
      if (printer.kind === 'none') return
      const { ticket, ahead } = issued
      const run = async (): Promise<void> => {
        const canvas = await drawTicket(
          {
            wardName: device.ward.fullName,
            label: ticket.label,
            serviceName: language === 'vi' ? service.name : service.nameEn,
            issuedAt: `${vietnameseDate(ticket.day)} ${vietnamClock(Date.now())}`,
            ahead: ahead > 0 ? t('kiosk.ahead', { count: ahead }) : t('kiosk.noneAhead'),
            ...(ticket.priority && { priority: t('kiosk.priorityTicket', { priority: t(`priority.${ticket.priority}`) }) }),
            qrText: ticketQrText({ wardCode: device.config.wardCode, day: ticket.day, label: ticket.label }),
          },
          PAPER_DOTS[printer.paperWidth],
        )
        if (printer.kind === 'system') setSystemPrintout(canvas.toDataURL('image/png'))
        else await api.printTicket(ticketRaster(canvas))
      }
      setFailedLabel(undefined)
      run().catch((error: unknown) => {
        console.error(`Ticket ${ticket.label} was issued but not printed: ${error instanceof Error ? error.message : String(error)}`)
        setFailedLabel(ticket.label)
      })
    },
    [api, device, printer, language, t],
  )
  const clearSystemPrintout = useCallback(() => setSystemPrintout(undefined), [])
  return { print, failedLabel, systemPrintout, clearSystemPrintout }
}
