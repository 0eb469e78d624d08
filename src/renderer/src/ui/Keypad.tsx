/** A large on-screen number pad for a touch screen with no keyboard. */
export function Keypad({ value, onChange, maxLength, label }: { value: string; onChange: (value: string) => void; maxLength: number; label: string }) {
  const press = (key: string): void => {
    if (key === '⌫') onChange(value.slice(0, -1))
    else if (value.length < maxLength) onChange(value + key)
  }
  return (
    <div className="keypad" role="group" aria-label={label}>
      <output className="keypad-value" aria-live="polite">
        {value || ' '}
      </output>
      <div className="keypad-keys">
        {['1', '2', '3', '4', '5', '6', '7', '8', '9', '⌫', '0'].map((key) => (
          <button key={key} type="button" className="touch-button keypad-key" aria-label={key === '⌫' ? 'Xoá' : key} onClick={() => press(key)}>
            {key}
          </button>
        ))}
      </div>
    </div>
  )
}
