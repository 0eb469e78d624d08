import { useMemo } from 'react'
import { encodeQr } from './qr-matrix'

/** A QR code drawn as SVG squares: sharp on screen and in print at any size. Level M, UTF-8. */
export function QrCode({ text, size = 200, label }: { text: string; size?: number; label: string }) {
  const path = useMemo(() => {
    const matrix = encodeQr(text)
    let d = ''
    for (let y = 0; y < matrix.getHeight(); y++) for (let x = 0; x < matrix.getWidth(); x++) if (matrix.get(x, y)) d += `M${x} ${y}h1v1h-1z`
    return { d, modules: matrix.getWidth() }
  }, [text])
  return (
    <svg role="img" aria-label={label} width={size} height={size} viewBox={`0 0 ${path.modules} ${path.modules}`} shapeRendering="crispEdges" data-qr={text}>
      <rect width="100%" height="100%" fill="#fff" />
      <path d={path.d} fill="#000" />
    </svg>
  )
}
