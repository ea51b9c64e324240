import { execFile } from 'node:child_process'
import { realpathSync } from 'node:fs'
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { GalleyError, lintSources, loadTemplateSources, type TemplateSource } from '@galley/core'
import type { CliContext } from '../context.ts'
import { ExitCode } from '../exit-codes.ts'
import { toPosix } from '../paths.ts'
import type { Project } from '../project.ts'
import { applyPlan } from '../publish/apply-plan.ts'
import { buildPlan } from '../publish/build-plan.ts'
import { loadProjectFor, targetOptions, withTarget, type ProjectOptions } from '../publish/command-support.ts'
import { breakingChangeLines, formatPlanText } from '../publish/format-plan.ts'
import { loadState, recordUpdatedAt, recordWrite, saveState } from '../publish/state.ts'
import type { RegisterCommand } from './registry.ts'

interface RollbackOptions extends ProjectOptions {
  to: string
  dryRun?: boolean
  allowBreaking?: boolean
  json?: boolean
}

/**
 * `galley rollback <slug> --to <ref>`: publishes the template's source as it was at a git ref (read from git, not
 * the working tree) through the normal path: lint, plan, retry-safe PUT. Craftkit never deletes a version, so a
 * rollback is a new version whose content equals the old source.
 */
export const registerRollback: RegisterCommand = (program, ctx) => {
  targetOptions(
    program
      .command('rollback')
      .description('publish a template as its source was at a git ref (a new version with the old content)')
      .argument('<slug>', 'the template to roll back')
      .requiredOption('--to <ref>', 'the git ref (commit, tag, branch, HEAD~1) whose source to publish')
      .option('--dry-run', 'print the plan; publish nothing')
      .option('--allow-breaking', 'publish even when the rollback breaks callers of the current version')
      .option('--json', 'print the result as JSON'),
  ).action(async (slug: string, opts: RollbackOptions) => {
    ctx.exitCode = await runRollback(slug, opts, ctx)
  })
}

async function runRollback(slug: string, opts: RollbackOptions, ctx: CliContext): Promise<number> {
  const project = await loadProjectFor(opts, ctx)
  const git = (args: string[]) => run('git', args, project.root)
  const top = await git(['rev-parse', '--show-toplevel']).catch(() => null)
  if (top === null) {
    throw new GalleyError('rollback_not_git', `${project.root} is not inside a git repository, so there is no history to roll back to.`, {
      hint: 'Run galley rollback in the repository that holds the templates (or use galley publish from a checkout of the old source).',
    })
  }
  const commit = await git(['rev-parse', '--verify', '--quiet', `${opts.to}^{commit}`]).catch(() => null)
  if (commit === null) {
    throw new GalleyError('rollback_unknown_ref', `"${opts.to}" is not a commit in this repository.`, {
      hint: 'Use a commit sha, a tag, a branch or a relative ref such as HEAD~1 (`git log -- templates/<slug>` lists the commits that touched it).',
    })
  }
  const short = commit.slice(0, 12)
  // Both sides real paths: git prints the top level resolved (symlinks, e.g. a temp folder, would differ).
  const folder = toPosix(relative(realpathSync(top), join(realpathOr(project.config.templates), slug)))
  const listed = (await git(['ls-tree', '-r', '-z', '--name-only', commit, '--', `${folder}/`])).split('\0').filter(Boolean)
  if (!listed.includes(`${folder}/template.yaml`)) {
    throw new GalleyError('rollback_missing_at_ref', `${folder}/template.yaml does not exist at ${opts.to} (${short}).`, {
      hint: `Pick a ref where the template existed: \`git log --oneline -- ${folder}/template.yaml\`.`,
    })
  }

  // The folder as it was, in a temporary project laid out like this one, so that diagnostics name the real paths.
  const root = await mkdtemp(join(tmpdir(), 'galley-rollback-'))
  try {
    const dir = join(root, relative(project.root, project.config.templates), slug)
    for (const file of listed) {
      const out = join(dir, relative(folder, file))
      await mkdir(dirname(out), { recursive: true })
      await writeFile(out, await runBuffer('git', ['show', `${commit}:${file}`], project.root))
    }
    const [source] = await loadTemplateSources({ root, templatesDir: dirname(dir), only: [slug] })
    return await rollbackSource(project, slug, source!, { ...opts, commit: short, folder }, ctx)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}

async function rollbackSource(project: Project, slug: string, source: TemplateSource, opts: RollbackOptions & { commit: string; folder: string }, ctx: CliContext): Promise<number> {
  const at = `${opts.to} (${opts.commit})`
  const errors = lintSources([source], { rules: project.config.lint.rules }).filter((d) => d.severity === 'error')
  if (errors.length > 0) {
    throw new GalleyError('rollback_lint_failed', `The source of ${slug} at ${at} has ${errors.length} lint error${errors.length === 1 ? '' : 's'}; nothing was published.`, {
      diagnostics: errors,
      hint: 'Roll back to a ref whose source passes `galley lint`.',
    })
  }
  return withTarget(project, opts, ctx, async (target) => {
    const state = loadState(project.root, target.id, target.name)
    const { plan, bodies } = await buildPlan({ sources: [source], target, state, slugs: [slug], assumeUnverifiedChanged: true })
    const entry = plan.templates.find((t) => t.slug === slug)!
    if (entry.blocked) throw new GalleyError('rollback_blocked', `${slug} cannot be published: ${entry.blocked}.`)
    const changes = entry.action === 'create' || entry.action === 'update'
    if (opts.dryRun || !changes) {
      if (opts.json) ctx.out(JSON.stringify({ slug, ref: opts.to, commit: opts.commit, dryRun: opts.dryRun === true, plan }, null, 2))
      else {
        ctx.out(formatPlanText(plan, ctx.c))
        ctx.out(changes ? `Dry run: nothing was published. Without --dry-run, ${slug} at ${at} is published as a new version.` : `${slug} on ${target.name} already equals its source at ${at}: nothing to roll back.`)
      }
      return ExitCode.Ok
    }
    if (entry.breaking && !opts.allowBreaking) {
      const lines = breakingChangeLines([entry])
      throw new GalleyError('breaking_change', `Refusing to roll back ${slug} to ${at}: it breaks callers of the current version; nothing was published:\n${lines.join('\n')}`, {
        hint: 'Update the callers first (or accept it), then roll back with --allow-breaking.',
      })
    }
    const { results } = await applyPlan({ plan, bodies, client: target.client, record: (s, record) => recordWrite(project.root, target.id, state, s, record) })
    const result = results.find((r) => r.slug === slug)!
    if (result.outcome === 'failed') throw new GalleyError('rollback_failed', `Rolling back ${slug} failed: ${result.error}`, { hint: 'It is safe to run the same rollback again: it re-reads before writing.' })
    await recordUpdatedAt(target, state)
    await saveState(project.root, target.id, state)
    if (opts.json) ctx.out(JSON.stringify({ slug, ref: opts.to, commit: opts.commit, dryRun: false, versionNumber: result.versionNumber, previousVersion: result.previousVersion ?? null }, null, 2))
    else {
      ctx.out(`Rolled back ${ctx.c.bold(slug)} on ${target.name} to its source at ${at}: v${result.versionNumber} (was v${result.previousVersion ?? '-'}).`)
      ctx.out(ctx.c.dim(`The working tree still holds the newer source: revert it in git too (\`git checkout ${opts.commit} -- ${opts.folder}\` at the repository root), or the next publish undoes the rollback.`))
    }
    return ExitCode.Ok
  })
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}

function run(cmd: string, args: string[], cwd: string): Promise<string> {
  return runBuffer(cmd, args, cwd).then((b) => b.toString('utf8').trim())
}

function runBuffer(cmd: string, args: string[], cwd: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => (error ? reject(error) : resolve(stdout)))
  })
}
