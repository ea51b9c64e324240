import type { Diagnostic } from '../../diagnostics/diagnostic.ts'
import type { VariableDefinition } from '../../manifest/types.ts'
import { at } from '../helpers.ts'
import type { LintRule } from '../types.ts'

/** `customer` and `customer.name` both scalars: a key cannot be a leaf and a branch of the data object at once. */
export const keyShapeConflict: LintRule = {
  id: 'key-shape-conflict',
  severity: 'error',
  description: '`customer` and `customer.name` both declared: one key is a leaf and a branch.',
  checkTemplate(source) {
    const out: Diagnostic[] = []
    const check = (fields: VariableDefinition[], path: string[], where: string): void => {
      const keys = fields.map((f) => f.key)
      for (const key of keys) {
        const branch = keys.find((k) => k.startsWith(`${key}.`))
        if (!branch) continue
        out.push(
          at(
            this,
            source,
            [...path, key],
            'key',
            `"${key}" is a scalar${where}, but "${branch}" makes "${key}" an object: data.${key} can only be one of them, the object wins, and a value sent for "${key}" fails validation (Expected object).`,
            `Rename "${key}" (e.g. "${key}Text") or nest it as "${key}.value".`,
          ),
        )
      }
    }
    check(source.template.manifest.variables, ['variables'], '')
    for (const loop of source.template.manifest.loops) check(loop.itemFields, ['loops', loop.key, 'itemFields'], ` in the rows of loop "${loop.key}"`)
    return out
  },
}
