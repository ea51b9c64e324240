import type { Diagnostic } from '../../diagnostics/diagnostic.ts'
import { at } from '../helpers.ts'
import type { LintRule } from '../types.ts'

/** A loop key is one top-level property of data, so it must not collide with a scalar's first segment or a loop. */
export const loopKeyConflict: LintRule = {
  id: 'loop-key-conflict',
  severity: 'error',
  description: 'A loop key equal to the first segment of a scalar path, or two loops with one key.',
  checkTemplate(source) {
    const out: Diagnostic[] = []
    const { variables, loops } = source.template.manifest
    const seen = new Set<string>()
    for (const loop of loops) {
      if (seen.has(loop.key)) {
        out.push(
          at(this, source, ['loops', loop.key], 'key', `Two loops have the key "${loop.key}": data has one "${loop.key}" array, so both sections render the same rows.`, 'Give each loop its own key.'),
        )
      }
      seen.add(loop.key)
      const clash = variables.find((v) => v.key === loop.key || v.key.split('.')[0] === loop.key)
      if (clash) {
        out.push(
          at(
            this,
            source,
            ['loops', loop.key],
            'key',
            `Loop key "${loop.key}" is also the first segment of the variable "${clash.key}": data.${loop.key} can be either the loop's array or the scalars' object, and the loop wins, so "${clash.key}" is never accepted (sent as an object it fails with "Expected array").`,
            `Rename the loop (e.g. "${loop.key}Rows") or move the variable under another prefix.`,
          ),
        )
      }
    }
    return out
  },
}
