import { createRequire } from 'node:module'
import { loadOpenCv } from '../../src/shared/capture/opencv'

/** opencv.js in the test's own thread, through Node's require (vitest's import wrapper would await the thenable module forever). */
export const loadOpenCvInTests = (): Promise<void> => loadOpenCv(createRequire(import.meta.url)('@techstark/opencv-js'))
