import { useEffect, useRef, useState } from 'react'

/**
 * Where a handheld scanner in keyboard mode "types" a code, ending with Enter; a person can type
 * a code too. Keeps the focus so that a scan is never lost to another field.
 */
export function ScanInput({ label, onScan, placeholder }: { label: string; onScan: (text: string) => void; placeholder?: string }) {
  const [value, setValue] = useState('')
  const input = useRef<HTMLInputElement>(null)
  useEffect(() => input.current?.focus(), [])
  return (
    <form
      className="scan-input"
      onSubmit={(event) => {
        event.preventDefault()
        if (value.trim() === '') return
        onScan(value)
        setValue('')
      }}
    >
      <label>
        {label}
        <input ref={input} value={value} onChange={(event) => setValue(event.target.value)} placeholder={placeholder} autoComplete="off" spellCheck={false} maxLength={4096} />
      </label>
    </form>
  )
}
