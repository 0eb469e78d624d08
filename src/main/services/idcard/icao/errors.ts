import { CodedError } from '../../../../shared/coded-error'

/** The chip-card core's typed errors: nothing in it throws anything else for bad card or user input. */
export class IcaoError<Code extends string> extends CodedError<Code> {}
