import { execFile } from 'node:child_process'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { repoRoot } from './publish-utils.ts'

// DESIGN §7 / issue 8: when nothing changed since the module was written, `galley generate --check`, `galley
// generate` and the plugin's build start (GenerateSession.run) decide from the header's hashes and never load the
// generator (ts-morph, TypeScript, json-schema-to-typescript). Each case runs in its own process with a preload
// that reports which of those were loaded.
const bin = join(import.meta.dirname, '..', 'bin', 'galley.mjs')
const preload = pathToFileURL(join(import.meta.dirname, 'helpers', 'report-loaded-modules.mjs')).href
const engine = pathToFileURL(join(import.meta.dirname, '..', 'dist', 'engine.mjs')).href

interface Run {
  code: number
  stdout: string
  stderr: string
  generatorModules: string[]
}

function node(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', preload, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      const m = /GENERATOR-MODULES (\[.*\])/.exec(stderr)
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr, generatorModules: m ? JSON.parse(m[1]!) : ['(no report)'] })
    })
  })
}

const galley = (dir: string, ...args: string[]) => node([bin, ...args], dir)

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'galley-fast-path-'))
  await cp(join(repoRoot, 'templates'), join(dir, 'templates'), { recursive: true })
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('the fast path of an unchanged project', () => {
  it('galley generate loads the generator to write; then generate and --check load none of it', async () => {
    const first = await galley(dir, 'generate')
    expect(first.code).toBe(0)
    // The detector works: a real generation loads TypeScript.
    expect(first.generatorModules).toContain('typescript')
    expect(first.generatorModules).toContain('json-schema-to-typescript')
    // Its formatter is replaced (codegen's libraries.ts): prettier would start loading a 2 MB bundle for nothing.
    expect(first.generatorModules).not.toContain('prettier')

    const again = await galley(dir, 'generate', '--json')
    expect(again.code).toBe(0)
    expect(JSON.parse(again.stdout).outputs).toEqual([{ file: 'craftkit.gen.ts', status: 'unchanged', fast: true }])
    expect(again.generatorModules).toEqual([])

    const check = await galley(dir, 'generate', '--check')
    expect(check.code).toBe(0)
    expect(check.stdout).toMatch(/^up to date craftkit\.gen\.ts/m)
    expect(check.generatorModules).toEqual([])
  })

  it('the engine a build start runs (GenerateSession: lint and generate) loads none of it', async () => {
    expect((await galley(dir, 'generate')).code).toBe(0)
    const script = `const { GenerateSession } = await import(${JSON.stringify(engine)})
      const session = await GenerateSession.create({ cwd: process.cwd() })
      const run = await session.run()
      console.log(JSON.stringify({ errors: run.errors.length, outputs: run.outputs.map((o) => [o.shown, o.status, o.fast]) }))`
    const run = await node(['--input-type=module', '-e', script], dir)
    expect(run.code, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toEqual({ errors: 0, outputs: [['craftkit.gen.ts', 'unchanged', true]] })
    expect(run.generatorModules).toEqual([])
  })

  it('--check still catches a hand-edited body (and then runs the generator to show the diff)', async () => {
    expect((await galley(dir, 'generate')).code).toBe(0)
    const file = join(dir, 'craftkit.gen.ts')
    const text = await readFile(file, 'utf8')
    await writeFile(file, text.replace('code: string;', 'code: number;'))
    const check = await galley(dir, 'generate', '--check')
    expect(check.code).toBe(1)
    expect(check.stderr).toMatch(/^stale craftkit\.gen\.ts/m)
    expect(check.stderr).toContain('+    code: string;')
    expect(check.generatorModules).toContain('typescript')
  })

  it('a changed template is not taken for up to date', async () => {
    expect((await galley(dir, 'generate')).code).toBe(0)
    const yaml = join(dir, 'templates/invoice/template.yaml')
    await writeFile(yaml, (await readFile(yaml, 'utf8')).replace(/^name: .*$/m, 'name: Invoice (renamed)'))
    const check = await galley(dir, 'generate', '--check')
    expect(check.code).toBe(1)
    expect(check.stderr).toMatch(/^stale craftkit\.gen\.ts/m)
  })
})
