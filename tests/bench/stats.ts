export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

export function figure(name: string, value: string, goal?: string): void {
  console.log(`${name.padEnd(52)} ${value.padStart(14)}${goal ? `   (goal ${goal})` : ''}`)
}

export const ms = (value: number): string => `${value.toFixed(1)} ms`
