import { useLiveQuery } from 'dexie-react-hooks'
import { useEffect, useState } from 'react'
import type { QueueState } from '../../../shared/domain/queue/fold'
import { vietnamDay } from '../../../shared/domain/time'
import { readQueue } from '../data/queue'
import { useApp } from './app-context'

/** Today's queue, live: re-folded whenever any window of this profile writes to the log. */
export function useQueue(): QueueState | undefined {
  const { store } = useApp()
  const day = useToday()
  return useLiveQuery(() => readQueue(store, day), [store, day])
}

/** The Vietnamese calendar day, rolling over at midnight so the queue resets daily. */
function useToday(): string {
  const [day, setDay] = useState(() => vietnamDay(Date.now()))
  useEffect(() => {
    const timer = setInterval(() => setDay(vietnamDay(Date.now())), 30_000)
    return () => clearInterval(timer)
  }, [])
  return day
}
