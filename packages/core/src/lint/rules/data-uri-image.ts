import type { Diagnostic } from '../../diagnostics/diagnostic.ts'
import { fieldsShape, type ShapeBranch } from '../../manifest/shape.ts'
import type { VariableDefinition } from '../../manifest/types.ts'
import { isDataUri } from '../../validate/validate-data.ts'
import { at, inFile, locateInFixture, shapeOf } from '../helpers.ts'
import type { LintRule } from '../types.ts'

/** API.md §5.2 / IS: image and url values must be http(s); `data:` URIs fail the render with invalid_input_data. */
export const dataUriImage: LintRule = {
  id: 'data-uri-image',
  severity: 'error',
  description: '`image`/`url` previewData or fixture values that are `data:` URIs (rejected).',
  checkTemplate(source) {
    const out: Diagnostic[] = []
    const message = (where: string, field: VariableDefinition) =>
      `${where} is a data: URI, but ${field.dataType} values must be http(s) URLs: the render is rejected with 400 invalid_input_data.`
    const hint = (field: VariableDefinition) =>
      `Host the file and send its https URL, or declare "${field.key}" as \`dataType: text\` (any string passes) and draw it on Canvas, whose HTML accepts data:image sources.`
    for (const loop of source.template.manifest.loops) {
      const shape = fieldsShape(loop.itemFields)
      ;(loop.previewData ?? []).forEach((row, i) => {
        walkUrls(shape, row, [], (field, path) => {
          out.push(at(this, source, ['loops', loop.key, 'previewData', i, ...path], 'value', message(`previewData row ${i + 1} of "${loop.key}", field "${field.key}",`, field), hint(field)))
        })
      })
    }
    const shape = shapeOf(source.template.manifest)
    for (const fixture of source.fixtures) {
      walkUrls(shape, fixture.data, [], (field, path) => {
        out.push(inFile(this, fixture.file, locateInFixture(fixture, path, 'value'), message(`Fixture "${fixture.name}" at ${path.join('.')}`, field), hint(field)))
      })
    }
    return out
  },
}

/** Calls `visit` for every image/url value of `data` that is a data: URI, following the shape like the validator. */
function walkUrls(shape: ShapeBranch, data: unknown, path: (string | number)[], visit: (field: VariableDefinition, path: (string | number)[]) => void): void {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return
  for (const [key, node] of shape.children) {
    if (!Object.hasOwn(data, key)) continue
    const value = (data as Record<string, unknown>)[key]
    if (node.kind === 'leaf') {
      if ((node.field.dataType === 'image' || node.field.dataType === 'url') && isDataUri(value)) visit(node.field, [...path, key])
    } else if (node.kind === 'branch') walkUrls(node, value, [...path, key], visit)
    else if (Array.isArray(value)) value.forEach((row, i) => walkUrls(node.item, row, [...path, key, i], visit))
  }
}
