import { readFileSync, statSync } from 'node:fs'
import { isAbsolute, relative, resolve } from 'node:path'
import {
  formatGithub,
  formatJson,
  formatPretty,
  formatSarif,
  RULES,
  SOURCE_CODES,
  summarize,
  type Diagnostic,
  type DiagnosticSummary,
} from '@galley/core'
import type { CliContext } from '../context.ts'
import { toPosix } from '../paths.ts'

/** Output formats of `--format`. */
export const REPORT_FORMATS = ['pretty', 'json', 'sarif', 'github'] as const
export type ReportFormat = (typeof REPORT_FORMATS)[number]

export interface ReportOptions {
  format: ReportFormat
  /** Project root: diagnostics' paths are relative to it. */
  root: string
  /** What was checked, for the summary line and the json summary. */
  counts?: { templates: number; fixtures: number }
}

/** Code frames are read from disk, up to this size (a refused 10 MB file gets no frame). */
const MAX_FRAME_FILE = 1024 * 1024

/**
 * Prints diagnostics in one format on stdout: pretty (code frames, colour only on a TTY without NO_COLOR) plus a
 * summary line, json, sarif or github. Under GITHUB_ACTIONS=true the pretty output is followed by workflow
 * annotations, so errors also show on the pull request.
 */
export function printDiagnostics(ctx: CliContext, diagnostics: readonly Diagnostic[], options: ReportOptions): void {
  const { errors, warnings } = summarize(diagnostics)
  const summary: DiagnosticSummary = { templates: options.counts?.templates ?? 0, fixtures: options.counts?.fixtures ?? 0, errors, warnings }
  const write = (s: string) => void ctx.io.stdout.write(s)
  switch (options.format) {
    case 'json':
      write(formatJson(diagnostics, summary))
      return
    case 'sarif':
      write(formatSarif(diagnostics, { rules: ruleInfo(), toolVersion: '0.1.0' }))
      return
    case 'github':
      write(formatGithub(diagnostics, githubPrefix(ctx, options.root)))
      ctx.out(summaryLine(summary, options.counts !== undefined))
      return
    case 'pretty': {
      const text = formatPretty(diagnostics, { color: ctx.color, readSource: (file) => readSource(options.root, file) })
      if (text) write(`${text}\n`)
      const line = summaryLine(summary, options.counts !== undefined)
      ctx.out(errors ? ctx.c.red(line) : warnings ? ctx.c.yellow(line) : ctx.c.green(line))
      if (ctx.io.env.GITHUB_ACTIONS === 'true') write(formatGithub(diagnostics, githubPrefix(ctx, options.root)))
    }
  }
}

/** `4 templates, 8 fixtures: 1 error, 2 warnings` (or `no problems`). */
export function summaryLine(s: DiagnosticSummary, withCounts = true): string {
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`
  const problems = s.errors || s.warnings ? [n(s.errors, 'error'), n(s.warnings, 'warning')].join(', ') : 'no problems'
  return withCounts ? `${n(s.templates, 'template')}, ${n(s.fixtures, 'fixture')}: ${problems}` : problems
}

function ruleInfo() {
  return [
    ...RULES.map((r) => ({ id: r.id, description: r.description, severity: r.severity })),
    ...Object.entries(SOURCE_CODES).map(([id, description]) => ({ id, description, severity: 'error' as const })),
  ]
}

function readSource(root: string, file: string): string | undefined {
  try {
    const path = isAbsolute(file) ? file : resolve(root, file)
    if (statSync(path).size > MAX_FRAME_FILE) return undefined
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

/** Annotations need paths from the repository root; the project may sit below it. */
function githubPrefix(ctx: CliContext, root: string): string {
  const workspace = ctx.io.env.GITHUB_WORKSPACE
  if (!workspace) return ''
  const rel = relative(workspace, root)
  if (!rel || rel.startsWith('..') || isAbsolute(rel)) return ''
  return toPosix(rel)
}

/** Diagnostics as the pretty format prints them (code frames read from disk), for long-running commands' logs. */
export function prettyDiagnostics(diagnostics: readonly Diagnostic[], root: string, color: boolean): string {
  return formatPretty(diagnostics, { color, readSource: (file) => readSource(root, file) })
}
