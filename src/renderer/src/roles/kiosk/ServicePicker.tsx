import { countersOf, type Service } from '../../../../shared/contract/schemas'
import { PRIORITY_CLASSES, type PriorityClass } from '../../../../shared/domain/queue/events'
import { estimateWait } from '../../../../shared/domain/queue/wait-estimate'
import { useApp } from '../../app/app-context'
import { useQueue } from '../../app/use-queue'
import { useI18n } from '../../i18n/i18n'

interface ServicePickerProps {
  readonly prompt: string
  readonly onPick: (service: Service) => void
  readonly disabled?: boolean
  /** With a priority row (taking a ticket); without it when booking. */
  readonly priority?: PriorityClass | undefined
  readonly onPriority?: (priority: PriorityClass | undefined) => void
  readonly showWait?: boolean
}

/** The services as big touch buttons, each with its estimated wait. */
export function ServicePicker({ prompt, onPick, disabled, priority, onPriority, showWait }: ServicePickerProps) {
  const { setup, device } = useApp()
  const { t, language } = useI18n()
  const queue = useQueue()
  const counters = countersOf(setup, device.config.counterCount)
  return (
    <section>
      {onPriority && (
        <fieldset className="priority-row">
          <legend>{t('kiosk.priorityQuestion')}</legend>
          {PRIORITY_CLASSES.filter((candidate) => candidate !== 'appointment').map((candidate) => (
            <button
              key={candidate}
              type="button"
              className="touch-button priority-chip"
              aria-pressed={priority === candidate}
              onClick={() => onPriority(priority === candidate ? undefined : candidate)}
            >
              {t(`priority.${candidate}`)}
            </button>
          ))}
        </fieldset>
      )}
      <h2 className="kiosk-prompt">{prompt}</h2>
      <div className="service-grid">
        {setup.services.map((service) => {
          const wait = showWait && queue ? estimateWait(queue, service.id, counters, setup.queueRules) : undefined
          return (
            <button key={service.id} type="button" className="touch-button service-button" disabled={disabled} onClick={() => onPick(service)}>
              <span className="service-prefix" aria-hidden="true">
                {service.prefix}
              </span>
              <span>
                <span className="service-name">{language === 'vi' ? service.name : service.nameEn}</span>
                {wait && <span className="service-wait">{wait.ahead === 0 ? t('kiosk.noWait') : t('kiosk.waitEstimate', { ahead: wait.ahead, minutes: wait.minutes })}</span>}
              </span>
            </button>
          )
        })}
      </div>
    </section>
  )
}
