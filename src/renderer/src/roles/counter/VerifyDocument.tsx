import { useState } from 'react'
import type { OperationOutput } from '../../../../shared/contract/contract'
import { useApp } from '../../app/app-context'
import { useI18n } from '../../i18n/i18n'
import { Banner } from '../../ui/Banner'
import { DocumentVerdictView } from '../../ui/DocumentVerdict'
import { describeError } from '../../ui/error-message'
import { base64OfBytes } from '../../data/base64'

/** The largest PDF a clerk checks here; receipts are tens of kilobytes. */
const MAX_PDF_BYTES = 10 * 1024 * 1024

/** A clerk checks a signed PDF a resident brings (a receipt, a result): signer, time, integrity, trust. */
export function VerifyDocument() {
  const { api } = useApp()
  const { t } = useI18n()
  const [verdict, setVerdict] = useState<OperationOutput<'verifyDocument'>>()
  const [error, setError] = useState<string>()

  const check = async (file: File | undefined): Promise<void> => {
    setVerdict(undefined)
    setError(undefined)
    if (!file) return
    if (file.size > MAX_PDF_BYTES) return setError(t('verify.tooLarge'))
    try {
      setVerdict(await api.verifyDocument({ pdfBase64: base64OfBytes(new Uint8Array(await file.arrayBuffer())) }))
    } catch (failure) {
      setError(describeError(failure, t))
    }
  }

  return (
    <section className="verify-document">
      <h2>{t('verify.title')}</h2>
      <label>
        {t('verify.choosePdf')}
        <input type="file" accept="application/pdf,.pdf" onChange={(event) => void check(event.target.files?.[0])} />
      </label>
      {error && <Banner tone="error">{error}</Banner>}
      {verdict && <DocumentVerdictView verdict={verdict} />}
    </section>
  )
}
