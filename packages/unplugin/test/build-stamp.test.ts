import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GalleyContext } from '../src/core/context.ts'
import { resolveOptions } from '../src/options.ts'
import { buildServer } from './bundlers.ts'
import { breakLoopKey, galleyGenerate, makeProject, removeProject } from './utils.ts'

// The build stamp (@galley/cli/stamp): a production build start whose templates, config and generated file are
// all as the last clean pass left them is answered without the engine. Every other state must reach the engine:
// a hand-edited or deleted module, an edited template, a lint error, no node_modules, a script config. A pass the
// stamp answered returns no parsed sources (it parsed none), which is how these tests tell the two apart.

const projects: string[] = []
afterAll(() => {
  for (const dir of projects) removeProject(dir)
})

function project(name: string, withNodeModules = true): string {
  const dir = makeProject(name)
  projects.push(dir)
  if (withNodeModules) mkdirSync(join(dir, 'node_modules'))
  return dir
}

function context(dir: string, options: object = {}): GalleyContext {
  const ctx = new GalleyContext(resolveOptions(options))
  ctx.setRoot(dir)
  return ctx
}

/** One production build start, as the plugin runs it (a fresh context per build, as a fresh process would have). */
function buildStart(dir: string, options: object = {}) {
  return context(dir, options).generate(undefined, undefined, true)
}

const stamps = (dir: string): string[] => (existsSync(join(dir, 'node_modules/.cache/galley')) ? readdirSync(join(dir, 'node_modules/.cache/galley')) : [])

describe('the build stamp', { timeout: 60_000 }, () => {
  let dir: string
  let expected: string
  beforeAll(() => {
    const reference = project('stamp-reference', false)
    expected = galleyGenerate(reference, 'expected.gen.ts')
    dir = project('stamp')
  })

  it('a first build runs the engine and stamps; the next one with nothing changed is answered by the stamp', async () => {
    const first = await buildStart(dir)
    expect(first.ok).toBe(true)
    expect(first.sources.length).toBe(4)
    expect(readFileSync(join(dir, 'craftkit.gen.ts'), 'utf8')).toBe(expected)
    expect(stamps(dir)).toEqual([expect.stringMatching(/^build-[0-9a-f]{16}\.json$/)])

    const second = await buildStart(dir)
    expect(second.ok).toBe(true)
    expect(second.sources).toEqual([])
    expect(second.watchFiles).toEqual(first.watchFiles)
    expect(second.templatesDir).toBe(first.templatesDir)
    expect(second.warnings).toBe(first.warnings)
    // The guard still knows the generated file without a session.
    const ctx = context(dir)
    await ctx.generate(undefined, undefined, true)
    expect(ctx.outputFiles).toEqual([join(dir, 'craftkit.gen.ts')])
  })

  it('a hand-edited or deleted generated file is not taken on the stamp: the engine writes it again', async () => {
    const file = join(dir, 'craftkit.gen.ts')
    writeFileSync(file, readFileSync(file, 'utf8').replace('booking: {', 'booking: { edited: true;'))
    const edited = await buildStart(dir)
    expect(edited.sources.length).toBe(4)
    expect(readFileSync(file, 'utf8')).toBe(expected)

    rmSync(file)
    const deleted = await buildStart(dir)
    expect(deleted.sources.length).toBe(4)
    expect(readFileSync(file, 'utf8')).toBe(expected)
    expect((await buildStart(dir)).sources).toEqual([])
  })

  it('an edited template, fixture or config reaches the engine', async () => {
    const yaml = join(dir, 'templates/charter-handover/template.yaml')
    const original = readFileSync(yaml, 'utf8')
    writeFileSync(yaml, original.replace('label: Booking code', 'label: Booking reference'))
    const changed = await buildStart(dir)
    expect(changed.sources.length).toBe(4)
    expect(readFileSync(join(dir, 'craftkit.gen.ts'), 'utf8')).toContain('Booking reference')
    writeFileSync(yaml, original)
    expect((await buildStart(dir)).sources.length).toBe(4)
    expect(readFileSync(join(dir, 'craftkit.gen.ts'), 'utf8')).toBe(expected)

    const fixtures = join(dir, 'templates/charter-handover/fixtures')
    writeFileSync(join(fixtures, 'extra.json'), readFileSync(join(fixtures, 'checkout.json')))
    const added = await buildStart(dir)
    expect(added.ok).toBe(true)
    expect(added.sources.length).toBe(4)
    rmSync(join(fixtures, 'extra.json'))
    expect((await buildStart(dir)).sources.length).toBe(4)

    writeFileSync(join(dir, 'galley.config.json'), '{ "output": "craftkit.gen.ts" }\n')
    expect((await buildStart(dir)).sources.length).toBe(4)
    expect((await buildStart(dir)).sources).toEqual([])
  })

  it('a lint error fails every build until it is fixed; the stamp never answers for it', async () => {
    const broken = breakLoopKey(dir)
    try {
      for (let i = 0; i < 2; i++) {
        const result = await buildStart(dir)
        expect(result.ok).toBe(false)
        expect(result.failure).toContain('loop-key-dot')
        expect(result.failure).toContain(`${broken.file}:${broken.line}:${broken.column}`)
      }
    } finally {
      broken.restore()
    }
    // Back to the files of the last clean pass: its stamp holds again.
    const fixed = await buildStart(dir)
    expect(fixed.ok).toBe(true)
    expect(fixed.sources).toEqual([])
  })

  it('other plugin options are another stamp', async () => {
    expect((await buildStart(dir, { failOnLint: false })).sources.length).toBe(4)
    expect((await buildStart(dir, { failOnLint: false })).sources).toEqual([])
    expect((await buildStart(dir)).sources).toEqual([])
  })

  it('no stamp without node_modules, nor for a script config (it may import files the stamp cannot see)', async () => {
    const bare = project('stamp-bare', false)
    expect((await buildStart(bare)).sources.length).toBe(4)
    expect((await buildStart(bare)).sources.length).toBe(4)
    expect(existsSync(join(bare, 'node_modules'))).toBe(false)

    const scripted = project('stamp-script')
    rmSync(join(scripted, 'galley.config.json'))
    writeFileSync(join(scripted, 'galley.config.mjs'), 'export default {}\n')
    expect((await buildStart(scripted)).sources.length).toBe(4)
    expect((await buildStart(scripted)).sources.length).toBe(4)
    expect(stamps(scripted)).toEqual([])
  })

  it('a real vite build on the stamp gives the same bundle, and restores a deleted module', async () => {
    const site = project('stamp-vite')
    const first = readFileSync(await buildServer.vite(site), 'utf8')
    expect(stamps(site)).toHaveLength(1)
    const second = readFileSync(await buildServer.vite(site), 'utf8')
    expect(second).toBe(first)
    renameSync(join(site, 'craftkit.gen.ts'), join(site, 'moved.ts'))
    const third = readFileSync(await buildServer.vite(site), 'utf8')
    expect(third).toBe(first)
    expect(readFileSync(join(site, 'craftkit.gen.ts'), 'utf8')).toBe(expected)
  })
})
