/**
 * @module Failure and warning texts, with core's code frames: loaded with the engine (`context.ts`), never by a build
 * start that the stamp answers.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { formatPretty, GalleyError, type Diagnostic } from '@galley/core'
import { MESSAGE_PREFIX } from './messages.ts'

/** The lint errors that stopped generation, as the bundler's error text: rule id, message, file:line:col, code frame, hint. */
export function formatLintFailure(errors: readonly Diagnostic[], root: string): string {
  const n = errors.length
  const head = `${MESSAGE_PREFIX} ${n} lint error${n === 1 ? '' : 's'} in the Craftkit templates; the generated module was not updated.`
  return `${head}\n${formatDiagnostics(errors, root)}`
}

/** Diagnostics with a code frame read from the sources (`file` is relative to `root`). */
export function formatDiagnostics(diagnostics: readonly Diagnostic[], root: string): string {
  return formatPretty(diagnostics, { readSource: (file) => readFileSync(resolve(root, file), 'utf8') }).trimEnd()
}

/** A thrown error (a bad config, a missing snapshot, a failed generation) as text: `GalleyError.format()` when it is one. */
export function formatFailure(error: unknown): string {
  if (error instanceof GalleyError) return `${MESSAGE_PREFIX} ${error.format().replace(/^error: /, '')}`
  const message = error instanceof Error ? error.message : String(error)
  return `${MESSAGE_PREFIX} generation failed: ${message}`
}
