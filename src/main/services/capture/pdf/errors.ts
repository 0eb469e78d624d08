import { CodedError } from '../../../../shared/coded-error'

export type ArchivalPdfErrorCode = 'noPages' | 'invalidPageImage' | 'unsupportedColorSpace' | 'resolutionTooLow' | 'invalidDossierCode' | 'invalidSequence'

/** A page the archival PDF cannot take; the message (English) says which page and why. */
export class ArchivalPdfError extends CodedError<ArchivalPdfErrorCode> {}

export type PdfInputErrorCode = 'unreadablePdf' | 'encryptedPdf' | 'rasterizerMissing' | 'tooManyPages' | 'pageTooLarge'

/** A PDF given as input to digitize (a scan saved as PDF) that cannot be turned into page images. */
export class PdfInputError extends CodedError<PdfInputErrorCode> {}
