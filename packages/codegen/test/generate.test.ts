import type { Manifest } from '@galley/core'
import { describe, expect, it } from 'vitest'
import { createGeneratorCache, generateModule, type TemplateInput } from '../src/generate.ts'

const manifest = (n: number): Manifest => ({
  variables: [
    { key: `section.field${n}`, label: `Field ${n}`, dataType: 'text', required: true },
    { key: 'when', dataType: 'date' },
  ],
  loops: [{ key: 'rows', label: 'Rows', itemFields: [{ key: 'qty', dataType: 'number', required: true }] }],
})

const input = (slug: string, n = 0): TemplateInput => ({ slug, name: slug, manifest: manifest(n), sourcePath: `templates/${slug}/template.yaml` })

describe('generateModule', () => {
  it('gives the same bytes for any order of the inputs, and sorts templates by slug', async () => {
    const inputs = [input('b-two', 2), input('a-one', 1), input('c-three', 3)]
    const first = await generateModule(inputs, { cache: false })
    expect(await generateModule([...inputs].reverse(), { cache: false })).toBe(first)
    expect(first.indexOf('renderAOne(')).toBeLessThan(first.indexOf('renderBTwo('))
    expect(first.indexOf('renderBTwo(')).toBeLessThan(first.indexOf('renderCThree('))
  })

  it('writes no timestamps, absolute paths or CRs, and ends with one newline', async () => {
    const text = await generateModule([input('a-one')], { cache: false })
    expect(text).not.toMatch(/\r|\d{4}-\d{2}-\d{2}T|\/work\/|\/tmp\//)
    expect(text.endsWith('}\n')).toBe(true)
  })

  it('prints many chunks in one call exactly as one by one, whatever the names hold', async () => {
    const odd = ['NUL\u0000 in a name', 'Ünïcödé */ name', '@tag-like']
    const inputs = odd.map((name, i) => ({ ...input(`t-${i}`, i), name }))
    const batch = await generateModule(inputs, { cache: false })
    for (const t of inputs) {
      const one = await generateModule([t], { cache: false })
      const chunk = one.slice(one.indexOf("from '@galley/client';\n\n") + 25, one.indexOf('/** The `data` type of every template'))
      expect(batch).toContain(chunk)
    }
    expect(batch).not.toContain('\u0000')
  })

  it('refuses two templates with one slug, naming both sources', async () => {
    await expect(generateModule([input('a'), { ...input('a'), sourcePath: 'other/a/template.yaml' }], { cache: false })).rejects.toThrow(
      /Two templates have the slug "a": templates\/a\/template.yaml and other\/a\/template.yaml/,
    )
  })

  it('redoes only the changed template when one of many changed', async () => {
    const cache = createGeneratorCache()
    const inputs = Array.from({ length: 50 }, (_, i) => input(`t-${String(i).padStart(2, '0')}`, i))
    const cold = await generateModule(inputs, { cache })
    expect(cache.stats).toEqual({ compiled: 50, printed: 50, reused: 0 })

    expect(await generateModule(inputs, { cache })).toBe(cold)
    expect(cache.stats).toEqual({ compiled: 0, printed: 0, reused: 50 })

    const changed = inputs.map((t, i) => (i === 7 ? { ...t, manifest: manifest(1000) } : t))
    const warm = await generateModule(changed, { cache })
    expect(cache.stats).toEqual({ compiled: 1, printed: 1, reused: 49 })
    expect(warm).toBe(await generateModule(changed, { cache: false }))
    expect(warm).toContain('field1000: string;')

    // Equal manifests in new objects (every source re-read) are recognized by content, not only by identity.
    const reread = changed.map((t) => ({ ...t, manifest: structuredClone(t.manifest) }))
    expect(await generateModule(reread, { cache })).toBe(warm)
    expect(cache.stats).toEqual({ compiled: 0, printed: 0, reused: 50 })
  })

  it('reuses a data type across templates with equal manifests, and re-prints only names that changed', async () => {
    const cache = createGeneratorCache()
    await generateModule([input('invoice2', 1), input('other', 1)], { cache })
    expect(cache.stats).toMatchObject({ compiled: 1, printed: 2 })
    // `invoice-2` joins `invoice2`'s clash group as `Invoice_2`; `invoice2` keeps its name, so only the new chunk
    // is printed, and its data type comes from the cache (equal manifest).
    const text = await generateModule([input('invoice2', 1), input('other', 1), input('invoice-2', 1)], { cache })
    expect(cache.stats).toEqual({ compiled: 0, printed: 1, reused: 2 })
    expect(text).toContain('export function renderInvoice_2(data: Invoice_2Data')
    expect(text).toContain('export function renderInvoice2(data: Invoice2Data')
  })

  it('pins versionNumber in the descriptor and embeds the manifest only with preflight', async () => {
    const plain = await generateModule([input('a')], { cache: false })
    expect(plain).not.toContain('versionNumber:')
    expect(plain).not.toContain('manifest: {')
    const pinned = await generateModule([{ ...input('a'), versionNumber: 4 }], { cache: false, preflight: true })
    expect(pinned).toContain("  slug: 'a',\n  manifestHash: '")
    expect(pinned).toContain('  versionNumber: 4,\n  manifest: {\n')
    expect(pinned).toContain("{ key: 'qty', dataType: 'number', required: true }")
  })

  it('imports from another client module when asked', async () => {
    expect(await generateModule([input('a')], { cache: false, clientModule: '#craftkit-client' })).toContain(
      "import { renderTemplate as galleyRenderTemplate } from '#craftkit-client';",
    )
  })
})
