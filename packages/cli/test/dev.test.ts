import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { alive, fixtureOf, pdfText, startDev, stopDev, type DevProcess } from './dev-utils.ts'
import { tempProject } from './publish-utils.ts'

// One `galley dev` process (the built binary, a real node process) for the whole file, driven through the files
// of a temp copy of the repo's templates, its output and GET /api/state. The tests run in order.
const project = tempProject()
const file = (path: string) => join(project.root, path)
let dev: DevProcess | undefined
// A port that is busy when galley dev starts: it must take the next free one.
const busy = createServer()
let busyPort = 0

beforeAll(async () => {
  busyPort = await new Promise<number>((resolve) => busy.listen(0, '127.0.0.1', () => resolve((busy.address() as AddressInfo).port)))
  // Variables that would point another command at a (production) target: galley dev must ignore them.
  dev = await startDev(project.root, ['--port', String(busyPort)], { CRAFTKIT_BASE_URL: 'http://127.0.0.1:9', CRAFTKIT_API_KEY: 'ck_live_do_not_use_this_key_000000' })
}, 120_000)

afterAll(async () => {
  await stopDev(dev, 'SIGKILL')
  busy.close()
  project.cleanup()
})

describe('galley dev', { timeout: 120_000 }, () => {
  it('lints, publishes to the embedded emulator, generates and renders every fixture before printing Preview', async () => {
    const out = dev!.stdout()
    expect(out).toMatch(/^✓ lint 4 templates, 8 fixtures \d+ ms$/m)
    expect(out).toMatch(/^✓ generate craftkit\.gen\.ts \d+ ms$/m)
    for (const slug of ['charter-handover', 'delivery-note', 'inspection-report', 'invoice']) expect(out).toMatch(new RegExp(`^✓ publish ${slug} v1 \\d+ ms$`, 'm'))
    expect(out).toMatch(/^✓ render invoice\/minimal \d+ ms$/m)
    expect(out.indexOf('Preview:')).toBeGreaterThan(out.lastIndexOf('✓ render'))
    expect(dev!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    expect(Number(new URL(dev!.url).port)).toBeGreaterThan(busyPort)
    expect(Number(new URL(dev!.url).port)).toBeLessThan(busyPort + 20)
    expect(dev!.stderr()).toContain('CRAFTKIT_BASE_URL and CRAFTKIT_API_KEY are ignored')
    expect(readFileSync(file('.galley/emulator/api-key'), 'utf8')).toMatch(/^ck_test_/)

    const state = await dev!.state()
    expect(state.phase).toBe('ready')
    expect(state.templates.map((t) => [t.slug, t.name, t.lint, t.publish.version])).toEqual([
      ['charter-handover', 'Charter Handover', 'ok', 1],
      ['delivery-note', 'Delivery Note', 'ok', 1],
      ['inspection-report', 'Inspection Report', 'ok', 1],
      ['invoice', 'Invoice', 'ok', 1],
    ])
    const fixtures = state.templates.flatMap((t) => t.fixtures.map((f) => ({ ...f, slug: t.slug })))
    expect(fixtures).toHaveLength(8)
    for (const f of fixtures) {
      expect(f).toMatchObject({ status: 'succeeded', out: `out/${f.slug}/${f.name}.pdf`, error: null, version: 1 })
      expect(readFileSync(file(f.out)).subarray(0, 5).toString()).toBe('%PDF-')
      // The page server serves the same bytes (from out/; the page never sees the key).
      const served = await fetch(new URL(f.pdf!, dev!.url))
      expect(served.headers.get('content-type')).toBe('application/pdf')
      expect(Buffer.from(await served.arrayBuffer()).equals(readFileSync(file(f.out)))).toBe(true)
    }
    expect(readFileSync(file('craftkit.gen.ts'), 'utf8')).toContain('export function renderInvoice(')
    expect(JSON.stringify(state)).not.toContain('ck_test_')
  })

  it('re-renders only the saved fixture, with the new text in the PDF', async () => {
    const mark = dev!.stdout().length
    const fixture = file('templates/invoice/fixtures/minimal.json')
    writeFileSync(fixture, readFileSync(fixture, 'utf8').replace('Ana Souza', 'Zed Quimby'))
    await dev!.until('minimal re-rendered', (s) => fixtureOf(s, 'invoice', 'minimal')?.version === 2 && s.phase === 'ready')
    await dev!.output(/✓ render invoice\/minimal \d+ ms\n[^]*$/)
    expect(await pdfText(file('out/invoice/minimal.pdf'))).toContain('Zed Quimby')

    const lines = dev!.stdout().slice(mark).trim().split('\n')
    expect(lines[0]).toMatch(/^✓ lint invoice \d+ ms$/)
    expect(lines.filter((l) => l.startsWith('✓ render'))).toEqual([expect.stringMatching(/^✓ render invoice\/minimal \d+ ms$/)])
    expect(lines.some((l) => /publish|generate/.test(l))).toBe(false)
    const state = await dev!.state()
    expect(fixtureOf(state, 'invoice', 'standard')?.version).toBe(1)
    expect(fixtureOf(state, 'charter-handover', 'checkin')?.version).toBe(1)
  })

  it('reports a lint error with file:line:col in the terminal and /api/state, and keeps running', async () => {
    const source = file('templates/invoice/template.yaml')
    const good = readFileSync(source, 'utf8')
    writeFileSync(source, good.replace('\n  lineItems:\n', '\n  line.items:\n'))
    const diagnostic = await dev!.until('the loop-key-dot error', (s) => s.templates.find((t) => t.slug === 'invoice')?.diagnostics.find((d) => d.code === 'loop-key-dot'))
    expect(diagnostic).toMatchObject({ ruleId: 'loop-key-dot', severity: 'error', file: 'templates/invoice/template.yaml', line: 21, column: 3 })
    expect(diagnostic.message).toContain('line.items')
    await dev!.output(/Waiting for the next save/)
    expect(dev!.stderr()).toMatch(/error\[loop-key-dot\][^\n]*\n\s+--> templates\/invoice\/template\.yaml:21:3\n[^]*\|\s+line\.items:/)
    expect(dev!.stderr()).toMatch(/^✗ lint invoice: 1 error/m)
    expect(dev!.stderr()).toMatch(/^✗ generate craftkit\.gen\.ts: skipped/m)

    const state = await dev!.state()
    const invoice = state.templates.find((t) => t.slug === 'invoice')!
    expect(invoice.lint).toBe('errors')
    expect(invoice.publish.status).toBe('skipped')
    // The last good PDFs stay, marked stale.
    expect(invoice.fixtures.every((f) => f.stale && f.pdf !== null)).toBe(true)
    expect(alive(dev!.pid)).toBe(true)
    expect(dev!.child.exitCode).toBe(null)
  })

  it('recovers when the error is fixed: republishes, regenerates and re-renders that template', async () => {
    const mark = dev!.stdout().length
    const source = file('templates/invoice/template.yaml')
    writeFileSync(source, readFileSync(source, 'utf8').replace('\n  line.items:\n', '\n  lineItems:\n').replace('label: Notes,', 'label: Remarks,'))
    const invoice = await dev!.until('invoice recovered', (s) => {
      const t = s.templates.find((x) => x.slug === 'invoice')!
      return s.phase === 'ready' && t.lint === 'ok' && t.fixtures.every((f) => f.status === 'succeeded' && f.version >= 2 && !f.stale) ? t : undefined
    })
    expect(invoice).toMatchObject({ diagnostics: [], publish: { status: 'published', version: 2 } })
    await dev!.output(/✓ render invoice\/standard \d+ ms/)
    const lines = dev!.stdout().slice(mark)
    expect(lines).toMatch(/^✓ publish invoice v2 \d+ ms$/m)
    expect(lines).toMatch(/^✓ generate craftkit\.gen\.ts \d+ ms$/m)
    expect(lines).not.toMatch(/render (charter-handover|delivery-note|inspection-report)\//)
    expect(readFileSync(file('craftkit.gen.ts'), 'utf8')).toContain('Remarks')
  })

  it('drops a deleted fixture (and its PDF), then a deleted template', async () => {
    rmSync(file('templates/invoice/fixtures/standard.json'))
    await dev!.until('standard dropped', (s) => s.phase === 'ready' && fixtureOf(s, 'invoice', 'standard') === undefined && s.templates.find((t) => t.slug === 'invoice')!.fixtures.length === 1)
    await dev!.output(/✓ remove invoice\/standard/)
    expect(existsSync(file('out/invoice/standard.pdf'))).toBe(false)
    expect(existsSync(file('out/invoice/minimal.pdf'))).toBe(true)
    expect((await fetch(new URL('/pdf/invoice/standard.pdf?v=1', dev!.url))).status).toBe(404)

    rmSync(file('templates/delivery-note'), { recursive: true })
    await dev!.until('delivery-note dropped', (s) => s.phase === 'ready' && !s.templates.some((t) => t.slug === 'delivery-note'))
    await dev!.output(/✓ remove delivery-note template deleted/)
    await dev!.output(/✓ remove delivery-note[^]*✓ generate craftkit\.gen\.ts/)
    expect(readFileSync(file('craftkit.gen.ts'), 'utf8')).not.toContain('renderDeliveryNote')
    expect(existsSync(file('out/delivery-note/full.pdf'))).toBe(false)
  })

  it('stops cleanly on SIGTERM: exit 0, the process is gone', async () => {
    const pid = dev!.pid
    process.kill(pid, 'SIGTERM')
    expect(await dev!.exit).toEqual({ code: 0, signal: null })
    expect(alive(pid)).toBe(false)
    expect(dev!.stdout()).toMatch(/Stopped\.\n$/)
  })
})
