import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import webpack, { type Stats, type Watching } from 'webpack'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import galleyWebpack from '../src/webpack.ts'
import { BROKEN_YAML, galleyGenerate, makeProject, read, removeProject, waitFor, workOrderTemplate } from './utils.ts'

// webpack's watch mode (compiler.watch) with the plugin's own watcher: a template added, changed and deleted, and
// a YAML error in between. The plugin regenerates the module; webpack's watch of it rebuilds the bundle.
let dir: string
let watching: Watching | undefined
const builds: { errors: string[]; hash: string | undefined }[] = []

beforeAll(async () => {
  dir = makeProject('watch-webpack')
  writeFileSync(join(dir, 'entry.ts'), "import * as generated from './craftkit.gen'\nexport const names = Object.keys(generated)\nexport { generated }\n")
  const compiler = webpack({
    context: dir,
    mode: 'development',
    devtool: false,
    target: 'node',
    entry: './entry.ts',
    output: { path: join(dir, 'dist-watch'), filename: 'bundle.cjs', library: { type: 'commonjs2' } },
    resolve: { extensions: ['.ts', '.mjs', '.js'] },
    module: { rules: [{ test: /\.ts$/, loader: 'esbuild-loader', options: { target: 'node20' } }] },
    infrastructureLogging: { level: 'none' },
    plugins: [galleyWebpack()],
  })
  watching = compiler.watch({ aggregateTimeout: 50 }, (error, stats?: Stats) => {
    builds.push({ errors: error ? [error.message] : (stats?.compilation.errors.map((e) => e.message) ?? []), hash: stats?.hash })
  })
  await waitFor(() => builds.length > 0, 'the first build')
})

afterAll(async () => {
  await new Promise<void>((resolve) => (watching ? watching.close(() => resolve()) : resolve()))
  removeProject(dir)
})

const bundle = () => join(dir, 'dist-watch/bundle.cjs')
const generatedFile = () => join(dir, 'craftkit.gen.ts')
const templateDir = () => join(dir, 'templates/work-order')
const last = () => builds[builds.length - 1]!

describe('webpack watch', () => {
  it('builds with the generated module', () => {
    expect(last().errors).toEqual([])
    expect(read(bundle())).toContain('renderCharterHandover')
    expect(read(bundle())).not.toContain('renderWorkOrder')
  })

  it('rebuilds with a new template', async () => {
    mkdirSync(templateDir(), { recursive: true })
    writeFileSync(join(templateDir(), 'template.yaml'), workOrderTemplate('number'))
    await waitFor(() => existsSync(bundle()) && read(bundle()).includes('renderWorkOrder'), 'renderWorkOrder in the bundle')
    expect(read(generatedFile())).toBe(galleyGenerate(dir, '.expected.gen.ts'))
  })

  it("rebuilds after a variable's type change", async () => {
    const hashLine = (text: string) => /workOrderDescriptor = \{[^}]*manifestHash: ['"]([0-9a-f]+)['"]/.exec(text)?.[1]
    const before = hashLine(read(bundle()))
    expect(before).toBeTruthy()
    writeFileSync(join(templateDir(), 'template.yaml'), workOrderTemplate('text'))
    await waitFor(() => read(generatedFile()).includes('hours?: string'), 'the new type in the generated file')
    await waitFor(() => hashLine(read(bundle())) !== before, 'the new manifest hash in the bundle')
    expect(read(generatedFile())).toBe(galleyGenerate(dir, '.expected.gen.ts'))
  })

  it('reports a YAML error as a compilation error, keeps watching, and recovers on the fix', async () => {
    const buildsBefore = builds.length
    writeFileSync(join(templateDir(), 'template.yaml'), BROKEN_YAML)
    const failed = await waitFor(() => builds.slice(buildsBefore).find((b) => b.errors.some((e) => e.includes('templates/work-order/template.yaml:'))), 'a compilation error')
    expect(failed.errors.join('\n')).toContain('[galley]')

    writeFileSync(join(templateDir(), 'template.yaml'), workOrderTemplate('number'))
    await waitFor(() => builds.length > buildsBefore && last().errors.length === 0 && read(generatedFile()).includes('hours?: number'), 'a clean rebuild after the fix')
    expect(read(bundle())).toContain('renderWorkOrder')
  })

  it('rebuilds without a deleted template', async () => {
    rmSync(templateDir(), { recursive: true, force: true })
    await waitFor(() => !read(bundle()).includes('renderWorkOrder'), 'renderWorkOrder gone from the bundle')
    expect(last().errors).toEqual([])
    expect(read(bundle())).toContain('renderCharterHandover')
    expect(read(generatedFile())).toBe(galleyGenerate(dir, '.expected.gen.ts'))
  })
})
