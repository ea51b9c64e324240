/** One finding about a source, a config or a request: the single shape every Galley package reports in. */
export interface Diagnostic {
  /** Stable id: a lint rule id (`loop-key-dot`) or an error code. */
  code: string
  severity: 'error' | 'warning'
  /** What will happen, in one sentence. */
  message: string
  /** How to fix it. */
  hint?: string
  /** Posix path, relative to the project root. */
  file: string
  /** 1-based. */
  line: number
  /** 1-based. */
  column: number
  endLine?: number
  endColumn?: number
}

/**
 * The one error a Galley library throws for a user error (bad input, bad config, a refused operation).
 * It carries diagnostics when it has them; the CLI prints `format()` without a stack trace.
 */
export class GalleyError extends Error {
  override readonly name = 'GalleyError'
  readonly code: string
  readonly diagnostics: Diagnostic[]
  readonly hint: string | undefined

  constructor(code: string, message: string, options: { hint?: string; diagnostics?: Diagnostic[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.hint = options.hint
    this.diagnostics = options.diagnostics ?? []
  }

  /** The message, each diagnostic as `file:line:col`, and the hint: what a user reads. */
  format(): string {
    const lines = [`error: ${this.message}`]
    for (const d of this.diagnostics) lines.push(`  ${d.file}:${d.line}:${d.column} ${d.severity} ${d.code}: ${d.message}`)
    if (this.hint) lines.push(`hint: ${this.hint}`)
    return lines.join('\n')
  }
}
