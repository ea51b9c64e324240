import { GalleyError } from '@galley/core'
import type { CliContext } from './context.ts'

/** Exit codes shared by every command (DESIGN §6). */
export const ExitCode = {
  Ok: 0,
  /** Errors: lint errors, a failed request, a stale generated file, bad input. */
  Error: 1,
  /** `plan` found changes; `status` found drift. */
  Changes: 2,
} as const

/**
 * Turns a thrown value into an exit code and prints it: user errors (GalleyError) as a message without a
 * stack trace, anything else as an internal error (with the stack only under GALLEY_DEBUG=1).
 */
export function toExitCode(error: unknown, ctx: CliContext): number {
  if (error instanceof GalleyError) {
    ctx.error(error.format())
    return ExitCode.Error
  }
  const message = error instanceof Error ? error.message : String(error)
  ctx.error(`galley: internal error: ${message}`)
  if (process.env.GALLEY_DEBUG === '1' && error instanceof Error && error.stack) ctx.error(error.stack)
  else ctx.error('Run again with GALLEY_DEBUG=1 for details, and please report it.')
  return ExitCode.Error
}
