import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient } from '@galley/client'
import { loadTemplateSources, toTemplateBody } from '@galley/core'
import { startEmulator } from '@galley/emulator'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { galley as runGalley, repoRoot, type RunResult } from './publish-utils.ts'

// The built `galley` binary against temp copies of a project, as a user runs it (STYLE §9).
const REPO_TEMPLATES = join(repoRoot, 'templates')

const galley = (cwd: string, args: string[], env: Record<string, string | undefined> = {}): Promise<RunResult> => runGalley(args, { cwd, env })

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'galley-generate-'))
  await cp(REPO_TEMPLATES, join(dir, 'templates'), { recursive: true })
  await writeFile(join(dir, 'galley.config.json'), JSON.stringify({ templates: 'templates', output: ['src/craftkit.gen.ts', { path: 'server/craftkit.gen.ts', preflight: true }] }))
})

describe('galley generate', () => {
  it('writes every configured output, then reports them unchanged without rewriting', async () => {
    const first = await galley(dir, ['generate'])
    expect(first).toMatchObject({ code: 0 })
    expect(first.stdout).toMatch(/^wrote src\/craftkit\.gen\.ts \(\d+ templates? from local\)$/m)
    expect(first.stdout).toMatch(/^wrote server\/craftkit\.gen\.ts/m)
    const client = await readFile(join(dir, 'src/craftkit.gen.ts'), 'utf8')
    expect(client).toContain('export function renderCharterHandover(data: CharterHandoverData')
    expect(client).not.toContain('manifest: {')
    expect(await readFile(join(dir, 'server/craftkit.gen.ts'), 'utf8')).toContain('  manifest: {\n')
    const before = await stat(join(dir, 'src/craftkit.gen.ts'))

    const second = await galley(dir, ['generate'])
    expect(second.code).toBe(0)
    expect(second.stdout).toMatch(/^unchanged src\/craftkit\.gen\.ts/m)
    expect((await stat(join(dir, 'src/craftkit.gen.ts'))).mtimeMs).toBe(before.mtimeMs)
    expect(await readFile(join(dir, 'src/craftkit.gen.ts'), 'utf8')).toBe(client)
  })

  it('--check exits 0 when up to date, and 1 naming the changed template with a short diff, writing nothing', async () => {
    await galley(dir, ['generate'])
    expect(await galley(dir, ['generate', '--check'])).toMatchObject({ code: 0 })
    const before = await readFile(join(dir, 'src/craftkit.gen.ts'), 'utf8')

    const source = join(dir, 'templates/charter-handover/template.yaml')
    await writeFile(source, (await readFile(source, 'utf8')).replace('variables:\n', 'variables:\n  booking.port: { label: Port, dataType: text, required: true }\n'))
    const stale = await galley(dir, ['generate', '--check'])
    expect(stale.code).toBe(1)
    expect(stale.stderr).toContain('stale src/craftkit.gen.ts: manifest changed: charter-handover')
    expect(stale.stderr).toMatch(/^\+ {4}port: string;$/m)
    expect(stale.stderr).toContain('hint: run `galley generate`')
    expect(await readFile(join(dir, 'src/craftkit.gen.ts'), 'utf8')).toBe(before)

    const json = await galley(dir, ['generate', '--check', '--json'])
    expect(json.code).toBe(1)
    const report = JSON.parse(json.stdout)
    expect(report).toMatchObject({ from: 'local', ok: false, outputs: [{ file: 'src/craftkit.gen.ts', status: 'stale' }, { file: 'server/craftkit.gen.ts', status: 'stale' }] })
    expect(report.outputs[0].summary).toBe('manifest changed: charter-handover')
  })

  it('--check on a missing file exits 1', async () => {
    const r = await galley(dir, ['generate', '--check', '--out', 'nowhere.gen.ts'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('missing nowhere.gen.ts')
  })

  it('stops on a source error with file:line:col, leaving every previous file intact', async () => {
    await galley(dir, ['generate'])
    const before = await readFile(join(dir, 'src/craftkit.gen.ts'), 'utf8')
    const source = join(dir, 'templates/charter-handover/template.yaml')
    await writeFile(source, (await readFile(source, 'utf8')).replace('dataType: date', 'dataType: dat'))
    const r = await galley(dir, ['generate'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/templates\/charter-handover\/template\.yaml:\d+:\d+/)
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(await readFile(join(dir, 'src/craftkit.gen.ts'), 'utf8')).toBe(before)
  })

  it('--out writes one file; --pin-versions on local sources is refused with the fix', async () => {
    expect(await galley(dir, ['generate', '--out', 'one.gen.ts'])).toMatchObject({ code: 0 })
    expect(await readFile(join(dir, 'one.gen.ts'), 'utf8')).toContain('renderCharterHandover')
    const pin = await galley(dir, ['generate', '--pin-versions'])
    expect(pin.code).toBe(1)
    expect(pin.stderr).toContain('--pin-versions needs published versions')
  })
})

describe('galley generate --from remote and --from snapshot', () => {
  let emulator: Awaited<ReturnType<typeof startEmulator>>
  beforeAll(async () => {
    emulator = await startEmulator({ quiet: true })
  })
  afterAll(async () => {
    await emulator?.close()
  })

  it('gives the bytes of --from local for the same published templates, writes a snapshot, and repeats offline', async () => {
    const env = { CRAFTKIT_BASE_URL: emulator.url, CRAFTKIT_API_KEY: emulator.apiKey }
    // Publish the sources with the client (PUT of each source's body), as `galley publish` would.
    const client = createClient({ baseUrl: emulator.url, apiKey: emulator.apiKey })
    for (const source of await loadTemplateSources({ root: dir, templatesDir: 'templates' })) {
      await client.templates.put(source.slug, toTemplateBody(source.template!))
    }

    expect(await galley(dir, ['generate', '--out', 'local.gen.ts'])).toMatchObject({ code: 0 })
    const remote = await galley(dir, ['generate', '--from', 'remote', '--out', 'remote.gen.ts'], env)
    expect(remote.code).toBe(0)
    expect(remote.stdout).toContain('wrote galley.snapshot.json')
    const local = await readFile(join(dir, 'local.gen.ts'), 'utf8')
    expect(await readFile(join(dir, 'remote.gen.ts'), 'utf8')).toBe(local)

    // Offline: a base URL where nothing listens; the snapshot is all it needs.
    const offline = await galley(dir, ['generate', '--from', 'snapshot', '--out', 'snapshot.gen.ts'], { CRAFTKIT_BASE_URL: 'http://127.0.0.1:9', CRAFTKIT_API_KEY: 'ck_test_x' })
    expect(offline.code).toBe(0)
    expect(await readFile(join(dir, 'snapshot.gen.ts'), 'utf8')).toBe(local)

    const pinned = await galley(dir, ['generate', '--from', 'snapshot', '--pin-versions', '--out', 'pinned.gen.ts'])
    expect(pinned.code).toBe(0)
    expect(await readFile(join(dir, 'pinned.gen.ts'), 'utf8')).toMatch(/^ {2}versionNumber: 1,$/m)

    const snapshot = JSON.parse(await readFile(join(dir, 'galley.snapshot.json'), 'utf8'))
    expect(JSON.stringify(snapshot)).not.toContain(emulator.apiKey)
    expect(JSON.stringify(snapshot)).not.toContain(emulator.url)
  })

  it('--from snapshot without a snapshot says how to make one', async () => {
    const r = await galley(dir, ['generate', '--from', 'snapshot'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('There is no snapshot at galley.snapshot.json')
    expect(r.stderr).toContain('galley generate --from remote')
  })
})

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})
