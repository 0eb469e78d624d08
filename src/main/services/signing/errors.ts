/**
 * Base class of the typed errors thrown by the signing core. Each module narrows `code` to its own union
 * so callers can switch on it; nothing here throws anything else for bad key files or documents.
 */
export class SigningError<Code extends string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = new.target.name
  }
}
