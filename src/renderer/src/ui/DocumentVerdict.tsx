import type { OperationOutput } from '../../../shared/contract/contract'

/** A verification's verdict as main words it (Vietnamese, as Circular 15/2025 asks: signer, time, integrity, trust). */
export function DocumentVerdictView({ verdict }: { verdict: OperationOutput<'verifyDocument'> }) {
  const [headline, ...details] = verdict.linesVi
  return (
    <section className={`verdict ${verdict.accepted ? 'verdict-ok' : 'verdict-bad'}`} data-testid="document-verdict" aria-live="polite">
      <p className="verdict-headline">{headline}</p>
      <ul>
        {details.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </section>
  )
}
