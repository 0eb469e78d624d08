import { CodedError } from '../../../shared/coded-error'

/** The signing core's typed errors: nothing in it throws anything else for bad key files or documents. */
export class SigningError<Code extends string> extends CodedError<Code> {}
