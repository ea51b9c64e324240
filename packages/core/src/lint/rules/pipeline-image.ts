import { PIPELINE_CAPABILITIES, PIPELINE_NAMES, resolvePipeline } from '../../pipeline/resolve-pipeline.ts'
import { at } from '../helpers.ts'
import type { LintRule } from '../types.ts'

/** API.md §6.2: Document mode draws images from a static builder `src`, never from data. */
export const pipelineImage: LintRule = {
  id: 'pipeline-image',
  severity: 'error',
  description: '`image` variables on Document mode (never rendered from data).',
  checkTemplate(source) {
    const pipeline = resolvePipeline(source.template)
    if (PIPELINE_CAPABILITIES[pipeline].dataImages) return []
    return source.template.manifest.variables
      .filter((v) => v.dataType === 'image')
      .map((v) =>
        at(
          this,
          source,
          ['variables', v.key, 'dataType'],
          'value',
          `Image variable "${v.key}" will never be drawn: ${PIPELINE_NAMES[pipeline]} (a layout with \`pages\`) only shows images with a static src, so the URL sent in data is accepted and ignored.`,
          'Use a canvas layout (`sections`) or omit `layout`; for a signature on Document mode, use the text signature block (line + name/date).',
        ),
      )
  },
}
