/**
 * @module What plan, publish, pull, status and render share: loading the project, running against a target
 * (always closed), turning API errors into user errors. Atomic file writes are @galley/codegen's writeFileAtomic.
 */
import { appendFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { CONFIG_FILES, GalleyError } from '@galley/core'
import type { Command } from 'commander'
import type { CliContext } from '../context.ts'
import { loadProject, type Project } from '../project.ts'
import { resolveTarget, type Target } from '../target.ts'

export interface ProjectOptions {
  cwd?: string
  config?: string
  env?: string
}

/** Adds `--cwd` and `--config` (every command that loads the project). */
export function projectOptions(command: Command): Command {
  const names = CONFIG_FILES.map((f) => f.slice('galley.config.'.length)).join(',')
  return command
    .option('--cwd <dir>', 'run as if started in this folder')
    .option('--config <file>', `the config file (default: galley.config.{${names}} in the folder or above)`)
}

/** Adds `--env`, `--cwd` and `--config` to a command. */
export function targetOptions(command: Command): Command {
  return projectOptions(command.option('--env <name>', 'target an environment of the config (its key comes from its apiKeyEnv variable)'))
}

export async function loadProjectFor(opts: ProjectOptions, ctx: CliContext): Promise<Project> {
  const cwd = resolve(ctx.io.cwd, opts.cwd ?? '.')
  return loadProject(opts.config ? { cwd, configPath: resolve(cwd, opts.config) } : { cwd })
}

/** Resolves the target, runs `fn`, and always closes the target (stops the embedded emulator). */
export async function withTarget<T>(project: Project, opts: ProjectOptions, ctx: CliContext, fn: (target: Target) => Promise<T>): Promise<T> {
  const target = await resolveTarget(project, { env: opts.env, io: ctx.io })
  try {
    return await fn(target)
  } catch (error) {
    throw toUserError(error, target)
  } finally {
    await target.close()
  }
}

/** A CraftkitError (or any error with `status` and `code`) as a GalleyError that says what to do. */
export function toUserError(error: unknown, target: Pick<Target, 'name' | 'baseUrl' | 'embedded'>): unknown {
  if (error instanceof GalleyError) return error
  const e = error as { status?: unknown; code?: unknown; message?: unknown } | null
  if (!e || typeof e.status !== 'number' || typeof e.code !== 'string') return error
  const message = typeof e.message === 'string' ? e.message : String(e.code)
  const hints: Record<string, string> = {
    unauthorized: target.embedded
      ? 'The embedded emulator rejected its key: delete .galley/emulator/api-key and .galley/emulator to start afresh.'
      : 'Check the API key of this target: it must be a project key of this deployment (keys are per environment).',
    forbidden: "The key's project no longer exists: mint a new project key.",
    network_error: `Is ${target.baseUrl} reachable? Check the URL and your network.`,
    timeout: `${target.baseUrl} did not answer in time; try again.`,
    template_not_found: 'Run `galley publish` first (or check the slug).',
    no_published_version: 'Run `galley publish` first.',
  }
  return new GalleyError(`craftkit_${e.code}`, `${target.name}: ${message}`, { hint: hints[e.code], cause: error })
}

/** Under GitHub Actions, appends markdown to the job's step summary. */
export function appendStepSummary(ctx: CliContext, markdown: string): void {
  const env = ctx.io.env
  if (env.GITHUB_ACTIONS === 'true' && env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, `${markdown}\n`)
}

/** Parses `--concurrency`: a positive integer. */
export function parsePositiveInt(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < 1 || n > 64) throw new GalleyError('invalid_option', `${flag} must be an integer from 1 to 64 (got "${value}").`)
    return n
  }
}

/** Collects a repeatable option; each value may also be comma-separated. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)]
}
