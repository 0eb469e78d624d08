/** Files cross the contract as base64 text. */
export function base64OfBytes(bytes: Uint8Array): string {
  let binary = ''
  // String.fromCharCode takes its bytes as arguments: pass them in slices the call stack can hold.
  for (let start = 0; start < bytes.length; start += 0x8000) binary += String.fromCharCode(...bytes.subarray(start, start + 0x8000))
  return btoa(binary)
}

export function bytesOfBase64(base64: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0))
}
