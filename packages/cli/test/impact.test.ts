/**
 * `galley plan --impact` and publish's refusal (DESIGN §12), with the built binary against an emulator, on the
 * consumer fixture (test/fixtures/impact-consumer): a small app with its own tsconfig that calls the generated
 * `renderCharterHandover` and `renderInvoice` from several files, one of them with a variable built in another
 * file (handover/checkin.ts gets its data from checkin-data.ts, which never names the generated type).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulator, type RunningEmulator } from '@galley/emulator'
import Ajv2020 from 'ajv/dist/2020.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ImpactCallSite } from '../src/publish/plan-schema.ts'
import { clientFor, galley, repoRoot, testKey, versions } from './publish-utils.ts'

const fixture = join(import.meta.dirname, 'fixtures', 'impact-consumer')
const key = testKey('impact')
const validatePlan = new Ajv2020({ strict: false }).compile(JSON.parse(readFileSync(join(import.meta.dirname, '..', 'plan.schema.json'), 'utf8')))

let emulator: RunningEmulator
let root: string
let env: Record<string, string>

const HANDOVER = 'templates/charter-handover/template.yaml'
const INVOICE = 'templates/invoice/template.yaml'

/** Edits a template of the temp project; returns a function that puts it back. */
function edit(file: string, change: (text: string) => string): () => void {
  const path = join(root, file)
  const before = readFileSync(path, 'utf8')
  const after = change(before)
  expect(after, `the edit of ${file} changed nothing`).not.toBe(before)
  writeFileSync(path, after)
  return () => writeFileSync(path, before)
}

async function planImpact(args: string[] = []): Promise<{ callSites: string[]; plan: { templates: { slug: string; action: string }[]; impact: { callSites: ImpactCallSite[]; projects: unknown[] } } }> {
  const result = await galley(['plan', '--json', '--impact', ...args], { cwd: root, env })
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  const plan = JSON.parse(result.stdout)
  expect(validatePlan(plan), JSON.stringify(validatePlan.errors)).toBe(true)
  return { plan, callSites: plan.impact.callSites.map((s: ImpactCallSite) => `${s.file}:${s.line}:${s.column} ${s.symbol} ${s.slug}: ${s.message}`) }
}

beforeAll(async () => {
  emulator = await startEmulator({ apiKeys: [key], quiet: true })
  env = { CRAFTKIT_BASE_URL: emulator.url, CRAFTKIT_API_KEY: key }
  root = mkdtempSync(join(tmpdir(), 'galley-impact-'))
  cpSync(fixture, root, { recursive: true })
  // The generated module imports @galley/client: the app resolves it as an installed app would.
  mkdirSync(join(root, 'app/node_modules/@galley'), { recursive: true })
  symlinkSync(join(repoRoot, 'packages/client'), join(root, 'app/node_modules/@galley/client'), 'dir')
  // The committed module, and the templates as published: the starting point of every change below.
  const generated = await galley(['generate'], { cwd: root, env })
  expect(generated.code, generated.stderr).toBe(0)
  // impact.projects is configured, so this publish runs the analysis too: creating templates that the committed
  // module already describes breaks nothing.
  const published = await galley(['publish'], { cwd: root, env })
  expect(published.stderr).toBe('')
  expect(published.code).toBe(0)
}, 240_000)

afterAll(async () => {
  await emulator?.close()
  if (root) rmSync(root, { recursive: true, force: true })
})

describe('galley plan --impact', { timeout: 120_000 }, () => {
  it('a removed variable: the calls that still send it, the literal one and the variable built elsewhere', async () => {
    const restore = edit(HANDOVER, (t) => t.replace(/^ {2}booking\.activityName:.*\n/m, ''))
    try {
      const { callSites, plan } = await planImpact()
      expect(plan.impact.projects).toEqual([{ project: 'app/tsconfig.json', modules: ['app/src/craftkit.gen.ts'], files: 9, checkedFiles: 4 }])
      expect(callSites).toEqual([
        'app/src/handover/checkin.ts:7:10 renderCharterHandover charter-handover: `booking.activityName` is no longer declared: the server would strip it',
        'app/src/handover/checkout.ts:5:10 renderCharterHandover charter-handover: `booking.activityName` is no longer declared: the server would strip it',
      ])
    } finally {
      restore()
    }
  })

  it('a new required variable: every use that sends data, the typed constant included', async () => {
    const restore = edit(HANDOVER, (t) => t.replace(/^( {2}booking\.code:.*\n)/m, '$1  booking.ref: { label: Reference, dataType: text, required: true }\n'))
    try {
      // The consuming project named on the command line instead of the config's impact.projects.
      const { callSites } = await planImpact(['app/tsconfig.json'])
      expect(callSites).toEqual([
        'app/src/handover/checkin.ts:7:10 renderCharterHandover charter-handover: `booking.ref` is now required',
        'app/src/handover/checkout.ts:5:10 renderCharterHandover charter-handover: `booking.ref` is now required',
        'app/src/handover/sample.ts:4:30 CharterHandoverData charter-handover: `booking.ref` is now required',
      ])
    } finally {
      restore()
    }
  })

  it('a type change: the call with a literal and the data typed through a namespace import', async () => {
    const restore = edit(INVOICE, (t) => t.replace(/(totals\.total: +\{ label: Total due, dataType: )currency/, '$1text'))
    try {
      const { callSites } = await planImpact()
      expect(callSites).toEqual([
        'app/src/billing/invoice.ts:4:10 renderInvoice invoice: `totals.total` is now `string`, and this call passes `number`',
        'app/src/billing/reminder.ts:5:24 TemplateDataMap invoice: `totals.total` is now `string`, and this call passes `number`',
      ])
    } finally {
      restore()
    }
  })

  it('a removed loop field: the rows that still send it, however they were built', async () => {
    const restore = edit(HANDOVER, (t) => t.replace(/^ {6}severity:.*\n/m, ''))
    try {
      const { callSites } = await planImpact()
      expect(callSites).toEqual([
        'app/src/handover/checkin.ts:7:10 renderCharterHandover charter-handover: `areas[].severity` is no longer declared: the server would strip it',
        'app/src/handover/checkout.ts:5:10 renderCharterHandover charter-handover: `areas[].severity` is no longer declared: the server would strip it',
        'app/src/handover/sample.ts:4:30 CharterHandoverData charter-handover: `areas[].severity` is no longer declared: the server would strip it',
      ])
    } finally {
      restore()
    }
  })

  it('a deleted template under --prune: every use of its function and type', async () => {
    const folder = join(root, 'templates/invoice')
    const saved = join(root, 'invoice.saved')
    cpSync(folder, saved, { recursive: true })
    rmSync(folder, { recursive: true })
    try {
      const { callSites, plan } = await planImpact(['--prune', 'invoice'])
      expect(plan.templates.find((t) => t.slug === 'invoice')?.action).toBe('remote-only')
      expect(callSites).toEqual([
        'app/src/billing/invoice.ts:4:10 renderInvoice invoice: template `invoice` is deleted: `renderInvoice` is no longer generated',
        "app/src/billing/reminder.ts:5:24 TemplateDataMap invoice: template `invoice` is deleted: `TemplateDataMap['invoice']` no longer exists",
        'app/src/billing/reminder.ts:11:18 renderInvoice invoice: template `invoice` is deleted: `renderInvoice` is no longer generated',
        "app/src/billing/reminder.ts:12:19 render invoice: template `invoice` is deleted: `render('invoice', …)` no longer accepts it",
      ])
    } finally {
      cpSync(saved, folder, { recursive: true })
      rmSync(saved, { recursive: true })
    }
  })

  it('non-breaking changes (a new optional variable, a label change) list no call site', async () => {
    const restoreHandover = edit(HANDOVER, (t) => t.replace(/^( {2}handover\.kind:.*\n)/m, '$1  handover.notes: { label: Notes, dataType: longtext }\n'))
    const restoreInvoice = edit(INVOICE, (t) => t.replace('label: Customer,', 'label: Bill to,'))
    try {
      const { callSites, plan } = await planImpact()
      expect(plan.templates.map((t) => [t.slug, t.action])).toEqual([
        ['charter-handover', 'update'],
        ['invoice', 'update'],
      ])
      expect(callSites).toEqual([])
    } finally {
      restoreInvoice()
      restoreHandover()
    }
  })

  it('the table lists the call sites, and the GitHub step summary links each to file:line', async () => {
    const restore = edit(HANDOVER, (t) => t.replace(/^ {6}severity:.*\n/m, ''))
    const summary = join(root, 'summary.md')
    try {
      const result = await galley(['plan', '--impact'], {
        cwd: root,
        env: { ...env, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_REPOSITORY: 'acme/charters', GITHUB_SHA: 'abc123', GITHUB_WORKSPACE: root, GITHUB_SERVER_URL: 'https://github.com' },
      })
      expect(result.code).toBe(0)
      expect(result.stdout).toMatch(/~ update +charter-handover +v1 +manifest \(\+0 -1 ~0\) +BREAKING +3 broken call sites/)
      expect(result.stdout).toMatch(/Impact: 3 call sites break \(app\/tsconfig\.json: 4 of 9 files checked in \d+ ms\):/)
      expect(result.stdout).toContain(
        '  app/src/handover/checkin.ts:7:10  renderCharterHandover (charter-handover): `areas[].severity` is no longer declared: the server would strip it',
      )
      const markdown = readFileSync(summary, 'utf8')
      expect(markdown).toContain('**Impact:** 3 call sites in `app/tsconfig.json` break:')
      expect(markdown).toContain(
        '- [app/src/handover/checkout.ts:5:10](https://github.com/acme/charters/blob/abc123/app/src/handover/checkout.ts#L5) `renderCharterHandover` (`charter-handover`): `areas[].severity` is no longer declared: the server would strip it',
      )
      expect(markdown).toContain('- [app/src/handover/sample.ts:4:30](https://github.com/acme/charters/blob/abc123/app/src/handover/sample.ts#L4) `CharterHandoverData`')
    } finally {
      restore()
    }
  })

  it('publish refuses an update with broken call sites and names them; --allow-breaking publishes it', async () => {
    const client = clientFor(emulator.url, key)
    const restore = edit(HANDOVER, (t) => t.replace(/^( {2}booking\.code:.*\n)/m, '$1  booking.ref: { label: Reference, dataType: text, required: true }\n'))
    try {
      const refused = await galley(['publish'], { cwd: root, env })
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain('Refusing to publish charter-handover: the change breaks 3 call sites in consuming code (impact.projects); nothing was published:')
      expect(refused.stderr).toContain('  app/src/handover/checkin.ts:7:10  renderCharterHandover (charter-handover): `booking.ref` is now required')
      expect(refused.stderr).toContain('  app/src/handover/checkout.ts:5:10  renderCharterHandover (charter-handover): `booking.ref` is now required')
      expect(refused.stderr).toContain('  app/src/handover/sample.ts:4:30  CharterHandoverData (charter-handover): `booking.ref` is now required')
      expect(await versions(client, ['charter-handover', 'invoice'])).toEqual({ 'charter-handover': 1, invoice: 1 })

      const allowed = await galley(['publish', '--allow-breaking'], { cwd: root, env })
      expect(allowed.stderr).toBe('')
      expect(allowed.code).toBe(0)
      expect(allowed.stdout).toMatch(/updated charter-handover v1 -> v2/)
      expect(await versions(client, ['charter-handover', 'invoice'])).toEqual({ 'charter-handover': 2, invoice: 1 })
    } finally {
      restore()
    }
  })
})
