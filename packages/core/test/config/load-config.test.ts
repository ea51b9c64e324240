import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { defineConfig, findConfigFile, GalleyError, loadConfig } from '../../src/index.ts'
import { tempProject } from '../utils.ts'

async function configError(cwd: string, configPath?: string): Promise<GalleyError> {
  try {
    await loadConfig(configPath ? { cwd, configPath } : { cwd })
  } catch (error) {
    if (error instanceof GalleyError) return error
    throw error
  }
  throw new Error('expected a GalleyError')
}

describe('loadConfig', () => {
  it('uses the defaults with root = cwd when there is no config', async () => {
    const cwd = tempProject({ '.git/HEAD': '' })
    expect(await loadConfig({ cwd })).toEqual({ root: cwd, templates: join(cwd, 'templates'), output: 'craftkit.gen.ts', environments: {}, lint: { rules: {} }, impact: { projects: [] } })
  })

  it('resolves impact.projects against the config file\'s folder', async () => {
    const root = tempProject({ 'galley.config.json': '{ "impact": { "projects": ["apps/api/tsconfig.json", "../web/tsconfig.json"] } }', 'sub/.keep': '' })
    const config = await loadConfig({ cwd: join(root, 'sub') })
    expect(config.impact.projects).toEqual([join(root, 'apps/api/tsconfig.json'), join(root, '../web/tsconfig.json')])
  })

  it.each([
    ['galley.config.ts', "import { defineConfig } from '@galley/core'\nconst dir: string = 'tpl'\nexport default defineConfig({ templates: dir, lint: { rules: { 'unused-variable': 'off' } } })\n"],
    ['galley.config.mjs', "export default { templates: 'tpl', lint: { rules: { 'unused-variable': 'off' } } }\n"],
    ['galley.config.json', '{ "templates": "tpl", "lint": { "rules": { "unused-variable": "off" } } }\n'],
  ])('loads %s and resolves paths against its folder', async (name, text) => {
    const root = tempProject({ [name]: text, 'sub/dir/.keep': '' })
    const config = await loadConfig({ cwd: join(root, 'sub/dir') })
    expect(config).toMatchObject({ root, configFile: join(root, name), templates: join(root, 'tpl'), lint: { rules: { 'unused-variable': 'off' } } })
  })

  it('stops searching at a folder with .git', () => {
    const outer = tempProject({ 'galley.config.json': '{}', 'repo/.git/HEAD': '', 'repo/pkg/.keep': '' })
    expect(findConfigFile(join(outer, 'repo/pkg'))).toBeUndefined()
    expect(findConfigFile(outer)).toBe(join(outer, 'galley.config.json'))
  })

  it('prefers .ts over .json in one folder, and --config over the search', async () => {
    const root = tempProject({ 'galley.config.ts': "export default { templates: 'a' }", 'galley.config.json': '{ "templates": "b" }', 'other.json': '{ "templates": "c" }' })
    expect((await loadConfig({ cwd: root })).templates).toBe(join(root, 'a'))
    expect((await loadConfig({ cwd: root, configPath: 'other.json' })).templates).toBe(join(root, 'c'))
  })

  it('keeps output and environments as written', async () => {
    const root = tempProject({
      'galley.config.json': JSON.stringify({ output: ['a.ts', { path: 'b.ts', preflight: true }], environments: { production: { baseUrl: 'https://api.craftkit.dev', apiKeyEnv: 'CRAFTKIT_API_KEY' } } }),
    })
    const config = await loadConfig({ cwd: root })
    expect(config.output).toEqual(['a.ts', { path: 'b.ts', preflight: true }])
    expect(config.environments).toEqual({ production: { baseUrl: 'https://api.craftkit.dev', apiKeyEnv: 'CRAFTKIT_API_KEY' } })
  })

  it('defineConfig returns its argument', () => {
    const c = { templates: 'x' }
    expect(defineConfig(c)).toBe(c)
  })

  // Each bad option becomes a diagnostic that names its path, at its line in the file.
  it.each([
    ['{\n  "templatse": "x"\n}', 'templatse: unknown option', 2, 'Did you mean "templates"?'],
    ['{\n  "lint": { "rules": { "loop-key-dots": "off" } }\n}', 'lint.rules.loop-key-dots: there is no lint rule', 2, 'Did you mean "loop-key-dot"?'],
    ['{\n  "lint": { "rules": { "loop-key-dot": "warn" } }\n}', 'lint.rules.loop-key-dot: Invalid option', 2, undefined],
    ['{\n  "environments": {\n    "prod": { "baseUrl": "ftp://x", "apiKeyEnv": "KEY" }\n  }\n}', 'environments.prod.baseUrl: Expected an http(s) URL', 3, undefined],
    ['{\n  "environments": {\n    "prod": { "baseUrl": "https://x.dev", "apiKeyEnv": "ck_live_abc" }\n  }\n}', 'environments.prod.apiKeyEnv: This looks like an API key', 3, undefined],
    ['{\n  "output": 3\n}', 'output: ', 2, undefined],
  ])('reports %j', async (json, message, line, hint) => {
    const root = tempProject({ 'galley.config.json': json })
    const error = await configError(root)
    expect(error.code).toBe('config-invalid')
    expect(error.diagnostics).toHaveLength(1)
    const [d] = error.diagnostics
    expect(d).toMatchObject({ code: 'config', severity: 'error', file: 'galley.config.json', line })
    expect(d!.message).toContain(message)
    if (hint) expect(d!.hint).toContain(hint)
    expect(JSON.stringify(error.diagnostics)).not.toContain('ck_live_abc')
  })

  it('points at the option in a TypeScript config', async () => {
    const root = tempProject({ 'galley.config.ts': "export default {\n  templates: 'x',\n  lint: {\n    rules: { nope: 'off' },\n  },\n}\n" })
    const error = await configError(root)
    expect(error.diagnostics).toMatchObject([{ file: 'galley.config.ts', line: 4, column: 14 }])
  })

  it('reports a config that does not load, without a stack trace', async () => {
    const root = tempProject({ 'galley.config.ts': 'export default {\n  templates: \n' })
    const error = await configError(root)
    expect(error.message).toMatch(/^galley\.config\.ts could not be loaded/)
    expect(error.format()).not.toMatch(/\n\s+at /)
  })

  it('reports bad JSON at its position', async () => {
    const error = await configError(tempProject({ 'galley.config.json': '{\n  "templates": "x",\n}' }))
    expect(error.diagnostics).toMatchObject([{ code: 'config', line: 3, column: 1 }])
  })

  it('reports a missing --config file', async () => {
    const root = tempProject({})
    mkdirSync(join(root, 'x'), { recursive: true })
    const error = await configError(root, 'nope.ts')
    expect(error.code).toBe('config-not-found')
  })
})
