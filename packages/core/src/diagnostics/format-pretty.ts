import type { Diagnostic } from './diagnostic.ts'

export interface FormatPrettyOptions {
  /** ANSI colours. @default false */
  color?: boolean
  /** The text of a diagnostic's file, for the code frame; undefined = no frame. */
  readSource?: (file: string) => string | undefined
  /** Lines of context above the offending line. @default 2 */
  contextLines?: number
}

const ANSI = { red: 31, yellow: 33, cyan: 36, dim: 2, bold: 1 } as const

/**
 * Human output: each diagnostic with its severity and code, `file:line:col`, a code frame with a caret under the
 * offending span, and the hint.
 *
 * @example
 * process.stdout.write(formatPretty(diagnostics, { color: false, readSource: (f) => readFileSync(f, 'utf8') }))
 */
export function formatPretty(diagnostics: readonly Diagnostic[], options: FormatPrettyOptions = {}): string {
  const paint = (code: number, s: string) => (options.color ? `\u001b[${code}m${s}\u001b[0m` : s)
  const cache = new Map<string, string[] | undefined>()
  const linesOf = (file: string) => {
    if (!cache.has(file)) {
      let text: string | undefined
      try {
        text = options.readSource?.(file)
      } catch {
        text = undefined
      }
      cache.set(file, text === undefined ? undefined : text.split(/\r?\n/))
    }
    return cache.get(file)
  }
  const blocks: string[] = []
  for (const d of diagnostics) {
    const sev = d.severity === 'error' ? paint(ANSI.red, paint(ANSI.bold, 'error')) : paint(ANSI.yellow, paint(ANSI.bold, 'warning'))
    const out = [`${sev}${paint(ANSI.dim, `[${d.code}]`)} ${d.message}`, `  ${paint(ANSI.cyan, '-->')} ${d.file}:${d.line}:${d.column}`]
    const lines = linesOf(d.file)
    if (lines && d.line >= 1 && d.line <= lines.length) out.push(...frame(lines, d, options.contextLines ?? 2, paint))
    if (d.hint) out.push(`  ${paint(ANSI.cyan, '=')} hint: ${d.hint}`)
    blocks.push(out.join('\n'))
  }
  return blocks.length ? `${blocks.join('\n\n')}\n` : ''
}

function frame(lines: string[], d: Diagnostic, context: number, paint: (code: number, s: string) => string): string[] {
  const first = Math.max(1, d.line - context)
  const width = String(d.line).length
  const gutter = (n: number | '') => paint(ANSI.dim, `${String(n).padStart(width)} |`)
  const out = [`  ${gutter('')}`]
  for (let n = first; n <= d.line; n++) {
    const text = expandTabs(lines[n - 1] ?? '')
    out.push(`  ${gutter(n)}${text ? ` ${text.length > 160 ? `${text.slice(0, 157)}...` : text}` : ''}`)
  }
  const line = lines[d.line - 1] ?? ''
  const start = visualColumn(line, d.column)
  const end = d.endLine === d.line && d.endColumn !== undefined && d.endColumn > d.column ? visualColumn(line, d.endColumn) : start + 1
  const width2 = Math.max(1, Math.min(end - start, 80))
  const caret = `${' '.repeat(Math.min(start - 1, 160))}${'^'.repeat(width2)}`
  out.push(`  ${gutter('')} ${paint(d.severity === 'error' ? ANSI.red : ANSI.yellow, caret)}`)
  return out
}

function expandTabs(s: string): string {
  return s.replace(/\t/g, '  ')
}

/** The visual column of a 1-based character column once tabs are expanded. */
function visualColumn(line: string, column: number): number {
  return expandTabs(line.slice(0, Math.max(0, column - 1))).length + 1
}
