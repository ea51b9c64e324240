import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startEmulator, type RunningEmulator } from '@galley/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clientFor, galley, tempProject, testKey } from './publish-utils.ts'

const keys = { pull: testKey('pull'), render: testKey('render') }
let emulator: RunningEmulator

beforeAll(async () => {
  emulator = await startEmulator({ apiKeys: Object.values(keys), quiet: true })
}, 60_000)
afterAll(async () => {
  await emulator?.close()
})

describe('galley pull', { timeout: 120_000 }, () => {
  it('adopts dashboard templates and edits existing sources in place, keeping comments and alignment', async () => {
    const p = tempProject()
    try {
      const env = { CRAFTKIT_BASE_URL: emulator.url, CRAFTKIT_API_KEY: keys.pull }
      expect((await galley(['publish'], { cwd: p.root, env })).code).toBe(0)
      const client = clientFor(emulator.url, keys.pull)
      // Someone edits a label in the dashboard, and makes a new template there.
      const invoice = await client.templates.get('invoice')
      const manifest = structuredClone(invoice.manifest!)
      manifest.variables.find((v) => v.key === 'notes')!.label = 'Remarks'
      await client.templates.put('invoice', { name: invoice.name, description: invoice.description, manifest })
      await client.templates.put('boarding-pass', {
        name: 'Boarding pass',
        manifest: { variables: [{ key: 'guest.name', label: 'Guest', dataType: 'text', required: true }], loops: [] },
      })
      const before = readFileSync(join(p.root, 'templates/invoice/template.yaml'), 'utf8')

      const pulled = await galley(['pull'], { cwd: p.root, env })
      expect(pulled.code, pulled.stderr).toBe(0)
      expect(pulled.stdout).toContain('adopted boarding-pass -> templates/boarding-pass/template.yaml')
      expect(pulled.stdout).toContain('updated invoice -> templates/invoice/template.yaml (variables)')
      expect(pulled.stdout).toContain('Pulled: 1 adopted, 1 updated, 3 unchanged.')

      const after = readFileSync(join(p.root, 'templates/invoice/template.yaml'), 'utf8')
      const diff = before.split('\n').map((line, i) => [line, after.split('\n')[i]]).filter(([a, b]) => a !== b)
      expect(diff).toEqual([['  notes:              { label: Notes, dataType: longtext }', '  notes:              { label: Remarks, dataType: longtext }']])
      const adopted = readFileSync(join(p.root, 'templates/boarding-pass/template.yaml'), 'utf8')
      expect(adopted).toContain('guest.name: { label: Guest, dataType: text, required: true }')

      // The sources now match the target: nothing to publish, lint is clean.
      const plan = JSON.parse((await galley(['plan', '--json'], { cwd: p.root, env })).stdout)
      expect(plan.summary).toMatchObject({ create: 0, update: 0, remoteOnly: 0 })
      expect((await galley(['lint'], { cwd: p.root, env })).code).toBe(0)
    } finally {
      p.cleanup()
    }
  })
})

describe('galley render', { timeout: 120_000 }, () => {
  it('renders a fixture, waits, and downloads the PDF to out/<slug>/<fixture>.pdf', async () => {
    const p = tempProject()
    try {
      const env = { CRAFTKIT_BASE_URL: emulator.url, CRAFTKIT_API_KEY: keys.render }
      const unpublished = await galley(['render', 'invoice', '--fixture', 'minimal'], { cwd: p.root, env })
      expect(unpublished.code).toBe(1)
      expect(unpublished.stderr).toContain('galley publish')

      expect((await galley(['publish'], { cwd: p.root, env })).code).toBe(0)
      const one = await galley(['render', 'invoice', '--fixture', 'minimal', '--json'], { cwd: p.root, env })
      expect(one.code, one.stderr).toBe(0)
      const [result] = JSON.parse(one.stdout).results
      expect(result).toMatchObject({ slug: 'invoice', fixture: 'minimal', status: 'succeeded', file: 'out/invoice/minimal.pdf' })
      expect(readFileSync(join(p.root, 'out/invoice/minimal.pdf')).subarray(0, 5).toString()).toBe('%PDF-')

      const custom = await galley(['render', 'invoice', '--data', 'templates/invoice/fixtures/standard.json', '-o', 'custom.pdf', '--idempotency-key', 'inv-1'], { cwd: p.root, env })
      expect(custom.code, custom.stderr).toBe(0)
      expect(existsSync(join(p.root, 'custom.pdf'))).toBe(true)

      const all = await galley(['render', '--all'], { cwd: p.root, env })
      expect(all.code, all.stderr).toBe(0)
      expect(all.stdout).toContain('Rendered 8 of 8 PDFs.')
      for (const f of ['charter-handover/checkin', 'charter-handover/checkout', 'delivery-note/full', 'delivery-note/partial', 'inspection-report/failed', 'inspection-report/passed', 'invoice/minimal', 'invoice/standard']) {
        expect(readFileSync(join(p.root, 'out', `${f}.pdf`)).subarray(0, 5).toString()).toBe('%PDF-')
      }

      const unknown = await galley(['render', 'invoice', '--fixture', 'nope'], { cwd: p.root, env })
      expect(unknown.code).toBe(1)
      expect(unknown.stderr).toContain('invoice has no fixture "nope"')
    } finally {
      p.cleanup()
    }
  })
})
