import { useEffect } from 'react'

/** Calls `onIdle` after `ms` without a touch or a key: a kiosk left mid-way returns to its start for the next resident. */
export function useIdle(onIdle: () => void, ms: number, active = true): void {
  useEffect(() => {
    if (!active) return
    let timer = setTimeout(onIdle, ms)
    const reset = (): void => {
      clearTimeout(timer)
      timer = setTimeout(onIdle, ms)
    }
    window.addEventListener('pointerdown', reset)
    window.addEventListener('keydown', reset)
    return () => {
      clearTimeout(timer)
      window.removeEventListener('pointerdown', reset)
      window.removeEventListener('keydown', reset)
    }
  }, [onIdle, ms, active])
}
