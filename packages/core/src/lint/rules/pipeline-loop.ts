import { PIPELINE_CAPABILITIES, PIPELINE_NAMES, resolvePipeline } from '../../pipeline/resolve-pipeline.ts'
import { at } from '../helpers.ts'
import type { LintRule } from '../types.ts'

/** API.md §6.2: only Canvas renders loops; Document mode and PDF overlay accept the rows and print nothing. */
export const pipelineLoop: LintRule = {
  id: 'pipeline-loop',
  severity: 'error',
  description: 'Loops on Document mode or PDF overlay (they bind at the API and render nothing).',
  checkTemplate(source) {
    const pipeline = resolvePipeline(source.template)
    if (PIPELINE_CAPABILITIES[pipeline].loops) return []
    const why = pipeline === 'pdf-overlay' ? 'templateType: pdf-overlay' : 'its layout has `pages`'
    return source.template.manifest.loops.map((loop) =>
      at(
        this,
        source,
        ['loops', loop.key],
        'key',
        `Loop "${loop.key}" will render nothing: this template renders on ${PIPELINE_NAMES[pipeline]} (${why}), which accepts loop rows at the API and never prints them, with no error.`,
        pipeline === 'pdf-overlay'
          ? 'PDF overlays have fixed fields: use scalar variables (row1.item, row2.item, ...) or move the template to a canvas layout.'
          : 'Use a canvas layout (`sections`) or omit `layout` so Craftkit synthesizes one with a repeating table.',
      ),
    )
  },
}
