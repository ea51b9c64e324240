import { spawn, spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { createClient } from '@galley/client'
import { loadTemplateSources, toTemplateBody } from '@galley/core'
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs'

export const REPO = resolve(import.meta.dirname, '../../..')
/** Temp projects live inside this package so that `@galley/client` resolves through its node_modules, as in an app. */
export const TMP = join(import.meta.dirname, '.tmp')
export const CLI_BIN = join(REPO, 'packages/cli/bin/galley.mjs')

/** The server entry of every temp project: render the data file's template, wait, print the finished render. */
export const SERVER_ENTRY = `import { readFileSync } from 'node:fs'
import { renderCharterHandover } from './craftkit.gen'

async function main(): Promise<void> {
  const data = JSON.parse(readFileSync(process.argv[2]!, 'utf8'))
  const queued = await renderCharterHandover(data, { idempotencyKey: process.argv[3] })
  const done = await queued.wait()
  process.stdout.write(JSON.stringify({ status: done.status, downloadUrl: done.downloadUrl }) + '\\n')
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
`

/** The `data` of the `checkout` fixture of charter-handover (booking.code BK-12345). */
export function checkoutData(): unknown {
  const fixture = JSON.parse(readFileSync(join(REPO, 'templates/charter-handover/fixtures/checkout.json'), 'utf8'))
  return 'data' in fixture ? fixture.data : fixture
}

/**
 * A fresh project under test/.tmp: a copy of the repo's templates, a `galley.config.json` (so the config search
 * stops here, not at a config above), the server entry and the checkout data.
 */
export function makeProject(name: string): string {
  const dir = join(TMP, `${name}-${process.pid}`)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  cpSync(join(REPO, 'templates'), join(dir, 'templates'), { recursive: true })
  writeFileSync(join(dir, 'galley.config.json'), '{}\n')
  writeFileSync(join(dir, 'server.ts'), SERVER_ENTRY)
  writeFileSync(join(dir, 'data.json'), JSON.stringify(checkoutData()))
  return dir
}

export function removeProject(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}

/** `galley generate --cwd <dir> --out <out>` through the built binary; returns the bytes it wrote. */
export function galleyGenerate(dir: string, out: string): string {
  const result = spawnSync(process.execPath, [CLI_BIN, 'generate', '--cwd', dir, '--out', out], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
  if (result.status !== 0) throw new Error(`galley generate failed (${result.status}): ${result.stderr}${result.stdout}`)
  return readFileSync(resolve(dir, out), 'utf8')
}

/** Makes charter-handover's loop key `areas` into `areas.list` (rule loop-key-dot); returns where lint points. */
export function breakLoopKey(dir: string): { file: string; line: number; column: number; restore: () => void } {
  const file = join(dir, 'templates/charter-handover/template.yaml')
  const original = readFileSync(file, 'utf8')
  const lines = original.split('\n')
  const index = lines.findIndex((l) => l === '  areas:')
  if (index < 0) throw new Error('charter-handover has no `  areas:` line')
  lines[index] = '  areas.list:'
  writeFileSync(file, lines.join('\n'))
  return { file: 'templates/charter-handover/template.yaml', line: index + 1, column: 3, restore: () => writeFileSync(file, original) }
}

/** Publishes every template of `dir` to a Craftkit deployment through the client's templates API. */
export async function publishTemplates(dir: string, baseUrl: string, apiKey: string): Promise<void> {
  const client = createClient({ baseUrl, apiKey })
  const sources = await loadTemplateSources({ root: dir, templatesDir: join(dir, 'templates') })
  for (const source of sources) {
    if (!source.template) throw new Error(`${source.file} does not load`)
    await client.templates.put(source.template.slug, toTemplateBody(source.template))
  }
}

/** Runs a built bundle with node (its own process; killed by pid on timeout) and returns stdout. */
export function runNode(file: string, args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [file, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => {
      if (child.pid) process.kill(child.pid, 'SIGKILL')
      reject(new Error(`${file} did not finish in ${timeoutMs} ms: ${stderr}`))
    }, timeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolvePromise({ code, stdout, stderr })
    })
  })
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

/** Downloads a finished render's PDF from its public URL and returns its text. */
export async function downloadText(downloadUrl: string): Promise<string> {
  const response = await fetch(downloadUrl)
  if (!response.ok) throw new Error(`GET ${downloadUrl}: ${response.status}`)
  return pdfText(new Uint8Array(await response.arrayBuffer()))
}

/** Polls `check` until it returns a truthy value (bounded; never asserts how long it took). */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = Number(process.env.WAIT_MS ?? 60_000)): Promise<NonNullable<T>> {
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

export function read(file: string): string {
  return readFileSync(file, 'utf8')
}

/** A template the watch tests add, change and delete. */
export function workOrderTemplate(hoursType: 'number' | 'text'): string {
  return `slug: work-order
name: Work Order
description: A job card for the yard.
variables:
  order.number: { label: Order number, dataType: text, required: true }
  order.hours:  { label: Hours, dataType: ${hoursType} }
`
}

/** Not YAML: a flow mapping that never closes. */
export const BROKEN_YAML = `slug: work-order
name: Work Order
variables:
  order.number: { label: Order number, dataType: text, required: true
`
