/**
 * @module Printing a plan: a table a reviewer reads in a PR (terminal) and the same as markdown (GitHub step
 * summary).
 */
import type pc from 'picocolors'
import type { ImpactCallSite, Plan, PlanTemplate } from './plan-schema.ts'

type Colors = ReturnType<typeof pc.createColors>
type Change = PlanTemplate['changes'][number]

const SYMBOL: Record<PlanTemplate['action'], string> = { create: '+', update: '~', unchanged: '=', 'remote-only': '?' }

/** Extras of the pretty plan: milliseconds per impact project (`--impact`). */
export interface PlanTextOptions {
  impactMs?: ReadonlyMap<string, number>
}

/**
 * One line per template, then the variable-level changes of each create/update, then (with `--impact`) the call
 * sites the change breaks, then notes and a summary.
 */
export function formatPlanText(plan: Plan, c: Colors, options: PlanTextOptions = {}): string {
  const lines: string[] = []
  lines.push(`Plan for ${c.bold(plan.target.name)} (${plan.target.baseUrl})`)
  lines.push('')
  const rows = plan.templates.map((t) => [
    `${SYMBOL[t.action]} ${t.action}`,
    t.slug,
    remoteVersion(t),
    summaryOf(t),
    [t.blocked ? 'BLOCKED' : t.breaking ? 'BREAKING' : '', brokenCallers(plan, t.slug)].filter(Boolean).join('  '),
  ])
  const header = ['ACTION', 'TEMPLATE', 'REMOTE', 'CHANGES', '']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const padded = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
  lines.push(`  ${c.dim(padded(header).join('  ').trimEnd())}`)
  plan.templates.forEach((t, i) => {
    const cells = padded(rows[i]!)
    const color = t.action === 'create' ? c.green : t.action === 'update' ? c.yellow : t.action === 'remote-only' ? c.magenta : c.dim
    cells[0] = color(cells[0]!)
    if (cells[4]) cells[4] = c.red(c.bold(cells[4]))
    lines.push(`  ${cells.join('  ').trimEnd()}`)
  })
  if (plan.templates.length === 0) lines.push('  (no templates in the sources or on the target)')

  for (const t of plan.templates) {
    if ((t.action !== 'update' && t.action !== 'create') || (t.changes.length === 0 && !t.blocked && t.action === 'create')) continue
    const details = detailLines(t)
    if (details.length === 0) continue
    lines.push('')
    const to = t.action === 'create' ? 'new' : `v${t.remote?.versionNumber ?? '?'} -> v${(t.remote?.versionNumber ?? 0) + 1}`
    lines.push(`${c.bold(t.slug)} (${to})${t.file ? c.dim(`  ${t.file}`) : ''}`)
    for (const d of details) lines.push(d.breaking ? `  ${c.red(d.text)}` : `  ${d.text}`)
  }

  if (plan.impact) {
    const sites = plan.impact.callSites
    lines.push('')
    const checked = plan.impact.projects.map((p) => {
      const ms = options.impactMs?.get(p.project)
      return `${p.project}: ${p.checkedFiles} of ${p.files} files checked${ms === undefined ? '' : ` in ${ms} ms`}`
    })
    lines.push(
      sites.length === 0
        ? `Impact: no call site breaks (${checked.join('; ')}).`
        : c.bold(`Impact: ${sites.length} call site${sites.length === 1 ? '' : 's'} break${sites.length === 1 ? 's' : ''} (${checked.join('; ')}):`),
    )
    for (const site of sites) lines.push(`  ${c.red(`${site.file}:${site.line}:${site.column}`)}  ${site.symbol} (${site.slug}): ${site.message}`)
  }

  const notes = notesOf(plan)
  if (notes.length > 0) {
    lines.push('')
    for (const n of notes) lines.push(c.dim(n))
  }
  lines.push('')
  lines.push(summaryLine(plan))
  return lines.join('\n')
}

/** The broken call sites of one template, for the table: `3 call sites`. */
function brokenCallers(plan: Plan, slug: string): string {
  if (!plan.impact) return ''
  const n = new Set(plan.impact.callSites.filter((s) => s.slug === slug).map((s) => `${s.project}\0${s.file}:${s.line}:${s.column}`)).size
  return n === 0 ? '' : `${n} broken call site${n === 1 ? '' : 's'}`
}

/** Options of the markdown plan: where a call site links to (GitHub's blob URL of file:line), if anywhere. */
export interface PlanMarkdownOptions {
  link?: (site: ImpactCallSite) => string | undefined
}

/** The plan as GitHub-flavoured markdown, for `$GITHUB_STEP_SUMMARY` and PR comments. */
export function formatPlanMarkdown(plan: Plan, options: PlanMarkdownOptions = {}): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|')
  const lines = [`### Galley plan: ${esc(plan.target.name)}`, '', summaryLine(plan), '', '| | template | remote | changes | |', '|---|---|---|---|---|']
  for (const t of plan.templates) {
    const flag = [t.blocked ? '**blocked**' : t.breaking ? '**breaking**' : '', brokenCallers(plan, t.slug)].filter(Boolean).join(', ')
    lines.push(`| ${SYMBOL[t.action]} ${t.action} | \`${t.slug}\` | ${remoteVersion(t)} | ${esc(summaryOf(t))} |${flag ? ` ${flag} ` : ' '}|`)
  }
  for (const t of plan.templates) {
    const details = t.action === 'update' || t.action === 'create' ? detailLines(t) : []
    if (details.length === 0) continue
    lines.push('', `<details><summary><code>${t.slug}</code>: ${details.length} change${details.length === 1 ? '' : 's'}${t.breaking ? ' (breaking)' : ''}</summary>`, '')
    for (const d of details) lines.push(`- ${d.breaking ? '**breaking** ' : ''}${esc(d.text)}`)
    lines.push('', '</details>')
  }
  if (plan.impact) {
    const sites = plan.impact.callSites
    const projects = plan.impact.projects.map((p) => `\`${esc(p.project)}\``).join(', ')
    lines.push('', sites.length === 0 ? `**Impact:** no call site breaks in ${projects}.` : `**Impact:** ${sites.length} call site${sites.length === 1 ? '' : 's'} in ${projects} break${sites.length === 1 ? 's' : ''}:`, '')
    for (const site of sites) {
      const where = `${site.file}:${site.line}:${site.column}`
      const url = options.link?.(site)
      lines.push(`- ${url ? `[${where}](${url})` : `\`${where}\``} \`${site.symbol}\` (\`${site.slug}\`): ${site.message}`)
    }
  }
  const notes = notesOf(plan)
  if (notes.length > 0) lines.push('', ...notes.map((n) => `> ${n}`))
  return `${lines.join('\n')}\n`
}

export function summaryLine(plan: Plan): string {
  const s = plan.summary
  const parts = [`${s.create} to create`, `${s.update} to update${s.breaking ? ` (${s.breaking} breaking)` : ''}`, `${s.unchanged} unchanged`]
  if (s.remoteOnly) parts.push(`${s.remoteOnly} remote-only`)
  if (s.blocked) parts.push(`${s.blocked} blocked`)
  return `Plan: ${parts.join(', ')}.`
}

function remoteVersion(t: PlanTemplate): string {
  if (!t.remote) return '-'
  return t.remote.versionNumber === null ? 'unpublished' : `v${t.remote.versionNumber}`
}

function summaryOf(t: PlanTemplate): string {
  switch (t.action) {
    case 'create': {
      const vars = t.changes.filter((c) => c.target === 'variable').length
      const loops = t.changes.filter((c) => c.target === 'loop' && c.kind === 'added').length
      return `new: ${vars} variable${vars === 1 ? '' : 's'}, ${loops} loop${loops === 1 ? '' : 's'}`
    }
    case 'update': {
      const parts = t.changedFields.map((f) => (f === 'manifest' ? `manifest (${countChanges(t.changes)})` : f))
      if (t.changedFields.length === 0 && t.unverifiedFields.length > 0) parts.push(`${t.unverifiedFields.join('/')} not comparable`)
      return parts.join(', ')
    }
    case 'unchanged':
      return t.unverifiedFields.length > 0 ? `(${t.unverifiedFields.join('/')} not compared)` : ''
    case 'remote-only':
      return 'not in the sources'
  }
}

function countChanges(changes: readonly Change[]): string {
  const added = changes.filter((c) => c.kind === 'added').length
  const removed = changes.filter((c) => c.kind === 'removed').length
  const modified = changes.length - added - removed
  return `+${added} -${removed} ~${modified}`
}

function detailLines(t: PlanTemplate): { text: string; breaking: boolean }[] {
  const out: { text: string; breaking: boolean }[] = []
  if (t.blocked) out.push({ text: `cannot publish: ${t.blocked}`, breaking: true })
  if (t.action === 'create') return out
  for (const f of t.changedFields) if (f !== 'manifest') out.push({ text: `${f} changed`, breaking: false })
  for (const change of t.changes) out.push({ text: describeChange(change), breaking: change.breaking })
  return out
}

/** One readable line for a manifest change, e.g. `~ variable handover.date: type date -> datetime (breaking: …)`. */
/** Each breaking change of `entries`, one line each (`  invoice: …`): what a refused publish or rollback lists. */
export function breakingChangeLines(entries: readonly PlanTemplate[]): string[] {
  return entries.flatMap((t) => t.changes.filter((c) => c.breaking).map((c) => `  ${t.slug}: ${describeChange(c)}`))
}

export function describeChange(change: Change): string {
  const what = change.target === 'item-field' ? `item field ${change.loop}[].${change.key}` : `${change.target} ${change.key}`
  const fmt = (v: Change['before']) => (v === null || v === undefined ? '(none)' : String(v))
  let text: string
  switch (change.kind) {
    case 'added':
      text = `+ ${what}${change.after ? ` (${String(change.after)})` : ''}`
      break
    case 'removed':
      text = `- ${what}`
      break
    case 'type-changed':
      text = `~ ${what}: type ${fmt(change.before)} -> ${fmt(change.after)}`
      break
    case 'required-changed':
      text = `~ ${what}: ${change.after ? 'optional -> required' : 'required -> optional'}`
      break
    case 'label-changed':
      text = `~ ${what}: label "${fmt(change.before)}" -> "${fmt(change.after)}"`
      break
    case 'preview-changed':
      text = `~ ${what}: previewData changed`
      break
    case 'order-changed':
      text =
        change.target === 'item-field'
          ? `~ item fields of ${change.loop}: order changed`
          : `~ ${change.target === 'loop' ? 'loops' : 'variables'}: order changed`
      break
  }
  return change.breaking ? `${text}  BREAKING: ${change.breakingReason ?? ''}`.trimEnd() : text
}

function notesOf(plan: Plan): string[] {
  const notes: string[] = []
  const noRecord = plan.templates.filter((t) => t.unverifiedReason === 'no-record').map((t) => t.slug)
  const moved = plan.templates.filter((t) => t.unverifiedReason === 'remote-moved').map((t) => t.slug)
  if (noRecord.length > 0) {
    notes.push(
      `Note: layout and pageConfig of ${list(noRecord)} could not be compared: Craftkit's API does not return them and there is no publish record for this target (.galley/state). Only name, description and manifest were compared; \`galley publish --include-unverified\` republishes them.`,
    )
  }
  if (moved.length > 0) {
    notes.push(
      `Note: ${list(moved)} ${moved.length === 1 ? 'was' : 'were'} published by someone else since the last publish from here, so layout and pageConfig could not be compared.`,
    )
  }
  return notes
}

function list(slugs: string[]): string {
  return slugs.length <= 5 ? slugs.join(', ') : `${slugs.slice(0, 5).join(', ')} and ${slugs.length - 5} more`
}
