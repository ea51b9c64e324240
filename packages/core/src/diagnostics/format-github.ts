import type { Diagnostic } from './diagnostic.ts'

/**
 * GitHub Actions workflow commands: `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`, one
 * per diagnostic, so each shows as an annotation on the pull request's diff.
 *
 * @param root Posix prefix from the repository root to the project root (annotations need repository paths).
 */
export function formatGithub(diagnostics: readonly Diagnostic[], root = ''): string {
  const prefix = root && !root.endsWith('/') ? `${root}/` : root
  return diagnostics
    .map((d) => {
      const props = [`file=${prefix}${d.file}`, `line=${d.line}`, `col=${d.column}`]
      if (d.endLine !== undefined) props.push(`endLine=${d.endLine}`)
      if (d.endColumn !== undefined && (d.endLine === undefined || d.endLine === d.line)) props.push(`endColumn=${d.endColumn}`)
      props.push(`title=${d.code}`)
      const message = d.hint ? `${d.message}\nhint: ${d.hint}` : d.message
      return `::${d.severity} ${props.map(escapeProperty).join(',')}::${escapeData(message)}\n`
    })
    .join('')
}

/** Escaping of the runner (actions/toolkit `command.ts`). */
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

function escapeProperty(prop: string): string {
  const eq = prop.indexOf('=')
  const value = prop.slice(eq + 1)
  return `${prop.slice(0, eq)}=${escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C')}`
}
