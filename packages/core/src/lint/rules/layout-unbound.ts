import type { Diagnostic } from '../../diagnostics/diagnostic.ts'
import { extractLayoutKeys } from '../../layout/extract-layout-keys.ts'
import type { ShapeBranch, ShapeNode } from '../../manifest/shape.ts'
import { closest, inFile, locateInLayout, shapeOf } from '../helpers.ts'
import type { LintRule } from '../types.ts'

/** A `{{ key }}` that names nothing in the manifest renders as an empty string, with no error. */
export const layoutUnbound: LintRule = {
  id: 'layout-unbound',
  severity: 'error',
  description: '`{{ key }}` in a layout that names no variable or loop.',
  checkTemplate(source) {
    const { layout, manifest } = source.template
    if (layout === undefined || layout === null) return []
    const out: Diagnostic[] = []
    const shape = shapeOf(manifest)
    for (const ref of extractLayoutKeys(layout)) {
      let scope: ShapeBranch = shape
      let where = 'the manifest'
      if (ref.loop !== undefined) {
        const loop = shape.children.get(ref.loop)
        // An unknown loop is reported at its own {{#each}}; what sits inside it cannot be checked.
        if (loop?.kind !== 'loop') continue
        scope = loop.item
        where = `the itemFields of loop "${ref.loop}"`
      }
      const node = resolve(scope, ref.key)
      if (ref.kind === 'each' ? node?.kind === 'loop' : node !== undefined) continue
      const { file, range } = locateInLayout(source, ref.path, ref.key)
      const names = listKeys(scope)
      const near = closest(ref.key, names)
      const message =
        ref.kind === 'each'
          ? node
            ? `{{#each ${ref.key}}} iterates over "${ref.key}", which is not a loop: the block renders no rows.`
            : `{{#each ${ref.key}}} names no loop in the manifest: the block renders no rows, with no error.`
          : ref.helper
            ? `{{${ref.helper} ${ref.key}}} passes "${ref.key}", which names nothing in ${where}: the helper gets undefined, with no error.`
            : `{{ ${ref.key} }} names nothing in ${where}: it renders as an empty string, with no error.`
      const hint = near ? `Did you mean "${near}"?` : ref.kind === 'each' ? `Declare "${ref.key}" under loops, or fix the name.` : `Declare "${ref.key}"${ref.loop ? ` in the itemFields of "${ref.loop}"` : ' under variables'}, or fix the name.`
      out.push(inFile(this, file, range, message, hint))
    }
    return out
  },
}

/** The node a dotted key names in a shape (`customer.name`, or `customer` for the whole branch). */
function resolve(scope: ShapeBranch, key: string): ShapeNode | undefined {
  // A literal key first: a dotted loop key is one property.
  const literal = scope.children.get(key)
  if (literal) return literal
  let node: ShapeNode | undefined = scope
  for (const segment of key.split('.')) {
    if (node?.kind !== 'branch') return undefined
    node = node.children.get(segment)
  }
  return node
}

function listKeys(scope: ShapeBranch, prefix = ''): string[] {
  const out: string[] = []
  for (const [key, node] of scope.children) {
    out.push(prefix + key)
    if (node.kind === 'branch') out.push(...listKeys(node, `${prefix}${key}.`))
  }
  return out
}
