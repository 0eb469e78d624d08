/**
 * Base of every typed error of the project's cores (seal, signing, chip card): `code` is a union
 * each module narrows, so callers switch on it instead of parsing messages.
 */
export class CodedError<Code extends string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = new.target.name
  }
}
