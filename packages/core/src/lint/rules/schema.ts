import type { Diagnostic } from '../../diagnostics/diagnostic.ts'
import { SLUG_PATTERN } from '../../manifest/types.ts'
import { at } from '../helpers.ts'
import type { LintRule } from '../types.ts'

/**
 * The shape of a template file. The loader checks each file against `template.schema.json` (unknown dataType,
 * bad slug, name/description length, empty `itemFields`, more than 10 previewData rows) and reports under this
 * id; this rule adds what needs the folder: the slug must equal the folder name.
 */
export const schema: LintRule = {
  id: 'schema',
  severity: 'error',
  description: 'Unknown dataType, bad slug, name/description length, empty `itemFields`, > 10 previewData rows, slug != folder.',
  checkTemplate(source) {
    const { template } = source
    const out: Diagnostic[] = []
    for (const loop of template.manifest.loops) {
      if (loop.itemFields.length === 0) {
        out.push(
          at(this, source, ['loops', loop.key, 'itemFields'], 'key', `Loop "${loop.key}" has no itemFields: Craftkit rejects the template at publish (400 invalid_request; a loop needs at least one field).`, 'Declare the fields of one row under itemFields.'),
        )
      }
    }
    if (template.slug !== source.slug) {
      const folderOk = SLUG_PATTERN.test(source.slug)
      out.push(
        at(
          this,
          source,
          ['slug'],
          'value',
          `slug "${template.slug}" differs from its folder "${source.slug}": Galley publishes by slug and finds sources by folder, so plan, publish and generate would disagree about this template.`,
          folderOk ? `Set \`slug: ${source.slug}\`, or rename the folder to "${template.slug}".` : `Rename the folder to "${template.slug}".`,
        ),
      )
    }
    return out
  },
}
