import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { GalleyError, lintSources, templateContentHash, toTemplateBody, type TemplateBody } from '@galley/core'
import type { CliContext } from '../context.ts'
import { ExitCode } from '../exit-codes.ts'
import type { Project } from '../project.ts'
import { printDiagnostics } from '../report/index.ts'
import { applyPlan, type PublishEvent, type PublishResult } from '../publish/apply-plan.ts'
import { buildPlan, summarize } from '../publish/build-plan.ts'
import { collect, loadProjectFor, parsePositiveInt, targetOptions, withTarget, type ProjectOptions } from '../publish/command-support.ts'
import { breakingChangeLines } from '../publish/format-plan.ts'
import { callSiteLine, planImpact, startPlanImpact } from '../publish/impact.ts'
import { PLAN_FORMAT_VERSION } from '../publish/plan-format.ts'
import type { ImpactCallSite, Plan, PlanTemplate } from '../publish/plan-schema.ts'
import { readBackWrites, describeReadBack } from '../publish/read-back.ts'
import { loadState, recordWrite, saveState } from '../publish/state.ts'
import type { Target } from '../target.ts'
import type { ImpactHandle } from '@galley/codegen'
import type { RegisterCommand } from './registry.ts'

interface PublishOptions extends ProjectOptions {
  plan?: string
  concurrency: number
  allowBreaking?: boolean
  prune?: string[]
  json?: boolean
  includeUnverified?: boolean
}

/** `galley publish`: lint, plan (or a saved plan), then PUT only what changed. */
export const registerPublish: RegisterCommand = (program, ctx) => {
  targetOptions(
    program
      .command('publish')
      .description('lint, then publish (PUT) only the templates that changed, retry-safe, with bounded concurrency')
      .argument('[slugs...]', 'only these templates (default: all); a *.json argument is read as --plan')
      .option('--plan <file>', 'apply a plan saved by `galley plan --out`; refused if the remote moved since')
      .option('--concurrency <n>', 'templates published at once', parsePositiveInt('--concurrency'), 4)
      .option(
        '--allow-breaking',
        "publish changes that break existing callers (removed keys, new required keys, type changes, and call sites in the config's impact.projects)",
      )
      .option('--prune <slug>', 'delete this remote-only template (repeatable; nothing is deleted otherwise)', collect)
      .option('--include-unverified', 'republish templates whose layout/pageConfig cannot be compared')
      .option('--json', 'print the results as JSON'),
  ).action(async (args: string[], opts: PublishOptions) => {
    // DESIGN §6 writes `galley publish [slugs] [plan.json]`: a positional *.json is the plan file.
    const files = args.filter((a) => a.endsWith('.json'))
    if (files.length > 1 || (files.length === 1 && opts.plan)) {
      throw new GalleyError('invalid_option', `Give one plan file (got ${[...files, ...(opts.plan ? [opts.plan] : [])].join(', ')}).`)
    }
    const withPlan = files.length === 1 ? { ...opts, plan: files[0] } : opts
    ctx.exitCode = await runPublish(args.filter((a) => !a.endsWith('.json')), withPlan, ctx)
  })
}

async function runPublish(slugs: string[], opts: PublishOptions, ctx: CliContext): Promise<number> {
  const project = await loadProjectFor(opts, ctx)
  const progress = (line: string) => (opts.json ? ctx.error(line) : ctx.out(line))
  lintOrThrow(project, slugs, ctx, opts.json === true)

  // DESIGN §12: with consuming projects configured, the analysis is prepared in a worker while the plan is made.
  const analysis = !opts.allowBreaking && project.config.impact.projects.length > 0 ? startPlanImpact(project, project.config.impact.projects) : undefined
  try {
    return await publishWith(project, slugs, opts, ctx, analysis, progress)
  } finally {
    analysis?.close()
  }
}

async function publishWith(
  project: Project,
  slugs: string[],
  opts: PublishOptions,
  ctx: CliContext,
  analysis: ImpactHandle | undefined,
  progress: (line: string) => void,
): Promise<number> {
  return withTarget(project, opts, ctx, async (target) => {
    const state = loadState(project.root, target.id, target.name)
    let plan: Plan
    let bodies: Map<string, TemplateBody>
    if (opts.plan) {
      ;({ plan, bodies } = await loadSavedPlan(resolve(ctx.io.cwd, opts.plan), opts.plan, project, target, slugs))
    } else {
      ;({ plan, bodies } = await buildPlan({ sources: project.sources, target, state, slugs, assumeUnverifiedChanged: opts.includeUnverified === true }))
    }
    const toWrite = plan.templates.filter((t) => t.action === 'create' || t.action === 'update')
    checkBlocked(toWrite)
    const prune = checkPrune(opts.prune ?? [], plan, project)
    // DESIGN §12: with consuming projects configured, an update that breaks their call sites is refused, and the
    // refusal says where they are.
    if (analysis && (toWrite.length > 0 || prune.length > 0)) {
      const { impact } = await planImpact(project, plan, { analysis, prune })
      checkCallSites(impact.callSites, toWrite)
    }
    if (!opts.allowBreaking) checkBreaking(toWrite)

    if (!opts.json) {
      ctx.out(`Publishing to ${ctx.c.bold(target.name)} (${target.baseUrl}): ${toWrite.length} to write, ${plan.summary.unchanged} unchanged${prune.length ? `, ${prune.length} to delete` : ''}.`)
    }
    const onEvent = (event: PublishEvent) => {
      if (event.type === 'retry') progress(ctx.c.dim(`  retry   ${event.slug} (attempt ${event.attempt} failed: ${event.reason}); re-reading before another PUT`))
      if (event.type === 'done') progress(resultLine(event.result, ctx))
    }
    const { results, writes } = await applyPlan({
      plan,
      bodies,
      client: target.client,
      record: (slug, record) => recordWrite(project.root, target.id, state, slug, record),
      concurrency: opts.concurrency,
      prune,
      onEvent,
    })
    // Read back what was written (one list; it also records each new version's updatedAt): late commits.
    const readBack = await readBackWrites({ client: target.client, results, bodies, state })
    if (results.some((r) => r.outcome !== 'failed')) await saveState(project.root, target.id, state)

    const failed = results.filter((r) => r.outcome === 'failed')
    const count = (o: PublishResult['outcome']) => results.filter((r) => r.outcome === o).length
    const summary = { created: count('created'), updated: count('updated'), deleted: count('deleted'), unchanged: plan.summary.unchanged, failed: failed.length, writes }
    if (opts.json) {
      ctx.io.stdout.write(`${JSON.stringify({ formatVersion: PLAN_FORMAT_VERSION, target: plan.target, summary, results, readBack }, null, 2)}\n`)
    } else {
      ctx.out(
        `Published: ${summary.created} created, ${summary.updated} updated, ${summary.deleted} deleted, ${summary.unchanged} unchanged${failed.length ? `, ${ctx.c.red(`${failed.length} failed`)}` : ''} (${writes} write${writes === 1 ? '' : 's'}).`,
      )
    }
    for (const line of describeReadBack(readBack)) progress(line)
    if (failed.length > 0) {
      for (const f of failed) ctx.error(`error: ${f.slug}: ${f.error}`)
      return ExitCode.Error
    }
    return ExitCode.Ok
  })
}

function resultLine(r: PublishResult, ctx: CliContext): string {
  const ms = `${r.ms} ms${r.attempts > 1 ? `, ${r.attempts} attempts${r.recovered ? ', recovered by re-read' : ''}` : ''}`
  switch (r.outcome) {
    case 'created':
      return `  ${ctx.c.green('created')} ${r.slug} v${r.versionNumber} (${ms})`
    case 'updated':
      return `  ${ctx.c.yellow('updated')} ${r.slug} v${r.previousVersion ?? '?'} -> v${r.versionNumber} (${ms})`
    case 'deleted':
      return `  ${ctx.c.magenta('deleted')} ${r.slug} (${ms})`
    case 'failed':
      return `  ${ctx.c.red('failed ')} ${r.slug}: ${r.error}`
  }
}

/**
 * Lint first: errors stop the publish before anything is written (only errors in the selected templates when
 * slugs are given). Pretty output prints them with code frames; the thrown error lists file:line:col.
 */
function lintOrThrow(project: Project, slugs: readonly string[], ctx: CliContext, json: boolean): void {
  const all = lintSources(project.sources, { rules: project.config.lint.rules })
  const selected = slugs.length > 0 ? project.sources.filter((s) => slugs.includes(s.slug)) : project.sources
  const folders = selected.map((s) => s.file.replace(/[^/]+$/, ''))
  const errors = all.filter((d) => d.severity === 'error' && (slugs.length === 0 || folders.some((f) => d.file.startsWith(f))))
  if (errors.length === 0) return
  if (!json) printDiagnostics(ctx, errors, { format: 'pretty', root: project.root })
  throw new GalleyError('lint_failed', `Lint found ${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was published.`, {
    diagnostics: errors,
    hint: 'Fix them (`galley lint` shows each with a code frame), then publish again.',
  })
}

async function loadSavedPlan(
  file: string,
  shown: string,
  project: Project,
  target: Target,
  slugs: readonly string[],
): Promise<{ plan: Plan; bodies: Map<string, TemplateBody> }> {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new GalleyError('invalid_plan', `Cannot read the plan ${shown}: ${(error as Error).message}`, { hint: 'Make one with `galley plan --out plan.json`.' })
  }
  const version = (raw as { formatVersion?: unknown } | null)?.formatVersion
  if (version !== PLAN_FORMAT_VERSION) {
    throw new GalleyError('invalid_plan', `${shown} has formatVersion ${JSON.stringify(version)}; this galley reads formatVersion ${PLAN_FORMAT_VERSION}.`, {
      hint: 'Make a new plan with this version of galley: `galley plan --out plan.json`.',
    })
  }
  const { planSchema } = await import('../publish/plan-schema.ts')
  const parsed = planSchema.safeParse(raw)
  if (!parsed.success) {
    const first = parsed.error.issues[0]
    throw new GalleyError('invalid_plan', `${shown} is not a valid plan: ${first ? `${first.path.join('.')}: ${first.message}` : 'schema mismatch'}.`, {
      hint: 'Make a new one with `galley plan --out plan.json`; plan files are not meant to be edited.',
    })
  }
  const saved = parsed.data
  if (saved.target.id !== target.id) {
    throw new GalleyError('plan_target_mismatch', `${shown} was made for ${saved.target.name}, but this publish targets ${target.name}.`, {
      hint: 'Apply it with the same --env / CRAFTKIT_* settings it was planned with, or plan again.',
    })
  }
  const selected = saved.templates.filter((t) => slugs.length === 0 || slugs.includes(t.slug))
  // The sources must still be what was planned.
  const bodies = new Map<string, TemplateBody>()
  const sourceChanged: string[] = []
  for (const entry of selected) {
    // Every planned source, unchanged ones too: a plan describes exactly the sources it was made from.
    if (entry.action === 'remote-only') continue
    const source = project.sources.find((s) => s.slug === entry.slug)
    if (!source?.template) {
      sourceChanged.push(`${entry.slug} (its source is gone)`)
      continue
    }
    const body = toTemplateBody(source.template)
    if (templateContentHash(body) !== entry.contentHash) sourceChanged.push(`${entry.slug} (${source.file})`)
    bodies.set(entry.slug, body)
  }
  if (sourceChanged.length > 0) {
    throw new GalleyError('plan_stale', `Refusing to apply ${shown}: the source changed since the plan: ${sourceChanged.join(', ')}.`, {
      hint: 'Review the new changes with `galley plan --out plan.json` and apply that plan.',
    })
  }
  // The remote must still be what was planned: one list tells versions and update times of all templates.
  const remote = new Map((await target.client.templates.list()).map((t) => [t.slug, t]))
  const moved: string[] = []
  for (const entry of selected) {
    const now = remote.get(entry.slug)
    if (!entry.remote) {
      if (now) moved.push(`${entry.slug} (the plan saw no template; now v${now.currentVersionNumber ?? '-'} exists)`)
      continue
    }
    if (!now) {
      moved.push(`${entry.slug} (the plan saw v${entry.remote.versionNumber}; it has been deleted)`)
      continue
    }
    if (now.currentVersionNumber !== entry.remote.versionNumber || now.updatedAt !== entry.remote.updatedAt) {
      moved.push(
        `${entry.slug} (the plan saw v${entry.remote.versionNumber} updated ${entry.remote.updatedAt}; now v${now.currentVersionNumber} updated ${now.updatedAt})`,
      )
    }
  }
  if (moved.length > 0) {
    throw new GalleyError(
      'plan_stale',
      `Refusing to apply ${shown}: ${moved.length === 1 ? 'a template' : `${moved.length} templates`} moved on ${target.name} since the plan: ${moved.join('; ')}. Nothing was published.`,
      { hint: 'Someone else published (or edited it in the dashboard). Run `galley plan` again (or `galley pull` to adopt their change) and review.' },
    )
  }
  const plan: Plan = { ...saved, templates: selected, summary: summarize(selected) }
  return { plan, bodies }
}

function checkBlocked(entries: readonly PlanTemplate[]): void {
  const blocked = entries.filter((t) => t.blocked)
  if (blocked.length === 0) return
  throw new GalleyError(
    'publish_blocked',
    `Cannot publish ${blocked.map((t) => t.slug).join(', ')}: ${blocked.map((t) => `${t.slug}: ${t.blocked}`).join('; ')}.`,
    { hint: 'Publish the other templates by naming them: `galley publish <slug>…`.' },
  )
}

function checkBreaking(entries: readonly PlanTemplate[]): void {
  const breaking = entries.filter((t) => t.breaking)
  if (breaking.length === 0) return
  const lines = breakingChangeLines(breaking)
  throw new GalleyError(
    'breaking_change',
    `Refusing to publish breaking changes to ${breaking.map((t) => t.slug).join(', ')}; nothing was published:\n${lines.join('\n')}`,
    { hint: 'Existing callers can fail or lose data. Update them first, then publish with --allow-breaking.' },
  )
}

function checkCallSites(sites: readonly ImpactCallSite[], entries: readonly PlanTemplate[]): void {
  if (sites.length === 0) return
  const slugs = [...new Set(sites.map((s) => s.slug))]
  const changes = breakingChangeLines(entries.filter((t) => slugs.includes(t.slug)))
  throw new GalleyError(
    'breaking_call_sites',
    `Refusing to publish ${slugs.join(', ')}: the change breaks ${sites.length} call site${sites.length === 1 ? '' : 's'} in consuming code (impact.projects); nothing was published:\n${sites.map((s) => `  ${callSiteLine(s)}`).join('\n')}${changes.length > 0 ? `\nBreaking changes:\n${changes.join('\n')}` : ''}`,
    { hint: 'Update those callers first (`galley plan --impact` lists them), or publish anyway with --allow-breaking.' },
  )
}

function checkPrune(prune: readonly string[], plan: Plan, project: Project): string[] {
  for (const slug of prune) {
    const entry = plan.templates.find((t) => t.slug === slug)
    if (project.sources.some((s) => s.slug === slug)) {
      throw new GalleyError('prune_has_source', `--prune ${slug}: it still has a source (${project.sources.find((s) => s.slug === slug)!.file}).`, {
        hint: 'Delete the source folder first; only remote-only templates can be pruned.',
      })
    }
    if (!entry || entry.action !== 'remote-only') {
      throw new GalleyError('prune_not_found', `--prune ${slug}: there is no remote-only template "${slug}" on ${plan.target.name}.`, {
        hint: `Remote-only templates: ${plan.templates.filter((t) => t.action === 'remote-only').map((t) => t.slug).join(', ') || '(none)'}.`,
      })
    }
  }
  return [...prune]
}
