import { CodedError } from '../../../../shared/coded-error'
import type { DocumentScanErrorCode } from '../../../../shared/contract/document-scanner-schemas'

/** Every failure of a document scanner, coded for the screen (in Vietnamese) with an English message for the log. */
export class DocumentScanError extends CodedError<DocumentScanErrorCode> {}
