import { spawn, type ChildProcess } from 'node:child_process'
import { cp, mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { generatedTemplate, repoRoot } from './publish-utils.ts'

// `galley generate --watch`, driven as a user runs it: the real binary, real files, chokidar. The process is
// stopped by its own pid (it is node itself, no shell in between) and must exit on SIGTERM.
const bin = join(import.meta.dirname, '..', 'bin', 'galley.mjs')

let dir: string
let child: ChildProcess | undefined
let out = ''
let err = ''

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'galley-watch-'))
  await cp(join(repoRoot, 'templates'), join(dir, 'templates'), { recursive: true })
  out = ''
  err = ''
})
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve))
    process.kill(child.pid!, 'SIGKILL')
    await exited
  }
  child = undefined
  await rm(dir, { recursive: true, force: true })
})

/** Polls until `check` passes (bounded); never asserts a time. */
async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\nstdout:\n${out}\nstderr:\n${err}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

const generated = () => readFile(join(dir, 'craftkit.gen.ts'), 'utf8').catch(() => '')

describe('galley generate --watch', () => {
  it('follows a new template, a changed type and a deleted template, and survives a YAML error', async () => {
    child = spawn(process.execPath, [bin, 'generate', '--watch'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } })
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()))
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()))
    await until('the watcher', () => out.includes('Watching templates'))
    expect(await generated()).toContain('export function renderCharterHandover(')

    // A new template.
    await mkdir(join(dir, 'templates/packing-slip'))
    await writeFile(join(dir, 'templates/packing-slip/template.yaml'), generatedTemplate('packing-slip', 7))
    await until('renderPackingSlip', async () => (await generated()).includes('export function renderPackingSlip('))

    // A variable's type changes: customer.name from text to number.
    const file = join(dir, 'templates/packing-slip/template.yaml')
    await writeFile(file, (await readFile(file, 'utf8')).replace('customer.name: { label: Customer, dataType: text', 'customer.name: { label: Customer, dataType: number'))
    await until('the new type', async () => /export type PackingSlipData = \{[\s\S]*?customer: \{[\s\S]*?name: number;/.test(await generated()))

    // A YAML error: reported with file:line:col, the previous module kept, the process alive.
    const before = await generated()
    await writeFile(file, 'slug: packing-slip\nname: [unclosed\n')
    await until('the error', () => /templates\/packing-slip\/template\.yaml:\d+:\d+/.test(err) && /kept the previous module/.test(err))
    expect(await generated()).toBe(before)
    expect(child.exitCode).toBeNull()

    // Deleting the template drops it.
    await rm(join(dir, 'templates/packing-slip'), { recursive: true })
    await until('the template gone', async () => {
      const text = await generated()
      return text.includes('export function renderInvoice(') && !text.includes('renderPackingSlip')
    })

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)))
    process.kill(child.pid!, 'SIGTERM')
    expect(await exited).toBe(0)
  })
})
