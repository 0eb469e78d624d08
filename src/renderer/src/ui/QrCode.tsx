import { useEffect, useState } from 'react'

/** The QR encoder (all of zxing) is loaded on first use: most screens never draw a QR, and the kiosk starts faster without it. */
export const loadQrEncoder = (): Promise<typeof import('./qr-matrix')> => import('./qr-matrix')

/** A QR code drawn as SVG squares: sharp on screen and in print at any size. Level M, UTF-8. */
export function QrCode({ text, size = 200, label }: { text: string; size?: number; label: string }) {
  const [path, setPath] = useState<{ d: string; modules: number; text: string }>()
  useEffect(() => {
    let current = true
    void loadQrEncoder().then(({ encodeQr }) => {
      const matrix = encodeQr(text)
      let d = ''
      for (let y = 0; y < matrix.getHeight(); y++) for (let x = 0; x < matrix.getWidth(); x++) if (matrix.get(x, y)) d += `M${x} ${y}h1v1h-1z`
      if (current) setPath({ d, modules: matrix.getWidth(), text })
    })
    return () => {
      current = false
    }
  }, [text])
  if (!path || path.text !== text) return <svg role="img" aria-label={label} width={size} height={size} aria-busy="true" />
  return (
    <svg role="img" aria-label={label} width={size} height={size} viewBox={`0 0 ${path.modules} ${path.modules}`} shapeRendering="crispEdges" data-qr={text}>
      <rect width="100%" height="100%" fill="#fff" />
      <path d={path.d} fill="#000" />
    </svg>
  )
}
