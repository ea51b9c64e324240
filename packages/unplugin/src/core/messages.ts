/** @module What every message of the plugin shares, without loading core. */
import { resolve } from 'node:path'
import type { Diagnostic } from '@galley/core'

/** Prefix of every message the plugin writes. */
export const MESSAGE_PREFIX = '[galley]'

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
