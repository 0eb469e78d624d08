import { useEffect, useRef, useState } from 'react'
import { useApp } from '../app/app-context'
import type { PageImage } from './CapturePanel'
import { ScanSession, type ScanProgress, type StartScanJob } from './scan-session'

export interface ScanSessionControls {
  /** The current job's progress, or none before the first. */
  readonly job: ScanProgress | undefined
  /** True from a job's start until its last page is through the pipeline. */
  readonly running: boolean
  start(startJob: StartScanJob): Promise<void>
  cancel(): void
  /** The current job once it has ended and its pages are on the board. */
  done(): Promise<ScanProgress | undefined>
}

/**
 * A ScanSession for as long as the panel is open, whatever starts its jobs (a scanner, an imported PDF): each page
 * goes to `onImage` as a scanned page, already flat; the board processes it at its paper's dpi.
 */
export function useScanSession(onImage: (image: PageImage) => Promise<void>, onePage: boolean): ScanSessionControls {
  const { api } = useApp()
  const [job, setJob] = useState<ScanProgress>()
  const session = useRef<ScanSession | undefined>(undefined)
  const onImageRef = useRef(onImage)
  onImageRef.current = onImage

  useEffect(() => {
    const created = new ScanSession(api, { onPage: (page) => onImageRef.current({ imageBase64: page.imageBase64, source: 'scan' }), onChange: setJob }, onePage)
    session.current = created
    return () => created.close()
  }, [api, onePage])

  return {
    job,
    running: job !== undefined && !(job.finished && job.processed === job.received),
    start: async (startJob) => session.current?.start(startJob),
    cancel: () => session.current?.cancel(),
    done: async () => session.current?.done(),
  }
}
