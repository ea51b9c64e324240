import { at } from '../helpers.ts'
import type { LintRule } from '../types.ts'

/** API.md §5.4: loop keys are literal, top-level and dot-free. */
export const loopKeyDot: LintRule = {
  id: 'loop-key-dot',
  severity: 'error',
  description: 'A loop key with a dot: rejected at publish (invalid_loop_key); on dashboard templates the rows silently bind to nothing.',
  checkTemplate(source) {
    return source.template.manifest.loops
      .filter((loop) => loop.key.includes('.'))
      .map((loop) => {
        const flat = loop.key.split('.').filter(Boolean).pop() ?? 'rows'
        return at(
          this,
          source,
          ['loops', loop.key],
          'key',
          `Loop key "${loop.key}" contains a dot: publishing fails with 400 invalid_loop_key, and where such a loop exists (dashboard templates) rows sent nested as data.${loop.key} are stripped and the section renders empty with no error.`,
          `Rename the loop to a dot-free top-level key such as "${flat}", and send its rows as data.${flat}.`,
        )
      })
  },
}
