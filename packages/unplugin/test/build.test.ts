import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startEmulator } from '@galley/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUNDLERS, buildServer } from './bundlers.ts'
import { breakLoopKey, downloadText, galleyGenerate, makeProject, publishTemplates, removeProject, runNode } from './utils.ts'

// Production builds through each bundler's JS API, nothing mocked: the plugin generates the module (the same bytes
// as `galley generate`), the bundle runs in its own node process against a real emulator and renders a PDF, and a
// lint error fails the build with the rule id and file:line:col.
let emulator: Awaited<ReturnType<typeof startEmulator>>
let expected: string
const projects: string[] = []

beforeAll(async () => {
  emulator = await startEmulator({ quiet: true })
  const reference = makeProject('reference')
  projects.push(reference)
  expected = galleyGenerate(reference, 'expected.gen.ts')
  await publishTemplates(reference, emulator.url, emulator.apiKey)
})

afterAll(async () => {
  await emulator?.close()
  for (const dir of projects) removeProject(dir)
})

describe.each(BUNDLERS)('%s', (bundler) => {
  let dir: string
  beforeAll(() => {
    dir = makeProject(`build-${bundler}`)
    projects.push(dir)
  })

  it('generates the module galley generate writes, and the bundle renders the checkout fixture', async () => {
    const bundle = await buildServer[bundler](dir)
    const generated = join(dir, 'craftkit.gen.ts')
    expect(existsSync(generated)).toBe(true)
    expect(readFileSync(generated, 'utf8')).toBe(expected)

    const code = readFileSync(bundle, 'utf8')
    expect(code).toContain('renderCharterHandover')
    expect(code).not.toContain(emulator.apiKey)

    const run = await runNode(bundle, [join(dir, 'data.json'), `unplugin-${bundler}-${process.pid}`], {
      CRAFTKIT_BASE_URL: emulator.url,
      CRAFTKIT_API_KEY: emulator.apiKey,
    })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const done = JSON.parse(run.stdout) as { status: string; downloadUrl: string }
    expect(done.status).toBe('succeeded')
    expect(await downloadText(done.downloadUrl)).toContain('BK-12345')
  })

  it('fails the production build on a lint error, with the rule id and file:line:col, and keeps the old module', async () => {
    const before = readFileSync(join(dir, 'craftkit.gen.ts'), 'utf8')
    const broken = breakLoopKey(dir)
    try {
      const failure = await buildServer[bundler](dir).then(
        () => null,
        (error: unknown) => (error instanceof Error ? `${error.message}\n${JSON.stringify((error as { errors?: unknown }).errors ?? '')}` : String(error)),
      )
      expect(failure, 'the build should fail').not.toBeNull()
      expect(failure).toContain('loop-key-dot')
      expect(failure).toContain(`${broken.file}:${broken.line}:${broken.column}`)
      expect(readFileSync(join(dir, 'craftkit.gen.ts'), 'utf8')).toBe(before)
    } finally {
      broken.restore()
    }
  })
})
