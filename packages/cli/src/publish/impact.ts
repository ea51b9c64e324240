/**
 * @module `galley plan --impact` and publish's refusal (DESIGN §12): the generated modules as the new sources
 * would make them, checked inside each consuming project by `@galley/codegen`'s `analyzeImpact`.
 */
import { isAbsolute, relative, resolve } from 'node:path'
import { GalleyError } from '@galley/core'
import { startImpactAnalysis, type ImpactChange, type ImpactHandle } from '@galley/codegen'
import { resolveOutputs } from '../engine/outputs.ts'
import { localTemplateInputs } from '../engine/session.ts'
import { toPosix } from '../paths.ts'
import type { Project } from '../project.ts'
import type { ImpactCallSite, Plan, PlanImpact } from './plan-schema.ts'

export interface PlanImpactOptions {
  /** From `startPlanImpact`, started before planning so that both overlap. */
  analysis: ImpactHandle
  /** Remote-only templates to count as deleted (`--prune`). */
  prune?: readonly string[]
}

/**
 * Starts preparing the analysis of the consuming projects (`projects`: their tsconfig.json, absolute) in a worker
 * thread: TypeScript loads and the projects are parsed while the caller plans. Close it if no plan comes.
 */
export function startPlanImpact(project: Project, projects: readonly string[]): ImpactHandle {
  return startImpactAnalysis({ projects, modules: resolveOutputs(project.config.output, project.root).map((o) => o.file), root: project.root })
}

export interface PlanImpactResult {
  impact: PlanImpact
  /** Milliseconds per project, for the pretty output. */
  ms: Map<string, number>
}

/**
 * The call sites in consuming code that the plan breaks: every template it creates or updates (and every
 * pruned one), checked against the module generated from the sources, in every output of the config.
 */
export async function planImpact(project: Project, plan: Plan, options: PlanImpactOptions): Promise<PlanImpactResult> {
  const changes: ImpactChange[] = []
  for (const t of plan.templates) {
    if ((t.action === 'create' || t.action === 'update') && !t.blocked) changes.push({ slug: t.slug, action: t.action })
  }
  for (const slug of options.prune ?? []) {
    const entry = plan.templates.find((t) => t.slug === slug)
    if (!entry || entry.action !== 'remote-only') {
      throw new GalleyError('prune_not_found', `--prune ${slug}: there is no remote-only template "${slug}" on ${plan.target.name}.`, {
        hint: `Remote-only templates: ${plan.templates.filter((t) => t.action === 'remote-only').map((t) => t.slug).join(', ') || '(none)'}.`,
      })
    }
    changes.push({ slug, action: 'delete' })
  }
  // Generated where the analysis runs (its worker thread, when it has one), from the same inputs `galley generate` uses.
  const modules = resolveOutputs(project.config.output, project.root).map((o) => ({
    file: o.file,
    options: { preflight: o.preflight, ...(o.clientModule ? { clientModule: o.clientModule } : {}) },
  }))
  const templates = localTemplateInputs(project.sources, project.root)
  const result = await options.analysis.run({ templates, modules, changes })
  return {
    impact: {
      projects: result.projects.map(({ project: p, modules: m, files, checkedFiles }) => ({ project: p, modules: m, files, checkedFiles })),
      callSites: result.callSites,
    },
    ms: new Map(result.projects.map((p) => [p.project, p.ms])),
  }
}

/** `--impact a/tsconfig.json …` (against the cwd), or the config's `impact.projects`; a folder means its tsconfig.json. */
export function impactProjects(project: Project, given: readonly string[], cwd: string): string[] {
  const paths = given.length > 0 ? given.map((p) => resolve(cwd, p)) : project.config.impact.projects
  if (paths.length === 0) {
    throw new GalleyError('impact_no_projects', '--impact needs the consuming projects: none were given and the config has no impact.projects.', {
      hint: "Name them (`galley plan --impact apps/api/tsconfig.json`), or add `impact: { projects: ['apps/api/tsconfig.json'] }` to the config.",
    })
  }
  return paths.map((p) => (p.endsWith('.json') ? p : resolve(p, 'tsconfig.json')))
}

/** `file:line:col  symbol (slug): message`, the file relative to the project root. */
export function callSiteLine(site: ImpactCallSite): string {
  return `${site.file}:${site.line}:${site.column}  ${site.symbol} (${site.slug}): ${site.message}`
}

/**
 * Under GitHub Actions, the blob URL of a call site at the commit being built (`…/blob/<sha>/<path>#L<line>`),
 * its path taken from the checkout's root (GITHUB_WORKSPACE); undefined elsewhere.
 */
export function githubLink(site: ImpactCallSite, projectRoot: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const { GITHUB_SERVER_URL: server = 'https://github.com', GITHUB_REPOSITORY: repo, GITHUB_SHA: sha, GITHUB_WORKSPACE: workspace } = env
  if (!repo || !sha) return undefined
  let path = site.file
  if (workspace) {
    const rel = relative(workspace, resolve(projectRoot, site.file))
    if (!rel.startsWith('..') && !isAbsolute(rel)) path = toPosix(rel)
  }
  return `${server}/${repo}/blob/${sha}/${path.split('/').map(encodeURIComponent).join('/')}#L${site.line}`
}
