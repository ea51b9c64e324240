import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { canonicalManifest, loadTemplateSources, type Manifest } from '@galley/core'
import { startEmulator, type RunningEmulator } from '@galley/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clientFor, galley, tempProject, testKey, versions } from './publish-utils.ts'

// `galley rollback <slug> --to <ref>`: the built binary, a real git repository, a real emulator.
// Each key is its own emulator project, so the two tests do not see each other's templates.
const KEYS = { rollback: testKey('rollback'), errors: testKey('errors') }
let emulator: RunningEmulator
let dataDir: string
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'galley-rollback-emu-'))
  emulator = await startEmulator({ port: 0, dataDir, quiet: true, apiKeys: Object.values(KEYS) })
})
afterAll(async () => {
  await emulator.close()
  rmSync(dataDir, { recursive: true, force: true })
})

const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd, encoding: 'utf8' })

describe('galley rollback', () => {
  it('publishes the source as it was at a ref: one new version equal to the old source; --dry-run writes nothing', async () => {
    const project = tempProject()
    try {
      const key = KEYS.rollback
      const env = { CRAFTKIT_BASE_URL: emulator.url, CRAFTKIT_API_KEY: key }
      const client = clientFor(emulator.url, key)
      const run = (...args: string[]) => galley(args, { cwd: project.root, env })
      git(project.root, 'init', '-q')
      git(project.root, 'add', '.')
      git(project.root, 'commit', '-qm', 'templates')
      expect((await run('publish')).code).toBe(0)
      const [old] = await loadTemplateSources({ root: project.root, templatesDir: 'templates', only: ['invoice'] })

      const file = join(project.root, 'templates/invoice/template.yaml')
      writeFileSync(file, readFileSync(file, 'utf8').replace('variables:\n', 'variables:\n  po.number: { label: PO number, dataType: text }\n'))
      git(project.root, 'commit', '-qam', 'invoice: a PO number')
      expect((await run('publish')).code).toBe(0)
      expect((await versions(client, ['invoice'])).invoice).toBe(2)

      const dry = await run('rollback', 'invoice', '--to', 'HEAD~1', '--dry-run')
      expect(dry.code, dry.stderr).toBe(0)
      expect(dry.stdout).toMatch(/update\s+invoice\s+v2/)
      expect(dry.stdout).toContain('Dry run: nothing was published')
      expect((await versions(client, ['invoice'])).invoice).toBe(2)

      // Removing po.number again breaks callers of v2: refused like a breaking publish.
      const refused = await run('rollback', 'invoice', '--to', 'HEAD~1')
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain('Refusing to roll back invoice')
      expect(refused.stderr).toContain('po.number')
      expect((await versions(client, ['invoice'])).invoice).toBe(2)

      const done = await run('rollback', 'invoice', '--to', 'HEAD~1', '--allow-breaking')
      expect(done.code, done.stderr).toBe(0)
      const commit = git(project.root, 'rev-parse', 'HEAD~1').trim().slice(0, 12)
      expect(done.stdout).toContain(`Rolled back invoice on CRAFTKIT_BASE_URL to its source at HEAD~1 (${commit}): v3 (was v2).`)
      const remote = await client.templates.get('invoice')
      expect(remote.currentVersionNumber).toBe(3)
      expect(canonicalManifest(remote.manifest as Manifest)).toEqual(canonicalManifest(old!.template!.manifest))

      // Again: the remote already equals that source, so nothing is written.
      const again = await run('rollback', 'invoice', '--to', 'HEAD~1')
      expect(again.code).toBe(0)
      expect(again.stdout).toContain('nothing to roll back')
      expect((await versions(client, ['invoice'])).invoice).toBe(3)
    } finally {
      project.cleanup()
    }
  })

  it('refuses an unknown ref, a template missing at the ref, and a folder outside git, publishing nothing', async () => {
    const project = tempProject()
    try {
      const key = KEYS.errors
      const env = { CRAFTKIT_BASE_URL: emulator.url, CRAFTKIT_API_KEY: key }
      const run = (...args: string[]) => galley(args, { cwd: project.root, env })
      const outside = await run('rollback', 'invoice', '--to', 'HEAD')
      expect(outside.code).toBe(1)
      expect(outside.stderr).toContain('is not inside a git repository')

      git(project.root, 'init', '-q')
      git(project.root, 'add', '.')
      git(project.root, 'commit', '-qm', 'templates')
      const unknown = await run('rollback', 'invoice', '--to', 'no-such-ref')
      expect(unknown.code).toBe(1)
      expect(unknown.stderr).toContain('"no-such-ref" is not a commit in this repository.')
      const missing = await run('rollback', 'packing-slip', '--to', 'HEAD')
      expect(missing.code).toBe(1)
      expect(missing.stderr).toContain('templates/packing-slip/template.yaml does not exist at HEAD')
      expect(await clientFor(emulator.url, key).templates.list()).toEqual([])
    } finally {
      project.cleanup()
    }
  })
})
