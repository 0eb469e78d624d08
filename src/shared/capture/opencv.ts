/**
 * opencv.js, loaded once per thread (a browser Worker or a Node worker_thread). Its WebAssembly runtime starts
 * asynchronously; the pipeline's functions are synchronous and read the module loaded here, so a thread awaits
 * `loadOpenCv()` once before calling them.
 */
import type { CV, Mat } from '@techstark/opencv-js'
import { CodedError } from '../coded-error'

export type { CV, Mat }

export type OpenCvErrorCode = 'openCvNotLoaded' | 'openCvLoadFailed'
export class OpenCvError extends CodedError<OpenCvErrorCode> {}

let loaded: CV | undefined
let loading: Promise<void> | undefined

/**
 * Resolves when opencv.js is ready in this thread. The module is a thenable: never resolve a promise WITH it.
 * A browser bundle passes the module it imported statically: a bundler's dynamic import() resolves its promise
 * with the module's namespace, which carries that `then`, and never settles.
 */
export function loadOpenCv(bundled?: unknown): Promise<void> {
  loading ??= (async () => {
    const imported = (bundled ?? (await import('@techstark/opencv-js'))) as unknown as { default?: CV } & CV
    const module = (imported.default ?? imported) as CV & { onRuntimeInitialized?: () => void }
    if (typeof module.Mat !== 'function') {
      await new Promise<void>((resolve) => {
        module.onRuntimeInitialized = resolve
      })
    }
    loaded = module
  })().catch((error: unknown) => {
    loading = undefined
    throw new OpenCvError('openCvLoadFailed', `opencv.js failed to start: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  })
  return loading
}

export function openCv(): CV {
  if (loaded === undefined) throw new OpenCvError('openCvNotLoaded', 'opencv.js is not loaded in this thread: await loadOpenCv() first')
  return loaded
}

interface Deletable {
  delete(): void
}

/**
 * Runs `work` with a `keep` function that registers opencv objects for deletion when `work` ends, thrown or not:
 * they live on the WebAssembly heap, which no garbage collector frees.
 */
export function withMats<T>(work: (keep: <M extends Deletable>(object: M) => M) => T): T {
  const owned: Deletable[] = []
  try {
    return work((object) => {
      owned.push(object)
      return object
    })
  } finally {
    for (const object of owned.reverse()) object.delete()
  }
}

/** opencv.js throws C++ exceptions as bare heap pointers: turn one into its message. */
export function describeOpenCvError(error: unknown): string {
  if (typeof error === 'number' && loaded !== undefined) {
    const module = loaded as CV & { exceptionFromPtr?: (pointer: number) => { msg: string } }
    return module.exceptionFromPtr?.(error).msg ?? `opencv.js exception ${error}`
  }
  return error instanceof Error ? error.message : String(error)
}
