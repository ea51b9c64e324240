import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as esbuild from 'esbuild'
import { afterAll, describe, expect, it } from 'vitest'
import galleyEsbuild from '../src/esbuild.ts'
import { resolveOptions, type GalleyPluginOptions } from '../src/index.ts'
import { makeProject, removeProject } from './utils.ts'

const cleanup: string[] = []
afterAll(() => {
  for (const dir of cleanup) removeProject(dir)
})

describe('option validation', () => {
  it.each<[string, unknown, string]>([
    ['from', { from: 'remote' }, "@galley/unplugin: option `from` must be 'local' or 'snapshot' (got \"remote\")"],
    ['templates', { templates: 42 }, '@galley/unplugin: option `templates` must be a non-empty path (got 42)'],
    ['output', { output: [{ file: 'x.ts' }] }, '@galley/unplugin: option `output[0]` must be a path or { path, preflight?, clientModule? } (got {"file":"x.ts"})'],
    ['failOnLint', { failOnLint: 'yes' }, '@galley/unplugin: option `failOnLint` must be true or false (got "yes")'],
    ['dev.emulator', { dev: { emulator: 1 } }, '@galley/unplugin: option `dev.emulator` must be true or false (got 1)'],
    ['pinVersions', { pinVersions: true }, "@galley/unplugin: option `pinVersions` needs `from: 'snapshot'`"],
    ['an unknown option', { template: 'x' }, '@galley/unplugin: unknown option `template`'],
  ])('names %s', (_name, options, message) => {
    expect(() => resolveOptions(options)).toThrow(message)
  })

  it('fills the defaults', () => {
    expect(resolveOptions(undefined)).toMatchObject({ failOnLint: true, dev: { emulator: false } })
  })
})

/** An esbuild build of an empty entry: only the plugin's build start runs. */
async function build(dir: string, options?: GalleyPluginOptions): Promise<void> {
  writeFileSync(join(dir, 'empty.ts'), 'export {}\n')
  await esbuild.build({ absWorkingDir: dir, entryPoints: ['empty.ts'], bundle: true, platform: 'node', write: false, logLevel: 'silent', plugins: [galleyEsbuild(options)] })
}

describe('options and the config file', () => {
  it('uses the config file when no option is given, and options override it', async () => {
    const dir = makeProject('options-config')
    cleanup.push(dir)
    writeFileSync(join(dir, 'galley.config.json'), JSON.stringify({ output: 'from-config.gen.ts' }))
    await build(dir)
    expect(existsSync(join(dir, 'from-config.gen.ts'))).toBe(true)
    expect(existsSync(join(dir, 'craftkit.gen.ts'))).toBe(false)

    await build(dir, { output: 'src/override.gen.ts' })
    expect(existsSync(join(dir, 'src/override.gen.ts'))).toBe(true)
  })

  it('needs no config file when the options say where things are', async () => {
    // Outside the repo, so no config file above it can be found.
    const dir = mkdtempSync(join(tmpdir(), 'galley-unplugin-'))
    try {
      const project = makeProject('options-noconfig')
      cleanup.push(project)
      rmSync(join(project, 'galley.config.json'))
      cpSync(join(project, 'templates'), join(dir, 'pdf-templates'), { recursive: true })
      await build(dir, { templates: 'pdf-templates', output: 'lib/craftkit.gen.ts' })
      expect(existsSync(join(dir, 'lib/craftkit.gen.ts'))).toBe(true)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('with failOnLint: false, shows lint errors as warnings and generates anyway', async () => {
    const dir = makeProject('options-failonlint')
    cleanup.push(dir)
    const file = join(dir, 'templates/charter-handover/template.yaml')
    writeFileSync(file, readFileSync(file, 'utf8').replace('\n  areas:\n', '\n  areas.list:\n'))
    await expect(build(dir)).rejects.toThrow(/loop-key-dot/)
    expect(existsSync(join(dir, 'craftkit.gen.ts'))).toBe(false)

    const result = await esbuild.build({ absWorkingDir: dir, entryPoints: ['empty.ts'], bundle: true, write: false, logLevel: 'silent', plugins: [galleyEsbuild({ failOnLint: false })] })
    expect(result.warnings.map((w) => w.text).join('\n')).toContain('loop-key-dot')
    expect(existsSync(join(dir, 'craftkit.gen.ts'))).toBe(true)
  })
})
