import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as esbuild from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import galleyEsbuild from '../src/esbuild.ts'
import { BROKEN_YAML, makeProject, read, removeProject, waitFor, workOrderTemplate } from './utils.ts'

// esbuild's context.watch(): no watchChange and no watch signal in its plugin API, but the plugin loads the
// generated module with the template files and folder as its watch inputs, so a template edit rebuilds.
let dir: string
let context: esbuild.BuildContext | undefined
const builds: { errors: string[] }[] = []

beforeAll(async () => {
  dir = makeProject('watch-esbuild')
  writeFileSync(join(dir, 'entry.ts'), "export * from './craftkit.gen'\n")
  context = await esbuild.context({
    absWorkingDir: dir,
    entryPoints: ['entry.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile: 'dist-watch/bundle.mjs',
    logLevel: 'silent',
    plugins: [galleyEsbuild(), { name: 'test:record', setup: (build) => build.onEnd((result) => void builds.push({ errors: result.errors.map((e) => e.text) })) }],
  })
  await context.watch()
  await waitFor(() => builds.length > 0, 'the first build')
})

afterAll(async () => {
  await context?.dispose()
  removeProject(dir)
})

const bundle = () => join(dir, 'dist-watch/bundle.mjs')
const templateDir = () => join(dir, 'templates/work-order')

describe('esbuild context.watch()', () => {
  it('rebuilds on a new template, reports a YAML error, recovers, and drops a deleted template', async () => {
    expect(builds[0]!.errors).toEqual([])
    expect(read(bundle())).toContain('renderCharterHandover')

    mkdirSync(templateDir(), { recursive: true })
    writeFileSync(join(templateDir(), 'template.yaml'), workOrderTemplate('number'))
    await waitFor(() => read(bundle()).includes('renderWorkOrder'), 'renderWorkOrder in the bundle')

    writeFileSync(join(templateDir(), 'template.yaml'), BROKEN_YAML)
    await waitFor(() => builds.some((b) => b.errors.some((e) => e.includes('templates/work-order/template.yaml:'))), 'the YAML error as a build error')

    writeFileSync(join(templateDir(), 'template.yaml'), workOrderTemplate('text'))
    await waitFor(() => builds[builds.length - 1]!.errors.length === 0 && read(join(dir, 'craftkit.gen.ts')).includes('hours?: string'), 'a clean rebuild after the fix')

    rmSync(templateDir(), { recursive: true, force: true })
    await waitFor(() => !read(bundle()).includes('renderWorkOrder'), 'renderWorkOrder gone from the bundle')
  })
})
