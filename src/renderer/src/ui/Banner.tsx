export function Banner({ tone, children }: { tone: 'error' | 'info'; children: string }) {
  return (
    <div className={`banner banner-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  )
}
