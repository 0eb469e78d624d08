import { useEffect, useRef, useState } from 'react'
import type { MotcuaApi } from '../../../shared/contract/contract'
import { bytesOfBase64 } from '../data/base64'
import type { CaptureBoard } from './capture-boards'

/**
 * The board's thumbnails as object URLs, by page sha256: the ones main just returned in clear,
 * and, after a reload, the sealed ones opened by main. They live in this screen's memory only.
 */
export function useThumbnails(api: MotcuaApi, board: CaptureBoard | undefined): { urls: ReadonlyMap<string, string>; remember: (sha256: string, thumbnailBase64: string) => void } {
  const urls = useRef(new Map<string, string>())
  const opening = useRef(new Set<string>())
  const shown = useRef(new Set<string>())
  const [, setVersion] = useState(0)

  const remember = (sha256: string, thumbnailBase64: string): void => {
    if (urls.current.has(sha256)) return
    urls.current.set(sha256, URL.createObjectURL(new Blob([bytesOfBase64(thumbnailBase64)], { type: 'image/jpeg' })))
    setVersion((version) => version + 1)
  }

  useEffect(() => {
    const onBoard = new Set(board?.papers.flatMap((paper) => paper.pages.map((page) => page.page.sha256)))
    // A page turned or deleted leaves the board: its picture goes from memory now, not when the screen closes.
    // Only pages that were on the board: a thumbnail just remembered may come before the board that holds it.
    for (const sha256 of shown.current) {
      if (onBoard.has(sha256)) continue
      const url = urls.current.get(sha256)
      if (url) URL.revokeObjectURL(url)
      urls.current.delete(sha256)
    }
    shown.current = onBoard
    for (const page of board?.papers.flatMap((paper) => paper.pages) ?? []) {
      const { sha256 } = page.page
      if (urls.current.has(sha256) || opening.current.has(sha256)) continue
      opening.current.add(sha256)
      api.openSealedBlob({ sealed: page.sealedThumbnail }).then(
        ({ base64 }) => remember(sha256, base64),
        (error: unknown) => console.error(`Thumbnail ${sha256} did not open: ${String(error)}`),
      ).finally(() => opening.current.delete(sha256))
    }
  })

  useEffect(() => () => urls.current.forEach((url) => URL.revokeObjectURL(url)), [])
  return { urls: urls.current, remember }
}
