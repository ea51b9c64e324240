/**
 * Helpers of the `galley dev` tests: the built binary spawned as a real node process (no shell in between, so
 * `child.pid` is the process that serves the page), waits on its output and on GET /api/state, and PDF text.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const bin = join(import.meta.dirname, '..', 'bin', 'galley.mjs')

export interface DevProcess {
  child: ChildProcess
  pid: number
  url: string
  stdout(): string
  stderr(): string
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** GET /api/state. */
  state(): Promise<DevStateJson>
  /** Polls /api/state (and the output) until `check` returns a value other than undefined/false. */
  until<T>(what: string, check: (state: DevStateJson) => T | undefined | false, timeoutMs?: number): Promise<T>
  /** Waits until stdout+stderr matches. */
  output(what: RegExp, timeoutMs?: number): Promise<void>
}

export interface DevFixtureJson {
  name: string
  file: string
  status: 'pending' | 'rendering' | 'succeeded' | 'failed'
  pdf: string | null
  out: string
  error: string | null
  version: number
  stale: boolean
}
export interface DevTemplateJson {
  slug: string
  name: string | null
  file: string
  lint: 'ok' | 'warnings' | 'errors'
  diagnostics: { code: string; ruleId: string; severity: string; file: string; line: number; column: number; message: string }[]
  publish: { status: string; version: number | null; error: string | null }
  fixtures: DevFixtureJson[]
}
export interface DevStateJson {
  phase: 'starting' | 'ready' | 'working'
  revision: number
  generated: { files: string[]; status: string }
  templates: DevTemplateJson[]
}

/** Spawns `node bin/galley.mjs dev --port 0 …` in `cwd`; resolves when it printed `Preview: <url>`. */
export async function startDev(cwd: string, args: string[] = [], env: Record<string, string> = {}): Promise<DevProcess> {
  const childEnv: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('CRAFTKIT_') && k !== 'FORCE_COLOR') childEnv[k] = v
  const child = spawn(process.execPath, [bin, 'dev', '--port', '0', ...args], { cwd, env: { ...childEnv, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()))
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()))
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  let exited = false
  void exit.then(() => (exited = true))
  const url = await poll('Preview: line', 90_000, () => {
    if (exited) throw new Error(`galley dev exited early.\nstdout:\n${out}\nstderr:\n${err}`)
    return /^Preview: (http:\/\/\S+)$/m.exec(out)?.[1]
  })
  const state = async () => (await (await fetch(new URL('/api/state', url))).json()) as DevStateJson
  return {
    child,
    pid: child.pid!,
    url,
    stdout: () => out,
    stderr: () => err,
    exit,
    state,
    until: (what, check, timeoutMs = 60_000) =>
      poll(what, timeoutMs, async () => {
        if (exited) throw new Error(`galley dev exited while waiting for ${what}.\nstderr:\n${err}`)
        const value = check(await state())
        return value === false ? undefined : value
      }, () => `\nstdout:\n${out}\nstderr:\n${err}`),
    output: async (what, timeoutMs = 30_000) => {
      await poll(`output ${what}`, timeoutMs, () => (what.test(out + err) ? true : undefined), () => `\nstdout:\n${out}\nstderr:\n${err}`)
    },
  }
}

async function poll<T>(what: string, timeoutMs: number, check: () => T | undefined | Promise<T | undefined>, detail: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${detail()}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Cleanup: stops the process by its pid (if it still runs) and waits for it to exit. */
export async function stopDev(dev: DevProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!dev || dev.child.exitCode !== null || dev.child.signalCode !== null) return
  process.kill(dev.pid, signal)
  const timer = setTimeout(() => process.kill(dev.pid, 'SIGKILL'), 15_000)
  await dev.exit
  clearTimeout(timer)
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** The text of every page of a PDF file (pdfjs, as the emulator's tests read PDFs). */
export async function pdfText(file: string): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs')
  const doc = await pdfjs.getDocument({ data: new Uint8Array(readFileSync(file)), verbosity: 0, isEvalSupported: false }).promise
  const pages: string[] = []
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent()
    pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '))
  }
  await doc.destroy()
  return pages.join('\n')
}

export function fixtureOf(state: DevStateJson, slug: string, name: string): DevFixtureJson | undefined {
  return state.templates.find((t) => t.slug === slug)?.fixtures.find((f) => f.name === name)
}
