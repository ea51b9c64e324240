import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { formatPretty, GalleyError, type Diagnostic } from '@galley/core'

/** Prefix of every message the plugin writes. */
export const MESSAGE_PREFIX = '[galley]'

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

/** The first diagnostic as a location for bundlers that show one (Vite's overlay, esbuild). */
export function firstLocation(diagnostics: readonly Diagnostic[], root: string): { file: string; line: number; column: number } | undefined {
  const d = diagnostics[0]
  return d ? { file: resolve(root, d.file), line: d.line, column: d.column } : undefined
}

/**
 * Removes API keys from text that leaves the plugin (errors, logs). The plugin never puts a key in a message, but
 * an error from below (a URL, a request dump) might: replace every value of `CRAFTKIT_API_KEY` and every key it knows.
 */
export function redact(text: string, keys: readonly (string | undefined)[] = []): string {
  let out = text
  for (const key of [process.env.CRAFTKIT_API_KEY, ...keys]) {
    if (key && key.length >= 8) out = out.split(key).join('[redacted]')
  }
  return out.replace(/\bck_(live|test)_[A-Za-z0-9_-]{8,}/g, 'ck_$1_[redacted]')
}
