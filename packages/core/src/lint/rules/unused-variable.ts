import type { Diagnostic } from '../../diagnostics/diagnostic.ts'
import { extractLayoutKeys } from '../../layout/extract-layout-keys.ts'
import { at } from '../helpers.ts'
import type { LintRule } from '../types.ts'

/** With an explicit layout, a variable the layout never mentions is validated and then never printed. */
export const unusedVariable: LintRule = {
  id: 'unused-variable',
  severity: 'warning',
  description: 'A variable, loop or item field that an explicit layout never references.',
  checkTemplate(source) {
    const { layout, manifest } = source.template
    if (layout === undefined || layout === null) return []
    const refs = extractLayoutKeys(layout)
    const top = refs.filter((r) => r.loop === undefined).map((r) => r.key)
    // A reference to `customer` uses every `customer.*`; one to `customer.name` uses that leaf.
    const used = (key: string, keys: string[]) => keys.some((k) => k === key || key.startsWith(`${k}.`))
    const out: Diagnostic[] = []
    const hint = 'Reference it in the layout (`{{ key }}`), or remove it from the manifest if nothing needs it.'
    for (const v of manifest.variables) {
      if (!used(v.key, top)) {
        out.push(at(this, source, ['variables', v.key], 'key', `Variable "${v.key}" is never referenced by the layout: data sent for it is validated (and can fail the render) but never printed.`, hint))
      }
    }
    for (const loop of manifest.loops) {
      if (!top.includes(loop.key)) {
        out.push(at(this, source, ['loops', loop.key], 'key', `Loop "${loop.key}" is never referenced by the layout ({{#each ${loop.key}}}): its rows are validated but never printed.`, hint))
        continue
      }
      const inside = refs.filter((r) => r.loop === loop.key).map((r) => r.key)
      for (const f of loop.itemFields) {
        if (!used(f.key, inside)) {
          out.push(at(this, source, ['loops', loop.key, 'itemFields', f.key], 'key', `Item field "${f.key}" of loop "${loop.key}" is never referenced inside {{#each ${loop.key}}}: it is validated but never printed.`, hint))
        }
      }
    }
    return out
  },
}
