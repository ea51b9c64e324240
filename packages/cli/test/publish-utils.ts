/**
 * Helpers of the plan/publish/pull/status/render/emulator tests: a temp copy of the repo's templates, the built binary
 * spawned as a child process (asynchronously: the emulator runs in this process and must keep answering), and
 * a client to read what the emulator holds. Nothing is mocked.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient, type CraftkitClient } from '@galley/client'

export const repoRoot = join(import.meta.dirname, '..', '..', '..')
const bin = join(import.meta.dirname, '..', 'bin', 'galley.mjs')

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs `node packages/cli/bin/galley.mjs …` in `cwd`. CRAFTKIT_* and colour variables come only from `env`. */
export function galley(args: string[], options: { cwd: string; env?: Record<string, string | undefined> }): Promise<RunResult> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('CRAFTKIT_') || k === 'FORCE_COLOR' || k === 'GITHUB_ACTIONS' || k === 'GITHUB_STEP_SUMMARY') continue
    env[k] = v
  }
  env.NO_COLOR = '1'
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k]
    else env[k] = v
  }
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: options.cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
      resolve({ code, stdout, stderr })
    })
  })
}

/** A running `galley emulator` child process (see `startEmulatorProcess`). */
export interface EmulatorProcess {
  child: ChildProcess
  url: string
  stdout: () => string
  stderr: () => string
  exit: Promise<number | null>
}

/**
 * Spawns `node packages/cli/bin/galley.mjs emulator --port 0 …args` and resolves once it printed its URL and
 * "Press Ctrl+C" (the last line of its banner); rejects if it exits first. `track` collects the child for cleanup.
 */
export async function startEmulatorProcess(args: string[], options: { cwd?: string; track?: ChildProcess[] } = {}): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, [bin, 'emulator', '--port', '0', ...args], { cwd: options.cwd, env: { ...process.env, NO_COLOR: '1' } })
  // Tracked at once, so that the caller's cleanup also stops a child that never finished starting.
  options.track?.push(child)
  let out = ''
  let err = ''
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()))
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString()
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m && out.includes('Ctrl+C')) resolve(m[1]!)
    })
    void exit.then((code) => reject(new Error(`galley emulator exited with ${code}: ${err}`)))
  })
  return { child, url, stdout: () => out, stderr: () => err, exit }
}

/** A temp project holding a copy of the repo's templates (and no config: the defaults apply). */
export function tempProject(options: { templates?: boolean } = {}): { root: string; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), 'galley-publish-'))
  if (options.templates !== false) cpSync(join(repoRoot, 'templates'), join(root, 'templates'), { recursive: true })
  else mkdirSync(join(root, 'templates'))
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) }
}

/** Writes `count` generated templates (gen-001…) into a project. */
export function generateTemplates(root: string, count: number, prefix = 'gen'): string[] {
  const slugs: string[] = []
  for (let i = 1; i <= count; i++) {
    const slug = `${prefix}-${String(i).padStart(3, '0')}`
    slugs.push(slug)
    writeTemplate(root, slug, generatedTemplate(slug, i))
  }
  return slugs
}

export function generatedTemplate(slug: string, i: number, revision = 0): string {
  return [
    `slug: ${slug}`,
    `name: Generated ${i}${revision ? ` (rev ${revision})` : ''}`,
    `description: Generated template number ${i}.`,
    'pageConfig: { format: A4, margin: 15mm }',
    'variables:',
    `  order.number: { label: Order ${i}, dataType: text, required: true }`,
    '  order.date:   { label: Date, dataType: date }',
    '  customer.name: { label: Customer, dataType: text, required: true }',
    '  total:        { label: Total, dataType: currency }',
    'loops:',
    '  items:',
    '    label: Items',
    '    itemFields:',
    '      sku:      { label: SKU, dataType: text, required: true }',
    '      quantity: { label: Qty, dataType: number }',
    '',
  ].join('\n')
}

export function writeTemplate(root: string, slug: string, yaml: string): void {
  mkdirSync(join(root, 'templates', slug), { recursive: true })
  writeFileSync(join(root, 'templates', slug, 'template.yaml'), yaml)
}

export function clientFor(url: string, apiKey: string): CraftkitClient {
  return createClient({ baseUrl: url, apiKey, retry: { retries: 8, minDelayMs: 20, maxDelayMs: 200 } })
}

/** currentVersionNumber of each slug (null when absent). */
export async function versions(client: CraftkitClient, slugs?: readonly string[]): Promise<Record<string, number | null>> {
  const listed = await client.templates.list()
  const out: Record<string, number | null> = {}
  for (const t of listed) if (!slugs || slugs.includes(t.slug)) out[t.slug] = t.currentVersionNumber
  for (const s of slugs ?? []) if (!(s in out)) out[s] = null
  return out
}

/** A fresh ck_test_ key: each key is its own emulator project, so tests sharing an emulator stay isolated. */
export function testKey(name: string): string {
  return `ck_test_${name.replace(/[^a-z0-9]/gi, '')}${Math.random().toString(36).slice(2)}${'x'.repeat(16)}`
}

export const REPO_SLUGS = ['charter-handover', 'delivery-note', 'inspection-report', 'invoice']

/** Requests per template in an emulator's request log (`METHOD /v1/templates/<slug> STATUS MSms` lines on stderr). */
export interface TemplateRequestCounts {
  /** Requests per slug (GET and PUT/DELETE of /v1/templates/<slug>, every status, injected faults included). */
  perTemplate: Map<string, number>
  /** `GET /v1/templates` (lists: not about one template). */
  lists: number
  max: number
  mean: number
  total: number
  /** The longest run of GETs of one template with no PUT between them: one read and its retries. */
  longestRead: number
  /** Most PUTs of one template. */
  maxPuts: number
}

export function countTemplateRequests(log: string): TemplateRequestCounts {
  const perTemplate = new Map<string, number>()
  const gets = new Map<string, number>()
  const puts = new Map<string, number>()
  let lists = 0
  let longestRead = 0
  for (const line of log.split('\n')) {
    const m = /^(GET|PUT|DELETE|POST) \/v1\/templates(?:\/([^/\s]+))? \S+ \d+ms$/.exec(line.trim())
    if (!m) continue
    if (!m[2]) {
      lists++
      continue
    }
    const slug = decodeURIComponent(m[2])
    perTemplate.set(slug, (perTemplate.get(slug) ?? 0) + 1)
    if (m[1] === 'GET') {
      gets.set(slug, (gets.get(slug) ?? 0) + 1)
      longestRead = Math.max(longestRead, gets.get(slug)!)
    } else {
      gets.set(slug, 0)
      puts.set(slug, (puts.get(slug) ?? 0) + 1)
    }
  }
  const values = [...perTemplate.values()]
  const total = values.reduce((a, b) => a + b, 0)
  const max = values.length ? Math.max(...values) : 0
  const mean = values.length ? total / values.length : 0
  const maxPuts = puts.size ? Math.max(...puts.values()) : 0
  return { perTemplate, lists, max, mean, total, longestRead, maxPuts }
}
