import type { Diagnostic } from '../../diagnostics/diagnostic.ts'
import type { ShapeBranch } from '../../manifest/shape.ts'
import type { Manifest } from '../../manifest/types.ts'
import { at, closest, inFile, locateInFixture, rowManifest, rowOwner, shapeOf, splitDataPath, validateCached } from '../helpers.ts'
import type { LintRule } from '../types.ts'

/** Keys the server strips without an error: usually typos, and the field renders blank. */
export const fixtureStrippedKey: LintRule = {
  id: 'fixture-stripped-key',
  severity: 'warning',
  description: 'Fixture or previewData keys the server would silently strip (typos).',
  checkTemplate(source) {
    const out: Diagnostic[] = []
    const stripped = (manifest: Manifest, data: unknown, owner: object) => {
      const result = validateCached(manifest, data, owner)
      if (result.stripped.length === 0) return []
      const shape = shapeOf(manifest)
      return result.stripped.map((dotted) => {
        const path = splitDataPath(data, dotted)
        const flat = path.length === 1 && manifest.variables.some((v) => v.key === path[0]) ? path[0] : undefined
        return { path, suggestion: suggestion(shape, path), flat }
      })
    }
    for (const fixture of source.fixtures) {
      for (const { path, suggestion: s, flat } of stripped(source.template.manifest, fixture.data, fixture)) {
        out.push(
          inFile(
            this,
            fixture.file,
            locateInFixture(fixture, path, 'key'),
            `Fixture "${fixture.name}" sends "${path.join('.')}", which the manifest does not declare: the server strips it silently, so it renders nothing.`,
            flat
              ? `Scalar keys nest by dot-path: send ${nested(flat)}, not "${flat}" as one key.`
              : s
                ? `Did you mean "${s}"?`
                : 'Declare it as a variable, or remove it from the fixture.',
          ),
        )
      }
    }
    for (const loop of source.template.manifest.loops) {
      const manifest = rowManifest(loop.itemFields)
      ;(loop.previewData ?? []).forEach((row, i) => {
        for (const { path, suggestion: s } of stripped(manifest, row, rowOwner(loop, i))) {
          out.push(
            at(
              this,
              source,
              ['loops', loop.key, 'previewData', i, ...path],
              'key',
              `previewData row ${i + 1} of "${loop.key}" has "${path.join('.')}", which is not one of its itemFields: it is stripped and shows nothing in the preview.`,
              s ? `Did you mean "${s}"?` : `Add "${path.join('.')}" to itemFields, or remove it from the row.`,
            ),
          )
        }
      })
    }
    return out
  },
}

/** A declared sibling close to the stripped key, as a full dotted path. */
function suggestion(shape: ShapeBranch, path: string[]): string | undefined {
  let node: ShapeBranch = shape
  const prefix: string[] = []
  for (const segment of path.slice(0, -1)) {
    const next = node.children.get(segment)
    if (next?.kind === 'branch') node = next
    else if (next?.kind === 'loop') node = next.item
    else if (/^\d+$/.test(segment)) {
      prefix.push(segment)
      continue
    } else return undefined
    prefix.push(segment)
  }
  const match = closest(path[path.length - 1]!, node.children.keys())
  return match === undefined ? undefined : [...prefix, match].join('.')
}

/** `a.b.c` as the nested object a reader should send: `{ "a": { "b": { "c": … } } }`. */
function nested(dotted: string): string {
  return dotted.split('.').reduceRight((inner, key) => `{ "${key}": ${inner} }`, '…')
}
