import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { generateModule, parseSnapshot, serializeSnapshot, snapshotTemplates, SNAPSHOT_FORMAT, type TemplateInput } from '../src/index.ts'
import { caseNames, readCase, type CaseSettings } from './utils.ts'

const DIST = pathToFileURL(join(import.meta.dirname, '../dist/index.mjs')).href

/** Generates a case in a fresh Node process from the built package (another run, another heap, another clock). */
function generateInChildProcess(templates: TemplateInput[], settings: CaseSettings, reverse: boolean): string {
  const input = JSON.stringify({ templates: reverse ? [...templates].reverse() : templates, options: settings.options ?? {} })
  const script = `import { generateModule } from ${JSON.stringify(DIST)}
    let input = ''
    for await (const chunk of process.stdin) input += chunk
    const { templates, options } = JSON.parse(input)
    process.stdout.write(await generateModule(templates, options))`
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { input, encoding: 'utf8', env: { ...process.env, TZ: reverse ? 'Pacific/Kiritimati' : 'UTC', LANG: reverse ? 'tr_TR.UTF-8' : 'C' } })
}

describe('byte-identical output', () => {
  it.each(caseNames())('%s: across two processes (other time zone and locale) and template order', async (name) => {
    const { templates, settings } = await readCase(name)
    const here = await generateModule(templates, { ...settings.options, cache: false })
    expect(generateInChildProcess(templates, settings, false)).toBe(here)
    expect(generateInChildProcess(templates, settings, true)).toBe(here)
  })

  it.each(caseNames())('%s: from a snapshot of the same templates as published (what --from remote reads)', async (name) => {
    const { templates, settings } = await readCase(name)
    const local = await generateModule(templates, { ...settings.options, cache: false })
    // What GET /v1/templates/:slug returns after a PUT of each source: the manifest, name, description and version.
    const snapshot = parseSnapshot(
      serializeSnapshot({
        format: SNAPSHOT_FORMAT,
        target: 'embedded',
        templates: templates.map((t) => ({ slug: t.slug, name: t.name, description: t.description ?? null, versionNumber: 1, manifest: t.manifest })),
      }),
      'galley.snapshot.json',
    )
    const templatesDir = templates[0]?.sourcePath.split('/').slice(0, -2).join('/') ?? 'templates'
    const remote = snapshotTemplates(snapshot, { templatesDir }).map((t) => ({ ...t, versionNumber: settings.versionNumbers?.[t.slug] ?? null }))
    expect(await generateModule(remote, { ...settings.options, cache: false })).toBe(local)
  })
})
