/**
 * Base class of the typed errors thrown by the ICAO protocol core. Each module narrows `code` to its own
 * union, so callers can switch on it; nothing in the core throws anything else for bad card or user input.
 */
export class IcaoError<Code extends string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = new.target.name
  }
}
