import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { galley } from './publish-utils.ts'

// `galley init` as a newcomer runs it, in an empty folder and in an existing project, then the commands it
// points at, against the embedded emulator. stdin is not a terminal here, so it must ask nothing.
let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'galley-init-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('galley init', () => {
  it('scaffolds an empty folder; lint, publish, generate and render --all then succeed', async () => {
    const init = await galley(['init'], { cwd: dir })
    expect(init.code, init.stderr).toBe(0)
    expect(init.stdout).toContain('created galley.config.ts')
    expect(init.stdout).toContain('created templates/site-inspection/template.yaml')
    expect(init.stdout).toContain('created templates/site-inspection/fixtures/sample.json')
    // It ends with the next three commands.
    expect(init.stdout.trimEnd().split('\n').slice(-4, -1).map((l) => l.trim().split('  ')[0])).toEqual(['galley lint && galley publish', 'galley generate', 'galley render --all'])
    const yaml = await readFile(join(dir, 'templates/site-inspection/template.yaml'), 'utf8')
    expect(yaml.split('\n')[0]).toBe('# yaml-language-server: $schema=../../node_modules/@galley/core/template.schema.json')
    expect(yaml).toMatch(/dataType: image/)
    expect(yaml).toMatch(/^loops:/m)
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toMatch(/^\.galley\/emulator\/\nout\/\n$/m)

    for (const args of [['lint'], ['publish'], ['generate'], ['render', '--all']]) {
      const r = await galley(args, { cwd: dir })
      expect(r.code, `galley ${args.join(' ')}: ${r.stderr}`).toBe(0)
    }
    expect(await readFile(join(dir, 'craftkit.gen.ts'), 'utf8')).toContain('export function renderSiteInspection(data: SiteInspectionData')
    expect((await readFile(join(dir, 'out/site-inspection/sample.pdf'))).subarray(0, 5).toString()).toBe('%PDF-')
  })

  it('adds its scripts and .gitignore lines to an existing project, keeping what is there', async () => {
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'app', scripts: { build: 'tsc', 'templates:dev': 'mine' } }, null, 4))
    await writeFile(join(dir, '.gitignore'), 'node_modules\nout/')
    const init = await galley(['init', '--yes', '--slug', 'work-order'], { cwd: dir })
    expect(init.code, init.stderr).toBe(0)
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'))
    expect(pkg.scripts).toEqual({ build: 'tsc', 'templates:dev': 'mine', 'templates:lint': 'galley lint', 'templates:generate': 'galley generate' })
    expect(await readFile(join(dir, 'package.json'), 'utf8')).toMatch(/^\{\n {4}"name"/)
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toBe('node_modules\nout/\n\n# Galley: the local emulator\'s data (its key included) and rendered PDFs\n.galley/emulator/\n')
  })

  it('never overwrites: it names the files that exist, changes nothing and exits 1', async () => {
    expect((await galley(['init'], { cwd: dir })).code).toBe(0)
    await writeFile(join(dir, 'templates/site-inspection/template.yaml'), 'mine\n')
    const before = await readFile(join(dir, '.gitignore'), 'utf8')
    const again = await galley(['init'], { cwd: dir })
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('galley.config.ts, templates/site-inspection/template.yaml, templates/site-inspection/fixtures/sample.json already exist')
    expect(await readFile(join(dir, 'templates/site-inspection/template.yaml'), 'utf8')).toBe('mine\n')
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toBe(before)
  })

  it('refuses a bad slug and writes nothing', async () => {
    const r = await galley(['init', '--slug', 'Bad_Slug'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('"Bad_Slug" is not a template slug')
    expect(await readFile(join(dir, 'galley.config.ts'), 'utf8').catch(() => null)).toBeNull()
  })
})
