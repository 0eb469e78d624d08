import { useLiveQuery } from 'dexie-react-hooks'
import { useEffect, useState } from 'react'
import type { Appointment } from '../../../shared/domain/appointments/appointments'
import type { QueueState } from '../../../shared/domain/queue/fold'
import { vietnamDay } from '../../../shared/domain/time'
import { readAppointments, readQueue } from '../data/queue'
import { useApp } from './app-context'

/** Today's queue, live: re-folded whenever any window of this profile writes to the log. */
export function useQueue(): QueueState | undefined {
  const { store, setup } = useApp()
  const day = useToday()
  return useLiveQuery(() => readQueue(store, day, setup.queueRules), [store, day, setup])
}

/** Appointments of the coming days, live. */
export function useAppointments(): ReadonlyMap<string, Appointment> | undefined {
  const { store, setup } = useApp()
  const day = useToday()
  return useLiveQuery(() => readAppointments(store, day, setup.queueRules), [store, day, setup])
}

/** The current time, ticking: for windows that close (no-show returns) and slots that pass. */
export function useNow(intervalMs = 15_000): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs)
    return () => clearInterval(timer)
  }, [intervalMs])
  return now
}

/** The Vietnamese calendar day, rolling over at midnight so the queue resets daily. */
function useToday(): string {
  return vietnamDay(useNow(30_000))
}
