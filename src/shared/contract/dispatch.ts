import { z } from 'zod'
import { isOperationName, operations, type OperationName, type Operations } from './contract'

/** Implementations of every operation, as main (and the web host, and the CLI) provide them. */
export type OperationHandlers = {
  readonly [N in OperationName]: (input: z.output<Operations[N]['input']>) => Promise<z.input<Operations[N]['output']>>
}

export const ERROR_CODES = ['unknownOperation', 'invalidInput', 'forbidden', 'failed', 'unavailable', 'notConfigured'] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

/** An error meant to cross the boundary: a code for the screen to translate, an English message for the log. */
export class MotcuaError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** A finer cause within the code, for a screen that words it apart (a camelCase word the operation defines). */
    readonly reason?: string,
  ) {
    super(message)
    this.name = 'MotcuaError'
  }
}

const ReasonSchema = z.string().regex(/^[a-z][A-Za-z]{0,39}$/)

export const ResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }).strict(),
  z.object({ ok: z.literal(false), error: z.object({ code: z.enum(ERROR_CODES), message: z.string().max(2000), reason: ReasonSchema.optional() }).strict() }).strict(),
])
export type Result = z.infer<typeof ResultSchema>

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`)
    .join('; ')
}

/**
 * Runs one operation named by an untrusted caller with untrusted input: the name must be in the
 * contract, the input must match its schema, and the handler's output is checked too, so no
 * adapter can leak more than the contract declares. Never throws.
 */
export async function dispatch(handlers: OperationHandlers, name: string, rawInput: unknown, log?: (line: string) => void): Promise<Result> {
  if (!isOperationName(name)) return { ok: false, error: { code: 'unknownOperation', message: `Unknown operation: ${name.slice(0, 80)}` } }
  const spec = operations[name]
  const input = spec.input.safeParse(rawInput ?? {})
  if (!input.success) return { ok: false, error: { code: 'invalidInput', message: `Invalid input for ${name}: ${describeIssues(input.error)}` } }
  try {
    const handler = handlers[name] as (input: unknown) => Promise<unknown>
    const output = spec.output.safeParse(await handler(input.data))
    if (!output.success) {
      log?.(`Operation ${name} produced output outside its contract: ${describeIssues(output.error)}`)
      return { ok: false, error: { code: 'failed', message: `Operation ${name} failed` } }
    }
    return { ok: true, value: output.data }
  } catch (error) {
    if (error instanceof MotcuaError) return { ok: false, error: { code: error.code, message: error.message, ...(error.reason !== undefined && ReasonSchema.safeParse(error.reason).success && { reason: error.reason }) } }
    log?.(`Operation ${name} failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`)
    return { ok: false, error: { code: 'failed', message: `Operation ${name} failed` } }
  }
}

/**
 * Turns a result that came over a boundary (IPC, HTTP) back into a value or a thrown MotcuaError,
 * checking the value against the contract: a reply is input from outside too.
 */
export function unwrapResult<N extends OperationName>(name: N, raw: unknown): z.output<Operations[N]['output']> {
  const result = ResultSchema.safeParse(raw)
  if (!result.success) throw new MotcuaError('unavailable', `Malformed reply to ${name}`)
  if (!result.data.ok) throw new MotcuaError(result.data.error.code, result.data.error.message, result.data.error.reason)
  const value = operations[name].output.safeParse(result.data.value)
  if (!value.success) throw new MotcuaError('unavailable', `Reply to ${name} outside its contract: ${describeIssues(value.error)}`)
  return value.data as z.output<Operations[N]['output']>
}
