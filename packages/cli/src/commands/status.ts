import { ExitCode } from '../exit-codes.ts'
import { buildPlan } from '../publish/build-plan.ts'
import { loadProjectFor, targetOptions, withTarget, type ProjectOptions } from '../publish/command-support.ts'
import type { Plan, PlanTemplate } from '../publish/plan-schema.ts'
import { loadState, type PublishState } from '../publish/state.ts'
import type { RegisterCommand } from './registry.ts'

interface StatusOptions extends ProjectOptions {
  json?: boolean
}

export type DriftKind = 'missing' | 'unpublished-changes' | 'edited-outside-git' | 'differs' | 'remote-only'

export interface Drift {
  slug: string
  kind: DriftKind
  detail: string
}

/** `galley status`: drift between the sources in git and the target; exit 2 on drift (a scheduled CI check). */
export const registerStatus: RegisterCommand = (program, ctx) => {
  targetOptions(
    program
      .command('status')
      .description('report drift between the sources and the target: exit 0 in sync, 2 drift, 1 error')
      .option('--json', 'print the drift as JSON'),
  ).action(async (opts: StatusOptions) => {
    const project = await loadProjectFor(opts, ctx)
    const { plan, state } = await withTarget(project, opts, ctx, async (target) => {
      const state = loadState(project.root, target.id, target.name)
      return { plan: (await buildPlan({ sources: project.sources, target, state })).plan, state }
    })
    const drift = driftOf(plan, state)
    const unverified = plan.templates.filter((t) => t.action === 'unchanged' && t.unverifiedFields.length > 0).map((t) => t.slug)
    if (opts.json) {
      ctx.io.stdout.write(`${JSON.stringify({ formatVersion: 1, target: plan.target, inSync: drift.length === 0, drift, unverified }, null, 2)}\n`)
    } else if (drift.length === 0) {
      ctx.out(`In sync: ${plan.templates.length} template${plan.templates.length === 1 ? '' : 's'} on ${plan.target.name} match the sources.`)
    } else {
      ctx.out(`Drift on ${ctx.c.bold(plan.target.name)} (${plan.target.baseUrl}):`)
      const width = Math.max(...drift.map((d) => d.slug.length))
      for (const d of drift) ctx.out(`  ${ctx.c.yellow(d.kind.padEnd(19))} ${d.slug.padEnd(width)}  ${d.detail}`)
      ctx.out(`${drift.length} template${drift.length === 1 ? '' : 's'} drifted. \`galley publish\` pushes the sources; \`galley pull\` adopts the remote.`)
    }
    if (!opts.json && unverified.length > 0) {
      ctx.out(ctx.c.dim(`Note: layout/pageConfig of ${unverified.length} template(s) could not be compared (no publish record for this target).`))
    }
    ctx.exitCode = drift.length > 0 ? ExitCode.Changes : ExitCode.Ok
  })
}

export function driftOf(plan: Plan, state: PublishState): Drift[] {
  const out: Drift[] = []
  for (const t of plan.templates) {
    if (t.action === 'create') out.push({ slug: t.slug, kind: 'missing', detail: `${t.file} is not published on the target` })
    if (t.action === 'remote-only') out.push({ slug: t.slug, kind: 'remote-only', detail: `v${t.remote?.versionNumber ?? '-'} exists only on the target (not in git)` })
    if (t.action === 'update') out.push(updateDrift(t, state))
  }
  return out
}

function updateDrift(t: PlanTemplate, state: PublishState): Drift {
  const record = state.templates[t.slug]
  const fields = [...t.changedFields, ...(t.changedFields.length ? [] : t.unverifiedFields)].join(', ')
  if (record?.id !== undefined && t.remote && record.id !== t.remote.id) {
    return { slug: t.slug, kind: 'edited-outside-git', detail: `it was deleted and re-created on the target since the last publish from here; differs in ${fields}` }
  }
  if (record && record.versionNumber !== t.remote?.versionNumber) {
    return {
      slug: t.slug,
      kind: 'edited-outside-git',
      detail: `the target is at v${t.remote?.versionNumber}, last published from here as v${record.versionNumber}; differs in ${fields}`,
    }
  }
  if (record && record.contentHash !== t.contentHash) {
    return { slug: t.slug, kind: 'unpublished-changes', detail: `${t.file} changed since v${record.versionNumber} was published (${fields})` }
  }
  return { slug: t.slug, kind: 'differs', detail: `${t.file} differs from v${t.remote?.versionNumber} in ${fields}` }
}
