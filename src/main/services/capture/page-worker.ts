/**
 * The page pipeline's worker thread: opencv.js starts once here, then each job is one page, run synchronously
 * (its WebAssembly heap is the thread's own). Pixels go back transferred, not copied.
 */
import { createRequire } from 'node:module'
import { parentPort } from 'node:worker_threads'
import { describeOpenCvError, loadOpenCv } from '../../../shared/capture/opencv'
import { processPageImage } from '../../../shared/capture/process-page-image'
import type { PageJob, PageJobReply } from './page-jobs'

const port = parentPort
if (port === null) throw new Error('page-worker runs as a worker thread')

port.on('message', (job: PageJob) => {
  void run(job).then(({ reply, transfer }) => port.postMessage(reply, transfer))
})

async function run(job: PageJob): Promise<{ reply: PageJobReply; transfer: ArrayBuffer[] }> {
  try {
    // Node's require hands over the module itself, the form loadOpenCv takes without awaiting it.
    await loadOpenCv(createRequire(import.meta.url)('@techstark/opencv-js'))
    const image = processPageImage({ width: job.width, height: job.height, data: new Uint8Array(job.rgba) }, job.options)
    return { reply: { id: job.id, ok: true, image }, transfer: [image.page.data.buffer as ArrayBuffer, image.ocrGray.data.buffer as ArrayBuffer] }
  } catch (error) {
    return { reply: { id: job.id, ok: false, message: describeOpenCvError(error) }, transfer: [] }
  }
}
