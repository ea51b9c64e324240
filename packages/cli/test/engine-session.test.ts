import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { GenerateSession } from '../src/engine/session.ts'
import { generatedTemplate, repoRoot, writeTemplate } from './publish-utils.ts'

// The engine's one pass (load, lint, generate, write), in process: what a watcher's run with `changed` reads
// again, and that it gives the same module as a full read.
let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'galley-session-'))
  await cp(join(repoRoot, 'templates'), join(dir, 'templates'), { recursive: true })
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('GenerateSession.run({ changed })', () => {
  it('reads again only the changed folders and new ones, drops deleted ones, and writes what a full read writes', async () => {
    const session = await GenerateSession.create({ cwd: dir })
    const first = await session.run()
    expect(first.errors).toEqual([])
    const before = new Map(first.project.sources.map((s) => [s.slug, s]))

    const invoice = join(dir, 'templates/invoice/template.yaml')
    await writeFile(invoice, (await readFile(invoice, 'utf8')).replace(/^name: .*$/m, 'name: Invoice (changed)'))
    writeTemplate(dir, 'packing-slip', generatedTemplate('packing-slip', 3))
    await rm(join(dir, 'templates/delivery-note'), { recursive: true })

    const run = await session.run({ changed: ['invoice', 'delivery-note'] })
    const after = new Map(run.project.sources.map((s) => [s.slug, s]))
    expect([...after.keys()]).toEqual(['charter-handover', 'inspection-report', 'invoice', 'packing-slip'])
    // Unchanged folders keep their source objects; the changed one is read again.
    expect(after.get('charter-handover')).toBe(before.get('charter-handover'))
    expect(after.get('invoice')).not.toBe(before.get('invoice'))
    expect(after.get('invoice')!.template!.name).toBe('Invoice (changed)')
    const module = await readFile(join(dir, 'craftkit.gen.ts'), 'utf8')
    expect(module).toContain('renderPackingSlip')
    expect(module).not.toContain('renderDeliveryNote')

    // A full read of the same files gives the same bytes.
    const fresh = await GenerateSession.create({ cwd: dir })
    const full = await fresh.run({ check: true })
    expect(full.outputs.map((o) => o.status)).toEqual(['up-to-date'])
  })
})
