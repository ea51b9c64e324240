import type { Diagnostic } from '../../diagnostics/diagnostic.ts'
import type { TemplateSource } from '../../source/template-source.ts'
import { at } from '../helpers.ts'
import type { LintRule } from '../types.ts'

/** Two sources that publish to one slug: each publish would overwrite the other as a new version. */
export const duplicateSlug: LintRule = {
  id: 'duplicate-slug',
  severity: 'error',
  description: 'Two sources with one slug.',
  checkProject(sources) {
    const bySlug = new Map<string, TemplateSource[]>()
    for (const s of sources) {
      if (!s.template) continue
      const list = bySlug.get(s.template.slug) ?? []
      list.push(s)
      bySlug.set(s.template.slug, list)
    }
    const out: Diagnostic[] = []
    for (const [slug, list] of bySlug) {
      if (list.length < 2) continue
      const [first, ...rest] = list
      for (const s of rest) {
        out.push(
          at(
            this,
            s,
            ['slug'],
            'value',
            `slug "${slug}" is also used by ${first!.file}: both publish to PUT /v1/templates/${slug}, so each publish replaces the other as a new version.`,
            'Give each template its own slug (and folder).',
          ),
        )
      }
    }
    return out
  },
}
