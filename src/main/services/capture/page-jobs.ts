/** What the page processor and its worker thread say to each other. */
import type { PageImage, PageImageOptions } from '../../../shared/capture/process-page-image'

export interface PageJob {
  readonly id: number
  readonly width: number
  readonly height: number
  /** RGBA, transferred to the worker. */
  readonly rgba: ArrayBuffer
  readonly options: PageImageOptions
}

export type PageJobReply = { readonly id: number; readonly ok: true; readonly image: PageImage } | { readonly id: number; readonly ok: false; readonly message: string }
