/**
 * opencv.js for a browser bundle (the renderer's page-outline worker): imported statically, because a
 * bundler's dynamic import() resolves with the module's namespace, which carries opencv's `then`, and never
 * settles. Importing this file evaluates opencv.js at once: only a thread that needs it should.
 */
import bundled from '@techstark/opencv-js'
import { loadOpenCv } from './opencv'

export const loadBundledOpenCv = (): Promise<void> => loadOpenCv(bundled)
