import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

// `galley lint` as a user runs it: the built binary, spawned in a temporary copy of a fixture project (with a
// .git folder so the config search stops there). Build first: `turbo run build --filter=@galley/cli...`.
const REPO = join(import.meta.dirname, '../../..')
const BIN = join(REPO, 'packages/cli/bin/galley.mjs')
const FIXTURES = join(import.meta.dirname, 'fixtures/lint')
const temp: string[] = []
afterAll(() => temp.forEach((d) => rmSync(d, { recursive: true, force: true })))

function project(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `galley-lint-${name}-`))
  temp.push(dir)
  cpSync(join(FIXTURES, name), dir, { recursive: true })
  mkdirSync(join(dir, '.git'))
  return dir
}

function galley(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...options.env }
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: options.cwd ?? REPO, env, encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+:\d+\)?/)

describe('galley lint', () => {
  it('reports the repo templates clean: exit 0', () => {
    const r = galley(['lint'])
    expect(r).toEqual({ code: 0, stdout: '4 templates, 8 fixtures: no problems\n', stderr: '' })
  })

  it('exits 1 on errors, and prints code frames and a summary (NO_COLOR snapshot)', async () => {
    const dir = project('broken')
    const r = galley(['lint', '--cwd', dir])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('')
    expect(r.stdout).not.toContain('\u001b[')
    await expect(r.stdout).toMatchFileSnapshot('fixtures/lint/broken.pretty.txt')
  })

  it('--max-warnings: exit 1 past the threshold, saying so; at or under it, 0', () => {
    const over = galley(['lint', '--max-warnings', '0'], { cwd: project('warnings-only') })
    expect(over.code).toBe(1)
    expect(over.stderr).toContain('1 warning found; --max-warnings allows 0.')
    const at = galley(['lint', '--max-warnings', '1'], { cwd: project('warnings-only') })
    expect(at.code).toBe(0)
    expect(at.stderr).not.toContain('--max-warnings')
    const bad = galley(['lint', '--max-warnings', 'many'], { cwd: project('warnings-only') })
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('--max-warnings must be a whole number')
  })

  it('exits 0 with warnings only', () => {
    const r = galley(['lint'], { cwd: project('warnings-only') })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('warning[fixture-stripped-key]')
    expect(r.stdout).toMatch(/1 template, 1 fixture: 0 errors, 1 warning\n$/)
  })

  it('--format json prints one parseable document', () => {
    const r = galley(['lint', '--cwd', project('broken'), '--format', 'json'])
    expect(r.code).toBe(1)
    const doc = JSON.parse(r.stdout)
    expect(doc.summary).toEqual({ templates: 2, fixtures: 1, errors: 1, warnings: 2 })
    expect(doc.diagnostics.map((d: { code: string; file: string; line: number; column: number }) => `${d.code} ${d.file}:${d.line}:${d.column}`)).toEqual([
      'fixture-stripped-key templates/handover/fixtures/checkout.json:1:37',
      'loop-key-dot templates/handover/template.yaml:6:3',
      'unused-variable templates/letter/template.yaml:5:3',
    ])
  })

  it('--format sarif prints a SARIF 2.1.0 log', () => {
    const r = galley(['lint', '--cwd', project('broken'), '--format', 'sarif'])
    expect(r.code).toBe(1)
    const log = JSON.parse(r.stdout)
    expect(log.version).toBe('2.1.0')
    const run = log.runs[0]
    expect(run.tool.driver.name).toBe('galley')
    expect(run.tool.driver.rules.map((x: { id: string }) => x.id)).toContain('loop-key-dot')
    expect(run.results).toHaveLength(3)
    expect(run.results[1]).toMatchObject({
      ruleId: 'loop-key-dot',
      level: 'error',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'templates/handover/template.yaml' }, region: { startLine: 6, startColumn: 3 } } }],
    })
  })

  it('adds GitHub annotations under GITHUB_ACTIONS=true, with paths from the workspace', () => {
    const dir = project('broken')
    const r = galley(['lint', '--cwd', dir], { env: { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: join(dir, '..') } })
    expect(r.code).toBe(1)
    const prefix = dir.split('/').pop()
    const annotations = r.stdout.split('\n').filter((l) => l.startsWith('::'))
    expect(annotations).toHaveLength(3)
    expect(annotations[1]).toMatch(new RegExp(`^::error file=${prefix}/templates/handover/template.yaml,line=6,col=3,endLine=6,endColumn=17,title=loop-key-dot::Loop key "handover.areas" contains a dot`))
    expect(annotations[0]).toMatch(/^::warning file=.*checkout\.json,line=1,col=37,.*title=fixture-stripped-key::/)
    expect(r.stdout).toContain('error[loop-key-dot]')
  })

  it('--format github prints only annotations and the summary', () => {
    const r = galley(['lint', '--cwd', project('broken'), '--format', 'github'])
    expect(r.stdout.split('\n').filter(Boolean).map((l) => l.slice(0, 9))).toEqual(['::warning', '::error f', '::warning', '2 templat'])
  })

  it('lints only the given paths', () => {
    const dir = project('broken')
    const r = galley(['lint', 'templates/letter', '--format', 'json'], { cwd: dir })
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).summary).toEqual({ templates: 1, fixtures: 0, errors: 0, warnings: 1 })
    expect(galley(['lint', 'templates/handover/fixtures/checkout.json'], { cwd: dir }).code).toBe(1)
  })

  it('lints a template folder outside the configured templates folder', () => {
    const r = galley(['lint', join(REPO, 'packages/core/test/fixtures/lint/loop-key-dot/templates/handover'), '--format', 'json'], { cwd: project('warnings-only') })
    expect(r.code).toBe(1)
    expect(JSON.parse(r.stdout).diagnostics.map((d: { code: string }) => d.code)).toEqual(['loop-key-dot'])
  })

  it('reports a bad config with the option path, as pretty and as json, without a stack trace', () => {
    const dir = project('bad-config')
    const pretty = galley(['lint', '--cwd', dir])
    expect(pretty.code).toBe(1)
    expect(pretty.stdout).toContain('error[config] lint.rules.loop-key-dots: there is no lint rule "loop-key-dots"')
    expect(pretty.stdout).toContain('--> galley.config.json:2:24')
    expect(pretty.stdout).toContain('Did you mean "loop-key-dot"?')
    noStack(pretty.stdout + pretty.stderr)
    const json = galley(['lint', '--cwd', dir, '--format', 'json'])
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout).diagnostics[0]).toMatchObject({ code: 'config', file: 'galley.config.json', line: 2 })
  })

  it('fails cleanly on a missing path, a missing --config and an unknown --format', () => {
    for (const args of [['lint', 'nope'], ['lint', '--config', 'nope.json'], ['lint', '--format', 'xml']]) {
      const r = galley(args)
      expect(r.code, args.join(' ')).toBe(1)
      expect(r.stdout + r.stderr).toMatch(/nope|xml/)
      noStack(r.stdout + r.stderr)
    }
  })

  it('never crashes on the broken-template corpus of @galley/core', () => {
    const r = galley(['lint', join(REPO, 'packages/core/test/fixtures/lint/non-mapping-root/templates'), join(REPO, 'packages/core/test/fixtures/lint/malformed-yaml/templates'), join(REPO, 'packages/core/test/fixtures/lint/proto-keys/templates')])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('')
    noStack(r.stdout)
    expect(r.stdout).toMatch(/5 templates, 1 fixture: \d+ errors/)
  })

  it('refuses a 10 MB template.yaml with a clear diagnostic, no frame and no stack trace', () => {
    const dir = project('warnings-only')
    mkdirSync(join(dir, 'templates/huge'))
    writeFileSync(join(dir, 'templates/huge/template.yaml'), `slug: huge\nname: Huge\n${'# padding\n'.repeat(1_050_000)}`)
    const r = galley(['lint', '--cwd', dir])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('')
    expect(r.stdout).toContain('error[source-too-large] The template file is 10.0 MB, over Galley\'s 1.0 MB limit')
    expect(r.stdout).toContain('--> templates/huge/template.yaml:1:1')
    expect(r.stdout).not.toContain('1 | slug: huge')
    noStack(r.stdout)
  })

  it('fails when the templates folder does not exist (a wrong cwd or a typo), and passes on an empty one', () => {
    const dir = project('warnings-only')
    writeFileSync(join(dir, 'galley.config.json'), '{ "templates": "tempaltes" }')
    const r = galley(['lint', '--cwd', dir])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('error[templates-missing] The templates folder tempaltes does not exist')
    mkdirSync(join(dir, 'tempaltes'))
    const empty = galley(['lint', '--cwd', dir])
    expect(empty).toMatchObject({ code: 0, stdout: 'No templates found in tempaltes (each template is <folder>/template.yaml).\n0 templates, 0 fixtures: no problems\n' })
  })
})
