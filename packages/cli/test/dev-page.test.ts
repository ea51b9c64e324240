import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { alive, fixtureOf, startDev, stopDev, type DevProcess } from './dev-utils.ts'
import { tempProject } from './publish-utils.ts'

// The preview page of one `galley dev` process, in a real (headless) Chromium. The tests run in order on one page.
const OUTPUT = join(import.meta.dirname, '.output')
const project = tempProject()
const file = (path: string) => join(project.root, path)
let dev: DevProcess | undefined
let browser: Browser | undefined
let page: Page
const pageErrors: string[] = []

beforeAll(async () => {
  dev = await startDev(project.root)
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
  page.on('pageerror', (error) => pageErrors.push(error.message))
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await stopDev(dev, 'SIGKILL')
  project.cleanup()
})

const card = (name: string) => page.locator(`.fixture[data-fixture="${name}"]`)
/** The text pdf.js drew into a PDF box (the page keeps it on the box as data-text). */
const shownText = (selector: string) => page.locator(selector).getAttribute('data-text')
interface CanvasLike {
  width: number
  height: number
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } }
}
const sameDocument = () => page.evaluate(() => (globalThis as unknown as { __marker?: string }).__marker)

describe('the galley dev preview page', { timeout: 120_000 }, () => {
  it('lists the templates with their lint state and fixtures, and shows the rendered PDFs', async () => {
    await page.goto(`${dev!.url}#invoice`)
    await expect.poll(() => page.locator('#templates li').evaluateAll((items) => items.map((li) => li.getAttribute('data-slug')))).toEqual([
      'charter-handover',
      'delivery-note',
      'inspection-report',
      'invoice',
    ])
    expect(await page.locator('#templates li[data-slug="invoice"] [data-lint]').getAttribute('data-lint')).toBe('ok')
    expect(await page.locator('#templates li[data-slug="invoice"] .fx span').allTextContents()).toEqual(['minimal', 'standard'])
    await expect.poll(() => shownText('.fixture[data-fixture="minimal"] .pdf'), { timeout: 30_000 }).toContain('Ana Souza')
    // The canvas holds a drawn page, not a blank one.
    const inked = await card('minimal').locator('canvas').first().evaluate((element) => {
      // (This file is type-checked without the DOM library.)
      const canvas = element as unknown as CanvasLike
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data
      let dark = 0
      for (let i = 0; i < pixels.length; i += 4) if (pixels[i]! < 128) dark++
      return dark
    })
    expect(inked).toBeGreaterThan(1000)
    expect(await card('minimal').getAttribute('data-status')).toBe('succeeded')
    await page.evaluate(() => ((globalThis as unknown as { __marker?: string }).__marker = 'same-document'))
  })

  it('updates by itself, without a reload, when a fixture is saved on disk', async () => {
    const fixture = file('templates/invoice/fixtures/minimal.json')
    writeFileSync(fixture, readFileSync(fixture, 'utf8').replace('Ana Souza', 'Zed Quimby'))
    await expect.poll(() => card('minimal').getAttribute('data-version'), { timeout: 30_000 }).toBe('2')
    await expect.poll(() => shownText('.fixture[data-fixture="minimal"] .pdf'), { timeout: 30_000 }).toContain('Zed Quimby')
    expect(await sameDocument()).toBe('same-document')
  })

  it('shows a lint error with its rule and file:line:col, and clears it when fixed, without a reload', async () => {
    const source = file('templates/invoice/template.yaml')
    const good = readFileSync(source, 'utf8')
    writeFileSync(source, good.replace('\n  lineItems:\n', '\n  line.items:\n'))
    const item = page.locator('#diagnostics li[data-rule="loop-key-dot"]')
    await expect.poll(() => item.count(), { timeout: 30_000 }).toBe(1)
    expect(await item.locator('.where').textContent()).toBe('templates/invoice/template.yaml:21:3')
    expect(await item.locator('.message').textContent()).toContain('line.items')
    expect(await page.locator('#templates li[data-slug="invoice"] [data-lint]').getAttribute('data-lint')).toBe('errors')
    expect(await card('minimal').locator('.badge.stale').count()).toBe(1)

    writeFileSync(source, good)
    await expect.poll(() => page.locator('#diagnostics li').count(), { timeout: 30_000 }).toBe(0)
    await expect.poll(() => page.locator('#templates li[data-slug="invoice"] [data-lint]').getAttribute('data-lint')).toBe('ok')
    expect(await sameDocument()).toBe('same-document')
  })

  it('edits data: validates as you type (rejected and stripped keys), renders it, saves it as a fixture', async () => {
    await card('minimal').locator('button[data-action="edit"]').click()
    const editor = page.locator('#editor-json')
    await expect.poll(() => editor.inputValue()).toContain('Zed Quimby')
    const data = JSON.parse(await editor.inputValue()) as Record<string, any>

    // An unknown key: accepted, listed as stripped.
    await editor.fill(JSON.stringify({ ...data, notez: 'typo' }, null, 2))
    await expect.poll(() => page.locator('#editor-validation [data-stripped]').allTextContents()).toEqual(['notez'])
    // A required field missing: listed as rejected, by path.
    await editor.fill(JSON.stringify({ ...data, customer: {} }, null, 2))
    await expect.poll(() => page.locator('#editor-validation [data-path="customer.name"]').textContent()).toContain('Required')
    expect(await page.locator('#editor-validation [data-stripped]').count()).toBe(0)
    // Not JSON at all.
    await editor.fill('{ "invoice": ')
    await expect.poll(() => page.locator('#editor-validation').textContent()).toContain('Not JSON')

    const edited = { ...data, customer: { name: 'Edited Person' } }
    await editor.fill(JSON.stringify(edited, null, 2))
    await expect.poll(() => page.locator('#editor-validation').getAttribute('class')).toBe('validation ok')
    await page.click('button[data-action="render-edit"]')
    await expect.poll(() => shownText('#editor-pdf'), { timeout: 30_000 }).toContain('Edited Person')

    // Save under a new name: a new fixture file, which galley dev then renders like any other.
    await page.fill('#editor-name', 'edited')
    await page.click('button[data-action="save-edit"]')
    await expect.poll(() => page.locator('#editor-message').textContent()).toContain('Saved templates/invoice/fixtures/edited.json')
    expect(JSON.parse(readFileSync(file('templates/invoice/fixtures/edited.json'), 'utf8'))).toEqual(edited)
    await expect.poll(() => card('edited').getAttribute('data-status'), { timeout: 30_000 }).toBe('succeeded')
    await expect.poll(() => shownText('.fixture[data-fixture="edited"] .pdf'), { timeout: 30_000 }).toContain('Edited Person')
    expect(fixtureOf(await dev!.state(), 'invoice', 'edited')).toMatchObject({ status: 'succeeded', out: 'out/invoice/edited.pdf' })

    // Saving over another fixture asks first; declining keeps the file, accepting overwrites it.
    const standard = file('templates/invoice/fixtures/standard.json')
    const before = readFileSync(standard, 'utf8')
    await page.fill('#editor-name', 'standard')
    page.once('dialog', (dialog) => void dialog.dismiss())
    await page.click('button[data-action="save-edit"]')
    await expect.poll(() => page.locator('#editor-message').textContent()).toBe('Not saved.')
    expect(readFileSync(standard, 'utf8')).toBe(before)
    let asked = ''
    page.once('dialog', (dialog) => {
      asked = dialog.message()
      void dialog.accept()
    })
    await page.click('button[data-action="save-edit"]')
    await expect.poll(() => page.locator('#editor-message').textContent()).toContain('Saved templates/invoice/fixtures/standard.json')
    expect(asked).toBe('templates/invoice/fixtures/standard.json already exists. Overwrite it?')
    expect(JSON.parse(readFileSync(standard, 'utf8'))).toEqual(edited)
    await expect.poll(() => shownText('.fixture[data-fixture="standard"] .pdf'), { timeout: 30_000 }).toContain('Edited Person')

    mkdirSync(OUTPUT, { recursive: true })
    await page.locator('#editor-json').evaluate((t) => ((t as unknown as { scrollTop: number }).scrollTop = 0))
    await page.screenshot({ path: join(OUTPUT, 'preview.png'), fullPage: false })
    expect(await sameDocument()).toBe('same-document')
    expect(pageErrors).toEqual([])
  })

  it('refuses bad fixture names, non-JSON posts and foreign hosts', async () => {
    const post = (body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
      fetch(new URL('/api/fixtures', dev!.url), { method: 'POST', headers, body: JSON.stringify(body) })
    for (const name of ['../escape', 'a/b', '..', '.hidden', '']) {
      const res = await post({ slug: 'invoice', name, data: {} })
      expect(res.status, name).toBe(400)
      expect(((await res.json()) as { error: string }).error).toBe('invalid_fixture_name')
    }
    expect(existsSync(file('templates/invoice/escape.json'))).toBe(false)
    expect((await post({ slug: 'invoice', name: 'x', data: {} }, { 'content-type': 'text/plain' })).status).toBe(415)
    expect((await post({ slug: 'nope', name: 'x', data: {} })).status).toBe(404)
    // fetch drops a Host header; node:http sends it, as a browser would after DNS rebinding.
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        request(new URL('/api/state', dev!.url), { headers: { host } }, (res) => {
          res.resume()
          resolve(res.statusCode!)
        })
          .on('error', reject)
          .end()
      })
    expect(await status('evil.example:80')).toBe(403)
    expect(await status(`localhost:${new URL(dev!.url).port}`)).toBe(200)
  })

  it('stops on SIGINT with exit 0', async () => {
    const pid = dev!.pid
    process.kill(pid, 'SIGINT')
    expect(await dev!.exit).toEqual({ code: 0, signal: null })
    expect(alive(pid)).toBe(false)
  })
})
