/**
 * examples/github-actions/workflow.yml, run for real: each job's `run:` steps, in order, with the same commands and
 * flags, against a local emulator that stands in for Craftkit. The runner is simulated only as far as the workflow
 * relies on it: event filters (`if:` of jobs and steps), `${{ }}` contexts (vars, secrets, github), env merging,
 * GITHUB_ACTIONS/GITHUB_STEP_SUMMARY/GITHUB_WORKSPACE, a fresh checkout per job, a failing step stopping the job,
 * and actions/cache/restore + save (immutable keys, restore-keys by prefix, newest first). Other `uses:` steps
 * (checkout, pnpm, setup-node) are asserted present and skipped; so is `pnpm install`.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulator, type RunningEmulator } from '@galley/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { clientFor, galley, REPO_SLUGS, repoRoot, tempProject, testKey, versions, type RunResult } from './publish-utils.ts'

const workflowFile = join(repoRoot, 'examples', 'github-actions', 'workflow.yml')
const workflow = parse(readFileSync(workflowFile, 'utf8')) as Workflow

interface Step {
  name?: string
  uses?: string
  run?: string
  if?: string
  with?: Record<string, string | number | boolean>
  env?: Record<string, string>
}
interface Job {
  if?: string
  env?: Record<string, string>
  steps: Step[]
}
interface Workflow {
  on: Record<string, unknown>
  env?: Record<string, string>
  jobs: Record<string, Job>
}

type Event = 'pull_request' | 'push' | 'schedule' | 'workflow_dispatch'

/** The `${{ }}` contexts of one run. */
interface Contexts {
  github: Record<string, string>
  vars: Record<string, string>
  secrets: Record<string, string>
}

function githubContext(event: Event, runId: number): Record<string, string> {
  const onMain = { ref: 'refs/heads/main', ref_name: 'main', base_ref: '' }
  const pr = { ref: 'refs/pull/7/merge', ref_name: '7/merge', base_ref: 'main' }
  return { event_name: event, run_id: String(runId), ...(event === 'pull_request' ? pr : onMain) }
}

/** Looks up `github.ref_name`, `vars.X`, `secrets.X` (a missing var/secret is '', as on GitHub). */
function lookup(path: string, ctx: Contexts): string {
  const m = /^(github|vars|secrets)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(path.trim())
  if (!m) throw new Error(`the test runner does not know the expression "${path}"`)
  const scope = ctx[m[1] as keyof Contexts]
  if (m[1] === 'github' && !(m[2]! in scope)) throw new Error(`the test runner has no github.${m[2]}`)
  return scope[m[2]!] ?? ''
}

function interpolate(text: string, ctx: Contexts): string {
  return text.replace(/\$\{\{([^}]*)\}\}/g, (_, expr: string) => lookup(expr, ctx))
}

/** `if:` conditions: `a == 'x'`, `a != 'x'`, `always()`, joined by `&&` / `||` (no parentheses). */
function condition(expr: string | undefined, ctx: Contexts, jobFailed: boolean): boolean {
  if (expr === undefined) return !jobFailed
  const text = expr.replace(/^\s*\$\{\{(.*)\}\}\s*$/, '$1')
  const term = (t: string): boolean => {
    t = t.trim()
    if (t === 'always()') return true
    if (t === 'success()') return !jobFailed
    if (t === 'failure()') return jobFailed
    const m = /^([\w.]+)\s*(==|!=)\s*'([^']*)'$/.exec(t)
    if (!m) throw new Error(`the test runner does not know the condition "${t}"`)
    return (lookup(m[1]!, ctx) === m[3]) === (m[2] === '==')
  }
  const value = text.split('||').some((alt) => alt.split('&&').every(term))
  // Like GitHub: without a status function in the condition, a step runs only while the job succeeds.
  return /always\(\)|failure\(\)/.test(text) ? value : value && !jobFailed
}

/** actions/cache, in memory: immutable keys, restore by exact key, then by restore-keys prefix, newest first. */
class CacheStore {
  private entries: { key: string; dir: string }[] = []
  private readonly root = mkdtempSync(join(tmpdir(), 'galley-gha-cache-'))
  save(key: string, from: string): 'saved' | 'exists' | 'nothing' {
    if (this.entries.some((e) => e.key === key)) return 'exists'
    if (!existsSync(from)) return 'nothing'
    const dir = join(this.root, String(this.entries.length))
    cpSync(from, dir, { recursive: true })
    this.entries.push({ key, dir })
    return 'saved'
  }
  restore(key: string, restoreKeys: string[], to: string): string | null {
    const hit =
      this.entries.find((e) => e.key === key) ??
      restoreKeys.map((prefix) => [...this.entries].reverse().find((e) => e.key.startsWith(prefix))).find((e) => e !== undefined)
    if (!hit) return null
    cpSync(hit.dir, to, { recursive: true })
    return hit.key
  }
  keys(): string[] {
    return this.entries.map((e) => e.key)
  }
  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true })
  }
}

interface StepResult {
  command: string
  result: RunResult
}
interface JobRun {
  job: string
  ok: boolean
  steps: StepResult[]
  skipped: string[]
  cache: string[]
  summary: string
  workspace: string
}

const SETUP_ACTIONS = ['actions/checkout@', 'pnpm/action-setup@', 'actions/setup-node@']
const INSTALL = 'pnpm install --frozen-lockfile'
const GALLEY = /^(?:pnpm |npx )?galley\s+/

/** The jobs whose `if:` holds for the event. */
function jobsFor(event: Event, runId: number): string[] {
  const ctx: Contexts = { github: githubContext(event, runId), vars: {}, secrets: {} }
  return Object.entries(workflow.jobs)
    .filter(([, job]) => condition(job.if, ctx, false))
    .map(([name]) => name)
}

let emulator: RunningEmulator
const key = testKey('workflow')
let runIds = 1000
const cleanups: (() => void)[] = []

/**
 * Runs one job as GitHub would on `event`: a fresh checkout of `repo` (its files, not its `.galley/`), the `run:`
 * steps in order (galley through the built binary, args split on spaces), stopping at the first failure.
 */
async function runJob(name: string, event: Event, repo: string, cache: CacheStore): Promise<JobRun> {
  const job = workflow.jobs[name]!
  const ctx: Contexts = {
    github: githubContext(event, runIds++),
    vars: { CRAFTKIT_BASE_URL: emulator.url },
    secrets: { CRAFTKIT_API_KEY: key },
  }
  expect(condition(job.if, ctx, false), `${name} runs on ${event}`).toBe(true)
  const workspace = mkdtempSync(join(tmpdir(), `galley-gha-${name}-`))
  cleanups.push(() => rmSync(workspace, { recursive: true, force: true }))
  cpSync(repo, workspace, { recursive: true, filter: (src) => !src.startsWith(join(repo, '.galley')) })
  const summaryFile = join(workspace, '..', `${workspace.split('/').pop()}-summary.md`)
  cleanups.push(() => rmSync(summaryFile, { force: true }))
  writeFileSync(summaryFile, '')

  const run: JobRun = { job: name, ok: true, steps: [], skipped: [], cache: [], summary: '', workspace }
  for (const step of job.steps) {
    if (!condition(step.if, ctx, !run.ok)) continue
    const env: Record<string, string> = {}
    for (const [k, v] of Object.entries({ ...workflow.env, ...job.env, ...step.env })) env[k] = interpolate(String(v), ctx)
    if (step.uses) {
      const uses = step.uses
      const w = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, interpolate(String(v), ctx)]))
      if (uses.startsWith('actions/cache/restore@')) {
        const hit = cache.restore(w.key!, (w['restore-keys'] ?? '').split('\n').filter(Boolean), join(workspace, w.path!))
        run.cache.push(`restore ${w.path} ${hit ?? 'miss'}`)
      } else if (uses.startsWith('actions/cache/save@')) {
        run.cache.push(`save ${w.path} ${w.key} ${cache.save(w.key!, join(workspace, w.path!))}`)
      } else if (SETUP_ACTIONS.some((a) => uses.startsWith(a))) {
        run.skipped.push(uses)
      } else throw new Error(`the test runner does not know the action ${uses}`)
      continue
    }
    const command = step.run!.trim()
    if (command === INSTALL) {
      run.skipped.push(command)
      continue
    }
    expect(command, 'one galley command per step, no shell syntax').toMatch(GALLEY)
    expect(command).not.toMatch(/[|&;<>$`'"\\\n]/)
    const args = command.replace(GALLEY, '').split(/\s+/)
    const result = await galley(args, {
      cwd: workspace,
      env: { ...env, CI: 'true', GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summaryFile, GITHUB_WORKSPACE: workspace },
    })
    run.steps.push({ command, result })
    if (result.code !== 0) run.ok = false
  }
  run.summary = readFileSync(summaryFile, 'utf8')
  return run
}

function show(run: JobRun): string {
  return run.steps.map((s) => `$ ${s.command} -> ${s.result.code}\n${s.result.stdout}${s.result.stderr}`).join('\n')
}

beforeAll(async () => {
  emulator = await startEmulator({ apiKeys: [key], quiet: true })
}, 60_000)
afterAll(async () => {
  for (const c of cleanups.splice(0)) c()
  await emulator?.close()
})

describe('examples/github-actions/workflow.yml', { timeout: 300_000 }, () => {
  it('has the triggers, a job per event, and the setup steps before the galley steps', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push', 'schedule', 'workflow_dispatch'])
    expect(workflow.on.push).toEqual({ branches: ['main'] })
    expect((workflow.on.schedule as { cron: string }[])[0]!.cron).toMatch(/^\S+ \S+ \S+ \S+ \S+$/)
    expect(workflow.env).toEqual({ CRAFTKIT_BASE_URL: '${{ vars.CRAFTKIT_BASE_URL }}', CRAFTKIT_API_KEY: '${{ secrets.CRAFTKIT_API_KEY }}' })

    expect(jobsFor('pull_request', 1)).toEqual(['check'])
    expect(jobsFor('push', 1)).toEqual(['publish'])
    expect(jobsFor('schedule', 1)).toEqual(['drift'])
    expect(jobsFor('workflow_dispatch', 1)).toEqual(['drift'])

    const runs = (job: string) => workflow.jobs[job]!.steps.filter((s) => s.run).map((s) => s.run!.trim())
    expect(runs('check')).toEqual([INSTALL, 'pnpm galley lint --format github', 'pnpm galley plan', 'pnpm galley generate --check'])
    expect(runs('publish')).toEqual([INSTALL, 'pnpm galley lint --format github', 'pnpm galley plan --out plan.json', 'pnpm galley publish --plan plan.json'])
    expect(runs('drift')).toEqual([INSTALL, 'pnpm galley status'])

    for (const [name, job] of Object.entries(workflow.jobs)) {
      const uses = job.steps.map((s) => s.uses ?? s.run!.trim())
      const firstGalley = uses.findIndex((u) => GALLEY.test(u))
      const before = uses.slice(0, firstGalley)
      for (const a of SETUP_ACTIONS) expect(before.some((u) => u.startsWith(a)), `${name}: ${a} before galley`).toBe(true)
      expect(before, `${name}: install before galley`).toContain(INSTALL)
      expect(before.some((u) => u.startsWith('actions/cache/restore@')), `${name}: .galley/state restored before galley`).toBe(true)
      const node = job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'))!
      expect(Number(node.with?.['node-version'])).toBeGreaterThanOrEqual(20)
      for (const s of job.steps.filter((s) => s.uses?.startsWith('actions/cache'))) expect(s.with?.path).toBe('.galley/state/')
    }
    // The publish job saves the records even when publish failed half-way.
    const save = workflow.jobs.publish!.steps.find((s) => s.uses?.startsWith('actions/cache/save@'))!
    expect(save.if).toBe('always()')
    expect(workflow.jobs.publish!.steps.indexOf(save)).toBe(workflow.jobs.publish!.steps.length - 1)
  })

  it('pull request -> push to main -> schedule, and drift after an edit outside git', async () => {
    const cache = new CacheStore()
    cleanups.push(() => cache.cleanup())
    const repo = tempProject()
    cleanups.push(() => repo.cleanup())
    // The repo commits its generated module.
    expect((await galley(['generate'], { cwd: repo.root })).code).toBe(0)

    // Pull request: lint clean, the plan in the job summary, the committed module up to date.
    const pr = await runJob('check', 'pull_request', repo.root, cache)
    expect(pr.ok, show(pr)).toBe(true)
    expect(pr.steps.map((s) => s.command)).toEqual(['pnpm galley lint --format github', 'pnpm galley plan', 'pnpm galley generate --check'])
    expect(pr.skipped).toEqual(['actions/checkout@v4', 'pnpm/action-setup@v4', 'actions/setup-node@v4', INSTALL])
    expect(pr.cache).toEqual(['restore .galley/state/ miss'])
    expect(pr.steps[0]!.result.stdout).not.toContain('::error')
    expect(pr.summary).toMatch(/^### Galley plan: CRAFTKIT_BASE_URL/)
    for (const slug of REPO_SLUGS) expect(pr.summary).toContain(`| + create | \`${slug}\` |`)
    expect(pr.steps[2]!.result.stdout + pr.steps[2]!.result.stderr).toMatch(/up to date/i)
    const client = clientFor(emulator.url, key)
    expect(await client.templates.list()).toEqual([]) // a pull request publishes nothing

    // Push to main: publishes everything; the publish records go to the cache.
    const main = await runJob('publish', 'push', repo.root, cache)
    expect(main.ok, show(main)).toBe(true)
    expect(main.steps.at(-1)!.result.stdout).toMatch(/Published: 4 created, 0 updated, 0 deleted, 0 unchanged \(4 writes\)/)
    expect(main.summary).toMatch(/^### Galley plan: CRAFTKIT_BASE_URL/)
    expect(await versions(client, REPO_SLUGS)).toEqual(Object.fromEntries(REPO_SLUGS.map((s) => [s, 1])))
    expect(main.cache).toEqual(['restore .galley/state/ miss', expect.stringMatching(/^save \.galley\/state\/ galley-state-main-production-\d+ saved$/)])
    expect(cache.keys()).toHaveLength(1)

    // A second push with nothing changed restores the records and makes no writes.
    const again = await runJob('publish', 'push', repo.root, cache)
    expect(again.ok, show(again)).toBe(true)
    expect(again.cache[0]).toBe(`restore .galley/state/ ${cache.keys()[0]}`)
    expect(again.steps.at(-1)!.result.stdout).toMatch(/\(0 writes\)/)
    expect(await versions(client, REPO_SLUGS)).toEqual(Object.fromEntries(REPO_SLUGS.map((s) => [s, 1])))

    // Schedule, in sync.
    const quiet = await runJob('drift', 'schedule', repo.root, cache)
    expect(quiet.ok, show(quiet)).toBe(true)
    expect(quiet.cache[0]).toMatch(/^restore \.galley\/state\/ galley-state-main-production-\d+$/)
    expect(quiet.steps.map((s) => s.command)).toEqual(['pnpm galley status'])
    expect(quiet.steps[0]!.result.stdout).toContain('In sync: 4 templates')

    // Someone edits a template in the dashboard (a PUT outside git): the scheduled job fails with exit 2, and the
    // restored records let it say which side moved.
    const invoice = await client.templates.get('invoice')
    await client.templates.put('invoice', { name: 'Invoice (edited in the dashboard)', description: invoice.description, manifest: invoice.manifest! })
    const drift = await runJob('drift', 'schedule', repo.root, cache)
    expect(drift.ok).toBe(false)
    expect(drift.steps[0]!.result.code, show(drift)).toBe(2)
    expect(drift.steps[0]!.result.stdout).toMatch(/edited-outside-git +invoice/)

    // The key never reaches a log or the summary.
    for (const r of [pr, main, again, quiet, drift]) {
      expect(r.summary).not.toContain(key)
      for (const s of r.steps) expect(s.result.stdout + s.result.stderr).not.toContain(key)
    }
  })

  it('a pull request with a broken template fails at lint with annotations on the file; a stale module fails generate --check', async () => {
    const cache = new CacheStore()
    cleanups.push(() => cache.cleanup())
    const repo = tempProject()
    cleanups.push(() => repo.cleanup())
    expect((await galley(['generate'], { cwd: repo.root })).code).toBe(0)
    const file = join(repo.root, 'templates', 'invoice', 'template.yaml')
    const good = readFileSync(file, 'utf8')

    writeFileSync(file, good.replace(/^  lineItems:$/m, '  line.items:'))
    const broken = await runJob('check', 'pull_request', repo.root, cache)
    expect(broken.ok).toBe(false)
    expect(broken.steps.map((s) => [s.command, s.result.code])).toEqual([['pnpm galley lint --format github', 1]]) // later steps do not run
    expect(broken.steps[0]!.result.stdout).toMatch(/^::error file=templates\/invoice\/template\.yaml,line=21,col=3,.*title=loop-key-dot::/m)
    expect(broken.summary).toBe('')

    // A label change with the module not regenerated: lint and plan pass, generate --check fails.
    writeFileSync(file, good.replace('label: Invoice number', 'label: Invoice no.'))
    const stale = await runJob('check', 'pull_request', repo.root, cache)
    expect(stale.ok).toBe(false)
    expect(stale.steps.map((s) => [s.command, s.result.code])).toEqual([
      ['pnpm galley lint --format github', 0],
      ['pnpm galley plan', 0],
      ['pnpm galley generate --check', 1],
    ])
    expect(stale.steps[2]!.result.stderr + stale.steps[2]!.result.stdout).toContain('invoice')
  })
})
