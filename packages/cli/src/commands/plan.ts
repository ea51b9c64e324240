import { resolve } from 'node:path'
import { writeFileAtomic } from '@galley/codegen'
import { GalleyError } from '@galley/core'
import { ExitCode } from '../exit-codes.ts'
import { buildPlan, hasChanges } from '../publish/build-plan.ts'
import { appendStepSummary, collect, loadProjectFor, targetOptions, withTarget, type ProjectOptions } from '../publish/command-support.ts'
import { formatPlanMarkdown, formatPlanText } from '../publish/format-plan.ts'
import { githubLink, impactProjects, planImpact, startPlanImpact } from '../publish/impact.ts'
import { loadState } from '../publish/state.ts'
import type { RegisterCommand } from './registry.ts'

interface PlanOptions extends ProjectOptions {
  out?: string
  json?: boolean
  detailedExitcode?: boolean
  includeUnverified?: boolean
  impact?: boolean | string[]
  prune?: string[]
}

/** `galley plan`: what publish would do, per template. */
export const registerPlan: RegisterCommand = (program, ctx) => {
  targetOptions(
    program
      .command('plan')
      .description('show, per template, what `galley publish` would do on the target: create, update, unchanged, remote-only')
      .argument('[slugs...]', 'only these templates (default: all)')
      .option('--out <file>', 'also write the plan as JSON, for `galley publish --plan <file>`')
      .option('--json', 'print the plan as JSON (formatVersion 1, see plan.schema.json) instead of the table')
      .option('--detailed-exitcode', 'exit 2 when the plan has changes (0: none, 1: error); without it, 0 on success')
      .option('--include-unverified', 'count templates whose layout/pageConfig cannot be compared as updates')
      .option(
        '--impact [tsconfig...]',
        "list the call sites in consuming projects that the changes break (these tsconfig.json files, or the config's impact.projects)",
      )
      .option('--prune <slug>', 'with --impact: count this remote-only template as deleted, as `publish --prune` would (repeatable)', collect),
  ).action(async (slugs: string[], opts: PlanOptions) => {
    const project = await loadProjectFor(opts, ctx)
    if (opts.prune && !opts.impact) throw new GalleyError('invalid_option', '`galley plan --prune` only counts a deletion for --impact; add --impact.')
    const projects = opts.impact ? impactProjects(project, opts.impact === true ? [] : opts.impact, ctx.io.cwd) : []
    // Prepared in a worker while the plan is made (DESIGN §12).
    const analysis = opts.impact ? startPlanImpact(project, projects) : undefined
    let plan
    try {
      plan = await withTarget(project, opts, ctx, async (target) => {
        const state = loadState(project.root, target.id, target.name)
        const built = await buildPlan({ sources: project.sources, target, state, slugs, assumeUnverifiedChanged: opts.includeUnverified === true })
        return built.plan
      })
    } catch (error) {
      analysis?.close()
      throw error
    }
    let impactMs: Map<string, number> | undefined
    if (analysis) {
      const result = await planImpact(project, plan, { analysis, prune: opts.prune ?? [] })
      plan.impact = result.impact
      impactMs = result.ms
    }
    const json = `${JSON.stringify(plan, null, 2)}\n`
    if (opts.out) await writeFileAtomic(resolve(ctx.io.cwd, opts.out), json)
    if (opts.json) ctx.io.stdout.write(json)
    else {
      ctx.out(formatPlanText(plan, ctx.c, impactMs ? { impactMs } : {}))
      if (opts.out) ctx.out(`Saved the plan to ${opts.out}; apply it with \`galley publish --plan ${opts.out}\`.`)
    }
    appendStepSummary(ctx, formatPlanMarkdown(plan, { link: (site) => githubLink(site, project.root, ctx.io.env) }))
    ctx.exitCode = opts.detailedExitcode && hasChanges(plan) ? ExitCode.Changes : ExitCode.Ok
  })
}
