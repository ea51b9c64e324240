import { validateData, type Manifest } from '@galley/core'
import { describe, expect, it } from 'vitest'
import { renderDocument, RenderFailure, resolvePageSetup, type RenderDocumentInput } from '../src/render/index.ts'
import { flat, loadFixture, loadTemplate, readPdf } from './render-helpers.ts'

function validated(manifest: Manifest, data: unknown): Record<string, unknown> {
  const r = validateData(manifest, data)
  if (!r.ok) throw new Error(`fixture does not validate: ${JSON.stringify(r.issues)}`)
  return r.data
}

function templateInput(slug: string, fixture: string, over: Partial<RenderDocumentInput> = {}): RenderDocumentInput {
  const t = loadTemplate(slug)
  return {
    name: t.name,
    manifest: t.manifest,
    pageConfig: t.pageConfig,
    layout: t.layout ?? null,
    templateType: 'document',
    data: validated(t.manifest, loadFixture(slug, fixture)),
    ...over,
  }
}

describe('renderDocument: the synthesized layout', () => {
  it('renders the charter-handover checkout fixture with its values, labels and loop rows', async () => {
    const pdf = await renderDocument(templateInput('charter-handover', 'checkout'))
    expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe('%PDF-')
    const { text, pageCount, mediaBoxes, info } = await readPdf(pdf)
    const t = flat(text)
    for (const s of ['Charter Handover', 'BK-12345', 'Sunset Charter', 'port bow', 'Booking code', 'Signed by', 'Jane Doe']) {
      expect(t).toContain(s)
    }
    // Loop header row from the item field labels, then one row per item.
    expect(t).toContain('Inspection areas')
    expect(t).toMatch(/Area Condition Severity Location/)
    expect(t).toMatch(/hull damage cosmetic port bow/)
    expect(t).toMatch(/engine ok/)
    // Dates print readably.
    expect(t).toContain('4 June 2026')
    expect(pageCount).toBe(1)
    expect(mediaBoxes[0]!.map((n) => Math.round(n * 100) / 100)).toEqual([0, 0, 595.28, 841.89])
    expect(info.Title).toBe('Charter Handover')
  })

  it('prints labeled scalars in manifest order, reading nested dot-paths', async () => {
    const { text } = await readPdf(await renderDocument(templateInput('charter-handover', 'checkout')))
    const t = flat(text)
    const order = ['Booking code', 'Activity', 'Handover checkout', 'Date', 'Signed by', 'Signature', 'Inspection areas']
    const positions = order.map((s) => t.indexOf(s))
    expect(positions.every((p) => p >= 0)).toBe(true)
    expect([...positions].sort((a, b) => a - b)).toEqual(positions)
  })

  it('formats currency, booleans, numbers and date-times readably', async () => {
    const invoice = flat((await readPdf(await renderDocument(templateInput('invoice', 'standard')))).text)
    // `invoice.currency` is EUR, so currency values carry the euro sign and two decimals.
    expect(invoice).toContain('€1,560.00')
    expect(invoice).toContain('€1,872.00')
    expect(invoice).toContain('€1,200.00')
    expect(invoice).toContain('5 June 2026')
    expect(invoice).toMatch(/Description Qty Unit price Amount/)
    const manifest: Manifest = {
      variables: [
        { key: 'flag', label: 'Passed', dataType: 'boolean' },
        { key: 'off', label: 'Off', dataType: 'boolean' },
        { key: 'count', label: 'Count', dataType: 'number' },
        { key: 'price', label: 'Price', dataType: 'currency' },
        { key: 'at', label: 'At', dataType: 'datetime' },
      ],
      loops: [],
    }
    const data = validated(manifest, { flag: 'true', off: false, count: '1234567.5', price: 9.5, at: '2026-06-04T09:30:00+02:00' })
    const t = flat((await readPdf(await renderDocument({ name: 'Formats', manifest, pageConfig: null, layout: null, templateType: 'document', data }))).text)
    expect(t).toContain('Passed Yes')
    expect(t).toContain('Off No')
    expect(t).toContain('1,234,567.5')
    expect(t).toContain('Price 9.50')
    expect(t).toContain('4 June 2026, 09:30 +02:00')
  })

  it('keeps Latin accents, Scandinavian letters, Greek and Cyrillic extractable', async () => {
    const manifest: Manifest = {
      variables: [
        { key: 'a', label: 'Skipper', dataType: 'text' },
        { key: 'b', label: 'Mate', dataType: 'text' },
        { key: 'c', label: 'Ελληνικά', dataType: 'text' },
        { key: 'd', label: 'Русский', dataType: 'longtext' },
      ],
      loops: [{ key: 'crew', label: 'Crew', itemFields: [{ key: 'name', label: 'Name', dataType: 'text' }] }],
    }
    const data = validated(manifest, {
      a: 'Tomás Ibáñez',
      b: 'Ingrid Løvaas',
      c: 'Καλημέρα κόσμε',
      d: 'Съешь же ещё этих мягких французских булок',
      crew: [{ name: 'Zoë Ørsted-Šimić' }],
    })
    const { text } = await readPdf(await renderDocument({ name: 'Ünïcødé crew list', manifest, pageConfig: null, layout: null, templateType: 'document', data }))
    const t = flat(text)
    for (const s of ['Tomás Ibáñez', 'Ingrid Løvaas', 'Καλημέρα κόσμε', 'Съешь же ещё этих мягких французских булок', 'Zoë Ørsted-Šimić', 'Ünïcødé crew list', 'Ελληνικά', 'Русский']) {
      expect(t).toContain(s)
    }
  })

  it('renders 10,000 loop rows over many pages, repeating the header row on each page', async () => {
    const manifest: Manifest = {
      variables: [{ key: 'ref', label: 'Reference', dataType: 'text' }],
      loops: [
        {
          key: 'rows',
          label: 'Rows',
          itemFields: [
            { key: 'n', label: 'Row number', dataType: 'number' },
            { key: 'item', label: 'Item name', dataType: 'text' },
          ],
        },
      ],
    }
    const rows = Array.from({ length: 10_000 }, (_, i) => ({ n: i + 1, item: `item-${i + 1}` }))
    const data = validated(manifest, { ref: 'BIG-1', rows })
    const pdf = await renderDocument({ name: 'Big table', manifest, pageConfig: null, layout: null, templateType: 'document', data })
    const { pages, pageCount } = await readPdf(pdf)
    expect(pageCount).toBeGreaterThan(100)
    for (const page of [pages[1]!, pages[pageCount - 1]!]) expect(flat(page)).toMatch(/Row number Item name/)
    expect(flat(pages[0]!)).toContain('item-1 ')
    expect(flat(pages[pageCount - 1]!)).toContain('item-10000')
    const all = flat(pages.join(' '))
    for (const probe of ['item-2500 ', 'item-5000 ', 'item-9999 ']) expect(all).toContain(probe)
  }, 120_000)

  it('renders concurrently without documents affecting each other (fonts are shared)', async () => {
    const manifest: Manifest = {
      variables: [{ key: 'who', label: 'Who', dataType: 'text' }],
      loops: [{ key: 'rows', label: 'Rows', itemFields: [{ key: 'v', label: 'Value', dataType: 'text' }] }],
    }
    const inputs = ['Ingrid Løvaas', 'Καλημέρα', 'Привет', 'Tomás'].map((who, i) => ({
      name: `Doc ${i}`,
      manifest,
      pageConfig: null,
      layout: null,
      templateType: 'document' as const,
      data: { who, rows: Array.from({ length: 600 + i * 100 }, (_, n) => ({ v: `${who} ${n}` })) },
    }))
    const sequential: Uint8Array[] = []
    for (const input of inputs) sequential.push(await renderDocument(input))
    const concurrent = await Promise.all(inputs.map((input) => renderDocument(input)))
    concurrent.forEach((pdf, i) => expect(Buffer.from(pdf).equals(Buffer.from(sequential[i]!))).toBe(true))
    expect(flat((await readPdf(concurrent[2]!)).text)).toContain('Привет 799')
  })

  it('continues after a value that runs over a page on the page where it ends', async () => {
    const manifest: Manifest = {
      variables: [
        { key: 'long', label: 'Long', dataType: 'longtext' },
        { key: 'after', label: 'After', dataType: 'text' },
      ],
      loops: [],
    }
    const long = Array.from({ length: 80 }, (_, i) => `line ${i + 1}`).join('\n')
    const pdf = await renderDocument({ name: 'Long', manifest, pageConfig: null, layout: null, templateType: 'document', data: { long, after: 'AFTER-VALUE' } })
    const { pages } = await readPdf(pdf)
    expect(pages).toHaveLength(2)
    expect(flat(pages[1]!)).toContain('line 80')
    expect(flat(pages[1]!)).toContain('AFTER-VALUE')
  })

  it('drops control characters from values', async () => {
    const manifest: Manifest = { variables: [{ key: 'a', label: 'Note', dataType: 'longtext' }], loops: [] }
    const pdf = await renderDocument({ name: 'Ctl', manifest, pageConfig: null, layout: null, templateType: 'document', data: { a: 'one\u0000two\r\nthree\u0007' } })
    const { text } = await readPdf(pdf)
    expect(text).not.toMatch(/[\u0000\u0007]/)
    expect(flat(text)).toContain('onetwo three')
  })

  it('gives the same bytes for the same input (fixed creation date)', async () => {
    const a = await renderDocument(templateInput('charter-handover', 'checkout'))
    const b = await renderDocument(templateInput('charter-handover', 'checkout'))
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true)
  })
})

describe('renderDocument: page setup', () => {
  const manifest: Manifest = { variables: [{ key: 'x', label: 'Marker', dataType: 'text' }], loops: [] }
  const render = (pageConfig: RenderDocumentInput['pageConfig']) =>
    renderDocument({ name: 'Page', manifest, pageConfig, layout: null, templateType: 'document', data: { x: 'MARK' } }).then(readPdf)

  it.each([
    ['A4 default', null, [595.28, 841.89]],
    ['Letter', { format: 'Letter' }, [612, 792]],
    ['Letter landscape', { format: 'Letter', orientation: 'landscape' as const }, [792, 612]],
    ['Legal', { format: 'legal' }, [612, 1008]],
    ['A3', { format: 'A3' }, [841.89, 1190.55]],
    ['A5 landscape', { format: 'A5', orientation: 'landscape' as const }, [595.28, 419.53]],
    ['unknown format falls back to A4', { format: 'Napkin' }, [595.28, 841.89]],
  ])('%s', async (_name, pageConfig, [w, h]) => {
    const { mediaBoxes } = await render(pageConfig)
    expect(mediaBoxes[0]![2]).toBeCloseTo(w!, 1)
    expect(mediaBoxes[0]![3]).toBeCloseTo(h!, 1)
  })

  it.each([
    ['20mm', 56.69],
    ['0.75in', 54],
    ['1cm', 28.35],
    ['36pt', 36],
    ['12px', 9],
    ['16', 12],
    ['nonsense', 56.69],
    [undefined, 56.69],
  ])('margin %s is %f pt', (margin, pt) => {
    const setup = resolvePageSetup(margin === undefined ? { format: 'A4' } : { format: 'A4', margin })
    expect(setup.margins.top).toBeCloseTo(pt, 1)
    expect(setup.margins.left).toBeCloseTo(pt, 1)
  })

  it('reads CSS shorthand margins and caps absurd ones', () => {
    expect(resolvePageSetup({ margin: '10mm 1in' }).margins).toMatchObject({ top: expect.closeTo(28.35, 1), right: 72, bottom: expect.closeTo(28.35, 1), left: 72 })
    const huge = resolvePageSetup({ format: 'A4', margin: '500mm' })
    expect(huge.margins.left).toBeLessThan(huge.width / 2)
  })

  it('places the content inside the margins', async () => {
    const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs')
    for (const [margin, x] of [['1in', 72], ['36pt', 36]] as const) {
      const pdf = await renderDocument({ name: 'Page', manifest, pageConfig: { margin }, layout: null, templateType: 'document', data: { x: 'MARK' } })
      const doc = await pdfjs.getDocument({ data: pdf.slice(), verbosity: 0 }).promise
      const page = await doc.getPage(1)
      const items = (await page.getTextContent()).items.filter((it) => 'str' in it && it.str.trim() !== '') as { str: string; transform: number[] }[]
      const [first] = items
      expect(first!.str).toBe('Page')
      expect(first!.transform[4]).toBeCloseTo(x, 0)
      // The title's baseline sits below the top margin.
      expect(page.view[3]! - first!.transform[5]!).toBeGreaterThan(x)
      await doc.destroy()
    }
  })
})

describe('renderDocument: pipelines', () => {
  const t = loadTemplate('charter-handover')
  const data = validated(t.manifest, {
    ...loadFixture('charter-handover', 'checkout'),
    handover: { kind: 'checkout', date: '2026-06-04', signedBy: 'Jane Doe', signatureUrl: 'http://127.0.0.1:9/sig.png' },
  })

  it('Document mode renders text blocks with scalars, and neither loops nor data-bound images', async () => {
    const layout = {
      pages: [
        {
          blocks: [
            { type: 'heading', props: { content: 'Handover {{ booking.code }}' } },
            { type: 'text', props: { content: 'Activity: {{booking.activityName}}; areas: {{#each areas}}[{{location}}]{{/each}} {{ areas.0.location }}' } },
            { type: 'image', props: { src: '{{ handover.signatureUrl }}' } },
          ],
        },
        { blocks: [{ type: 'text', props: { content: 'Signed by {{ handover.signedBy }}' } }] },
      ],
    }
    const fetched: string[] = []
    const pdf = await renderDocument(
      { name: t.name, manifest: t.manifest, pageConfig: t.pageConfig, layout, templateType: 'document', data },
      { fetchImage: async (url) => (fetched.push(url), new Uint8Array()) },
    )
    const { text, pageCount } = await readPdf(pdf)
    const s = flat(text)
    expect(s).toContain('Handover BK-12345')
    expect(s).toContain('Activity: Sunset Charter; areas:')
    expect(s).toContain('Signed by Jane Doe')
    expect(s).not.toContain('port bow')
    expect(s).not.toContain('cosmetic')
    expect(s).not.toContain('hull')
    expect(pageCount).toBe(2)
    expect(fetched).toEqual([])
  })

  it('Document mode without text blocks falls back to labeled scalars, still without loops', async () => {
    const pdf = await renderDocument({ name: t.name, manifest: t.manifest, pageConfig: null, layout: { pages: [{}] }, templateType: 'document', data })
    const s = flat((await readPdf(pdf)).text)
    expect(s).toContain('BK-12345')
    expect(s).not.toContain('port bow')
    expect(s).not.toContain('Inspection areas')
  })

  it('the same data on the synthesized Canvas layout does show the loop (so the test above can fail)', async () => {
    const noImage = validated(t.manifest, loadFixture('charter-handover', 'checkout'))
    const pdf = await renderDocument({ name: t.name, manifest: t.manifest, pageConfig: null, layout: null, templateType: 'document', data: noImage })
    expect(flat((await readPdf(pdf)).text)).toContain('port bow')
  })

  it('pdf-overlay renders scalars but no loop table', async () => {
    const noImage = validated(t.manifest, loadFixture('charter-handover', 'checkout'))
    const pdf = await renderDocument({ name: t.name, manifest: t.manifest, pageConfig: null, layout: null, templateType: 'pdf-overlay', data: noImage })
    const s = flat((await readPdf(pdf)).text)
    expect(s).toContain('BK-12345')
    expect(s).not.toContain('port bow')
  })

})

describe('renderDocument: CanvasDocument layouts', () => {
  it('renders blocks in order with placeholders, each-blocks, dividers and buttons', async () => {
    const t = loadTemplate('invoice')
    const data = validated(t.manifest, loadFixture('invoice', 'standard'))
    const layout = {
      version: 1,
      meta: { title: 'Invoice' },
      sections: [
        {
          id: 's1',
          type: 'section',
          rows: [
            {
              id: 'r1',
              type: 'row',
              columns: [
                { id: 'c1', type: 'column', blocks: [{ id: 'h', type: 'heading', props: { content: 'Invoice {{ invoice.number }}', as: 'h1' } }] },
                { id: 'c2', type: 'column', blocks: [{ id: 't0', type: 'text', props: { content: 'Due {{ invoice.dueOn }}', align: 'right' } }] },
              ],
            },
            {
              id: 'r2',
              type: 'row',
              columns: [
                {
                  id: 'c3',
                  type: 'column',
                  blocks: [
                    { id: 't1', type: 'text', props: { content: 'Bill to <b>{{customer.name}}</b>' } },
                    { id: 'd', type: 'divider', props: {} },
                    { id: 't2', type: 'text', props: { content: '{{#each lineItems}}{{@number}}. {{this.description}} x{{quantity}} = {{amount}}\n{{/each}}' } },
                    { id: 'hidden', type: 'text', hidden: true, props: { content: 'SECRET-HIDDEN' } },
                    { id: 't3', type: 'text', props: { content: '{{#if notes}}Note: {{notes}}{{else}}No notes{{/if}}' } },
                    { id: 'tbl', type: 'table', props: { loop: 'lineItems' } },
                    { id: 'b', type: 'button', props: { label: 'Pay {{ totals.total }}', href: '{{ paymentUrl }}' } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    }
    const pdf = await renderDocument({ name: t.name, manifest: t.manifest, pageConfig: t.pageConfig, layout, templateType: 'document', data })
    const s = flat((await readPdf(pdf)).text)
    for (const want of [
      'Invoice INV-2026-0042',
      'Due 5 July 2026',
      'Bill to Harbour Lights Ltd',
      '1. Day charter, Sunset 42 x1 = €1,200.00',
      '2. Skipper (hours) x8 = €360.00',
      'Note: Thank you for sailing with us.',
      'Description Qty Unit price Amount',
      'Pay €1,872.00',
    ]) {
      expect(s).toContain(want)
    }
    expect(s).not.toContain('SECRET-HIDDEN')
    expect(s).not.toContain('{{')
    // The layout replaces the synthesized one: no labeled "Customer" field.
    expect(s).not.toContain('Billing address')
    // The button links to the payment URL.
    expect(Buffer.from(pdf).toString('latin1')).toContain('https://pay.example.com/inv/INV-2026-0042')
  })

  it('renders an empty CanvasDocument as an empty page', async () => {
    const pdf = await renderDocument({ name: 'Empty', manifest: { variables: [], loops: [] }, pageConfig: null, layout: { sections: [] }, templateType: 'document', data: {} })
    const { pageCount, text } = await readPdf(pdf)
    expect(pageCount).toBe(1)
    expect(text.trim()).toBe('')
  })
})
