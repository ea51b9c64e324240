import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs'

export const EXAMPLE = resolve(import.meta.dirname, '..')
export const REPO = resolve(EXAMPLE, '../..')
export const CLI_BIN = join(REPO, 'packages/cli/bin/galley.mjs')

/** A random ck_test_ key, so no run reuses another's. */
export function testKey(): string {
  return `ck_test_${randomBytes(16).toString('hex')}`
}

/** A free TCP port on 127.0.0.1 (the server's port must be known before the emulator, which posts webhooks to it). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address()
      srv.close(() => (address && typeof address === 'object' ? resolvePort(address.port) : reject(new Error('no port'))))
    })
  })
}

/**
 * Runs `node <args>` to the end (a build, a publish) and returns the exit code and output. Asynchronous on
 * purpose: the emulator runs in this process, and a blocking spawnSync would stop it from answering the CLI.
 */
export function runNode(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<{ status: number | null; output: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, args, { cwd: options.cwd ?? EXAMPLE, env: { ...process.env, NO_COLOR: '1', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    const timer = setTimeout(() => {
      output += `\n(killed after ${options.timeoutMs ?? 120_000} ms)`
      if (child.pid) process.kill(child.pid, 'SIGKILL')
    }, options.timeoutMs ?? 120_000)
    child.on('error', (error) => (output += String(error)))
    child.on('close', (status) => {
      clearTimeout(timer)
      resolveRun({ status, output })
    })
  })
}

/**
 * `galley publish` of the repo's templates to a Craftkit deployment, through the CLI (the target comes from
 * CRAFTKIT_BASE_URL + CRAFTKIT_API_KEY). It runs in a temp folder with its own config, so the publish record
 * (`.galley/state/`) of this throwaway target does not land in the example.
 */
export function publishTemplates(baseUrl: string, apiKey: string): Promise<{ status: number | null; output: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'galley-example-publish-'))
  writeFileSync(join(cwd, 'galley.config.json'), JSON.stringify({ templates: join(REPO, 'templates') }))
  return runNode([CLI_BIN, 'publish', '--cwd', cwd], { env: { CRAFTKIT_BASE_URL: baseUrl, CRAFTKIT_API_KEY: apiKey } }).finally(() =>
    rmSync(cwd, { recursive: true, force: true }),
  )
}

/** A started node process whose output is collected; `stop()` ends it by its own pid and waits for the exit. */
export interface Child {
  process: ChildProcess
  output: () => string
  stop: () => Promise<void>
}

export function startNode(file: string, env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, [file], { cwd: EXAMPLE, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  return {
    process: child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid) {
        process.kill(child.pid, 'SIGTERM')
        const timer = setTimeout(() => child.pid && child.exitCode === null && process.kill(child.pid, 'SIGKILL'), 5000)
        await exited
        clearTimeout(timer)
      }
    },
  }
}

/** Polls `check` until it returns a truthy value (bounded; never asserts how long it took). */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 60_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await check()
      if (value) return value as NonNullable<T>
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** The text of a PDF (pdfjs-dist), pages joined by newlines. */
export async function pdfText(bytes: Uint8Array): Promise<string> {
  const doc = await getDocument({ data: bytes, useSystemFonts: false }).promise
  const parts: string[] = []
  for (let p = 1; p <= doc.numPages; p++) {
    const content = await (await doc.getPage(p)).getTextContent()
    parts.push(content.items.map((i) => ('str' in i ? i.str : '')).join(' '))
  }
  await doc.destroy()
  return parts.join('\n')
}

/** The repo's charter-handover `checkout` fixture (booking.code BK-12345), as a sign-off body. */
export function checkoutSignOff(): Record<string, unknown> {
  const fixture = JSON.parse(readFileSync(join(REPO, 'templates/charter-handover/fixtures/checkout.json'), 'utf8'))
  return 'data' in fixture ? fixture.data : fixture
}
