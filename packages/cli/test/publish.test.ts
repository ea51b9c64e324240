import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startEmulator, type RunningEmulator } from '@galley/emulator'
import Ajv2020 from 'ajv/dist/2020.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clientFor, galley, REPO_SLUGS, tempProject, testKey, versions } from './publish-utils.ts'

const keys = {
  twice: testKey('twice'),
  plan: testKey('plan'),
  stale: testKey('stale'),
  breaking: testKey('breaking'),
  prune: testKey('prune'),
  status: testKey('status'),
  overlay: testKey('overlay'),
  summary: testKey('summary'),
}
let emulator: RunningEmulator
const validatePlan = new Ajv2020({ strict: false }).compile(JSON.parse(readFileSync(join(import.meta.dirname, '..', 'plan.schema.json'), 'utf8')))

beforeAll(async () => {
  emulator = await startEmulator({ apiKeys: Object.values(keys), quiet: true })
}, 60_000)
afterAll(async () => {
  await emulator?.close()
})

const envFor = (key: string) => ({ CRAFTKIT_BASE_URL: emulator.url, CRAFTKIT_API_KEY: key })

function noKeyIn(...outputs: string[]): void {
  for (const key of Object.values(keys)) for (const o of outputs) expect(o).not.toContain(key)
}

describe('galley publish', { timeout: 120_000 }, () => {
  it('publishes the 4 templates, and a second publish right after makes zero writes', async () => {
    const p = tempProject()
    try {
      const first = await galley(['publish'], { cwd: p.root, env: envFor(keys.twice) })
      expect(first.stderr).toBe('')
      expect(first.code).toBe(0)
      expect(first.stdout).toMatch(/Published: 4 created, 0 updated, 0 deleted, 0 unchanged \(4 writes\)/)
      const client = clientFor(emulator.url, keys.twice)
      expect(await versions(client, REPO_SLUGS)).toEqual(Object.fromEntries(REPO_SLUGS.map((s) => [s, 1])))

      const second = await galley(['publish', '--json'], { cwd: p.root, env: envFor(keys.twice) })
      expect(second.code).toBe(0)
      const result = JSON.parse(second.stdout)
      expect(result.summary).toMatchObject({ created: 0, updated: 0, unchanged: 4, writes: 0 })
      expect(await versions(client, REPO_SLUGS)).toEqual(Object.fromEntries(REPO_SLUGS.map((s) => [s, 1])))

      // Also without the publish records (a fresh CI clone): name/description/manifest equal -> no writes.
      rmSync(join(p.root, '.galley', 'state'), { recursive: true })
      const third = await galley(['publish', '--json'], { cwd: p.root, env: envFor(keys.twice) })
      expect(JSON.parse(third.stdout).summary.writes).toBe(0)
      expect(await versions(client, REPO_SLUGS)).toEqual(Object.fromEntries(REPO_SLUGS.map((s) => [s, 1])))
      noKeyIn(first.stdout, first.stderr, second.stdout, second.stderr)
    } finally {
      p.cleanup()
    }
  })

  it('plan: create/update/unchanged, --json valid against plan.schema.json, exit codes', async () => {
    const p = tempProject()
    try {
      const env = envFor(keys.plan)
      const fresh = await galley(['plan', '--json'], { cwd: p.root, env })
      expect(fresh.code).toBe(0)
      const plan = JSON.parse(fresh.stdout)
      expect(validatePlan(plan), JSON.stringify(validatePlan.errors)).toBe(true)
      expect(plan.formatVersion).toBe(1)
      expect(plan.templates.map((t: { slug: string; action: string }) => [t.slug, t.action])).toEqual(REPO_SLUGS.map((s) => [s, 'create']))
      expect((await galley(['plan', '--detailed-exitcode'], { cwd: p.root, env })).code).toBe(2)

      expect((await galley(['publish'], { cwd: p.root, env })).code).toBe(0)
      const clean = await galley(['plan', '--detailed-exitcode', '--json'], { cwd: p.root, env })
      expect(clean.code).toBe(0)
      expect(JSON.parse(clean.stdout).summary).toMatchObject({ create: 0, update: 0, unchanged: 4 })

      // A label change and a new optional variable: an update, not breaking.
      const file = join(p.root, 'templates/invoice/template.yaml')
      writeFileSync(
        file,
        readFileSync(file, 'utf8')
          .replace('{ label: Pay online, dataType: url }', '{ label: Pay now, dataType: url }\n  poNumber:           { label: PO number, dataType: text }'),
      )
      const changed = await galley(['plan', '--json', '--detailed-exitcode'], { cwd: p.root, env })
      expect(changed.code).toBe(2)
      const updated = JSON.parse(changed.stdout)
      expect(validatePlan(updated), JSON.stringify(validatePlan.errors)).toBe(true)
      const invoice = updated.templates.find((t: { slug: string }) => t.slug === 'invoice')
      expect(invoice).toMatchObject({ action: 'update', changedFields: ['manifest'], breaking: false, unverifiedFields: [] })
      expect(invoice.changes).toEqual([
        { kind: 'label-changed', target: 'variable', key: 'paymentUrl', before: 'Pay online', after: 'Pay now', breaking: false },
        { kind: 'added', target: 'variable', key: 'poNumber', after: 'text', breaking: false },
      ])
      // Without --detailed-exitcode a successful plan exits 0 (so `galley plan && galley publish` chains).
      const human = await galley(['plan'], { cwd: p.root, env })
      expect(human.code).toBe(0)
      expect(human.stdout).not.toMatch(/\u001b\[/)
      expect(human.stdout.replace(emulator.url, 'http://127.0.0.1:PORT')).toMatchInlineSnapshot(`
        "Plan for CRAFTKIT_BASE_URL (http://127.0.0.1:PORT)

          ACTION       TEMPLATE           REMOTE  CHANGES
          = unchanged  charter-handover   v1
          = unchanged  delivery-note      v1
          = unchanged  inspection-report  v1
          ~ update     invoice            v1      manifest (+1 -0 ~1)

        invoice (v1 -> v2)  templates/invoice/template.yaml
          ~ variable paymentUrl: label "Pay online" -> "Pay now"
          + variable poNumber (text)

        Plan: 0 to create, 1 to update, 3 unchanged.
        "
      `)
      noKeyIn(fresh.stdout, fresh.stderr, human.stdout, human.stderr)
    } finally {
      p.cleanup()
    }
  })

  it('refuses a saved plan when another writer republished a template since, naming it', async () => {
    const p = tempProject()
    try {
      const env = envFor(keys.stale)
      expect((await galley(['publish'], { cwd: p.root, env })).code).toBe(0)
      const file = join(p.root, 'templates/delivery-note/template.yaml')
      writeFileSync(file, readFileSync(file, 'utf8').replace('name: Delivery Note', 'name: Delivery Note (signed)'))
      const planned = await galley(['plan', '--out', 'plan.json'], { cwd: p.root, env })
      expect(planned.code).toBe(0)
      expect(planned.stdout).toContain('Saved the plan to plan.json')

      // Another writer (a dashboard edit, a colleague's CI) republishes the invoice.
      const client = clientFor(emulator.url, keys.stale)
      const invoice = await client.templates.get('invoice')
      await client.templates.put('invoice', { name: invoice.name, description: invoice.description, manifest: invoice.manifest! })
      const before = await versions(client, REPO_SLUGS)

      const refused = await galley(['publish', '--plan', 'plan.json'], { cwd: p.root, env })
      expect(refused.code).toBe(1)
      expect(refused.stderr).toMatch(/Refusing to apply plan\.json: a template moved on CRAFTKIT_BASE_URL since the plan: invoice \(the plan saw v1 updated .*; now v2 updated .*\)/)
      expect(refused.stderr).not.toMatch(/at .*\.m?js:\d+/) // no stack trace
      expect(await versions(client, REPO_SLUGS)).toEqual(before) // nothing written

      // A fresh plan applies.
      expect((await galley(['plan', '--out', 'plan.json'], { cwd: p.root, env })).code).toBe(0)
      const applied = await galley(['publish', 'plan.json'], { cwd: p.root, env }) // DESIGN §6's positional form
      expect(applied.code).toBe(0)
      expect(await versions(client, ['delivery-note', 'invoice'])).toEqual({ 'delivery-note': 2, invoice: 2 })

      // And a plan whose source changed after planning is refused too.
      expect((await galley(['plan', '--out', 'plan.json'], { cwd: p.root, env })).code).toBe(0)
      writeFileSync(file, readFileSync(file, 'utf8').replace('Delivery Note (signed)', 'Delivery Note (v3)'))
      const stale = await galley(['publish', '--plan', 'plan.json'], { cwd: p.root, env })
      expect(stale.code).toBe(1)
      expect(stale.stderr).toContain('the source changed since the plan: delivery-note')
    } finally {
      p.cleanup()
    }
  })

  it('refuses breaking changes without --allow-breaking', async () => {
    const p = tempProject()
    try {
      const env = envFor(keys.breaking)
      expect((await galley(['publish'], { cwd: p.root, env })).code).toBe(0)
      const file = join(p.root, 'templates/charter-handover/template.yaml')
      writeFileSync(
        file,
        readFileSync(file, 'utf8')
          .replace('  booking.activityName:  { label: Activity, dataType: text }\n', '')
          .replace('{ label: Signed by, dataType: text, required: true }', '{ label: Signed by, dataType: longtext, required: true }'),
      )
      const refused = await galley(['publish'], { cwd: p.root, env })
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain('Refusing to publish breaking changes to charter-handover')
      expect(refused.stderr).toContain('- variable booking.activityName')
      expect(refused.stderr).toContain('~ variable handover.signedBy: type text -> longtext')
      expect(refused.stderr).toContain('--allow-breaking')
      const client = clientFor(emulator.url, keys.breaking)
      expect((await versions(client, ['charter-handover']))['charter-handover']).toBe(1)

      const allowed = await galley(['publish', '--allow-breaking'], { cwd: p.root, env })
      expect(allowed.code).toBe(0)
      expect(allowed.stdout).toMatch(/updated charter-handover v1 -> v2/)
      expect((await versions(client, ['charter-handover']))['charter-handover']).toBe(2)
    } finally {
      p.cleanup()
    }
  })

  it('never deletes a remote-only template unless --prune names it', async () => {
    const p = tempProject()
    try {
      const env = envFor(keys.prune)
      const client = clientFor(emulator.url, keys.prune)
      await client.templates.put('dashboard-made', { name: 'Dashboard made', manifest: { variables: [{ key: 'a', dataType: 'text' }], loops: [] } })
      const plan = JSON.parse((await galley(['plan', '--json'], { cwd: p.root, env })).stdout)
      expect(plan.templates.find((t: { slug: string }) => t.slug === 'dashboard-made').action).toBe('remote-only')

      expect((await galley(['publish'], { cwd: p.root, env })).code).toBe(0)
      expect((await versions(client, ['dashboard-made']))['dashboard-made']).toBe(1)

      const wrong = await galley(['publish', '--prune', 'invoice'], { cwd: p.root, env })
      expect(wrong.code).toBe(1)
      expect(wrong.stderr).toContain('--prune invoice: it still has a source')

      const pruned = await galley(['publish', '--prune', 'dashboard-made'], { cwd: p.root, env })
      expect(pruned.code).toBe(0)
      expect(pruned.stdout).toContain('deleted dashboard-made')
      expect((await versions(client, ['dashboard-made']))['dashboard-made']).toBe(null)
    } finally {
      p.cleanup()
    }
  })

  it('refuses to publish a pdf-overlay source, saying the API cannot create it', async () => {
    const p = tempProject()
    try {
      const file = join(p.root, 'templates/delivery-note/template.yaml')
      writeFileSync(file, readFileSync(file, 'utf8').replace('slug: delivery-note\n', 'slug: delivery-note\ntemplateType: pdf-overlay\n').replace(/loops:[\s\S]*$/, ''))
      const result = await galley(['publish'], { cwd: p.root, env: envFor(keys.overlay) })
      expect(result.code).toBe(1)
      expect(result.stderr).toContain('pdf-overlay')
      expect(result.stderr).toMatch(/cannot create or update PDF-overlay templates/)
      // The other templates can still be published by name.
      expect((await galley(['publish', 'invoice'], { cwd: p.root, env: envFor(keys.overlay) })).code).toBe(0)
    } finally {
      p.cleanup()
    }
  })

  it('lint errors stop publish with file:line:col, before any write', async () => {
    const p = tempProject()
    try {
      const file = join(p.root, 'templates/invoice/template.yaml')
      writeFileSync(file, readFileSync(file, 'utf8').replace('  lineItems:\n', '  line.items:\n'))
      const result = await galley(['publish'], { cwd: p.root, env: envFor(keys.overlay) })
      expect(result.code).toBe(1)
      expect(result.stderr).toMatch(/templates\/invoice\/template\.yaml:\d+:\d+ error loop-key-dot/)
      expect(result.stderr).toContain('nothing was published')
    } finally {
      p.cleanup()
    }
  })
})

describe('galley status', { timeout: 120_000 }, () => {
  it('exits 2 on drift, 0 in sync, 1 on error', async () => {
    const p = tempProject()
    try {
      const env = envFor(keys.status)
      const missing = await galley(['status'], { cwd: p.root, env })
      expect(missing.code).toBe(2)
      expect(missing.stdout).toMatch(/missing +invoice/)
      expect((await galley(['publish'], { cwd: p.root, env })).code).toBe(0)
      const inSync = await galley(['status'], { cwd: p.root, env })
      expect(inSync.code).toBe(0)
      expect(inSync.stdout).toContain('In sync: 4 templates')

      const client = clientFor(emulator.url, keys.status)
      const invoice = await client.templates.get('invoice')
      await client.templates.put('invoice', { name: 'Invoice (edited in the dashboard)', description: invoice.description, manifest: invoice.manifest! })
      const drift = await galley(['status', '--json'], { cwd: p.root, env })
      expect(drift.code).toBe(2)
      expect(JSON.parse(drift.stdout).drift).toEqual([
        { slug: 'invoice', kind: 'edited-outside-git', detail: 'the target is at v2, last published from here as v1; differs in name' },
      ])

      const error = await galley(['status'], { cwd: p.root, env: { CRAFTKIT_BASE_URL: emulator.url, CRAFTKIT_API_KEY: 'ck_test_notaknownkey00000000000000' } })
      expect(error.code).toBe(1)
      expect(error.stderr).toMatch(/unauthorized/)
      expect(error.stderr).not.toContain('ck_test_notaknownkey')
    } finally {
      p.cleanup()
    }
  })
})

describe('GitHub Actions step summary', { timeout: 60_000 }, () => {
  it('appends the plan as markdown to $GITHUB_STEP_SUMMARY', async () => {
    const p = tempProject()
    try {
      const summary = join(p.root, 'summary.md')
      writeFileSync(summary, '# earlier step\n')
      const result = await galley(['plan'], { cwd: p.root, env: { ...envFor(keys.summary), GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary } })
      expect(result.code).toBe(0)
      const text = readFileSync(summary, 'utf8')
      expect(text.startsWith('# earlier step\n### Galley plan: CRAFTKIT_BASE_URL')).toBe(true)
      expect(text).toContain('| + create | `invoice` | - | new: 13 variables, 1 loop | |')
    } finally {
      p.cleanup()
    }
  })
})
