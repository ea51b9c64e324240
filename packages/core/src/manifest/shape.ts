import type { LoopDefinition, Manifest, VariableDefinition } from './types.ts'

/**
 * The object shape a manifest describes, as the Craftkit validator builds it (API.md §5.4): scalar keys nest by
 * dot-path, loop keys are one literal top-level property. The JSON Schema and the data validator both walk this
 * tree, so the two cannot disagree.
 */
export type ShapeNode = ShapeLeaf | ShapeBranch | ShapeLoop

export interface ShapeLeaf {
  kind: 'leaf'
  field: VariableDefinition
}

export interface ShapeBranch {
  kind: 'branch'
  /** Children in manifest order. */
  children: Map<string, ShapeNode>
}

export interface ShapeLoop {
  kind: 'loop'
  loop: LoopDefinition
  /** The shape of one row: item fields nest by dot-path like scalars (undocumented upstream; see README). */
  item: ShapeBranch
}

/** Builds the shape of a whole manifest: scalars first, then loops as literal top-level keys. */
export function manifestShape(manifest: Manifest): ShapeBranch {
  const root = fieldsShape(manifest.variables)
  // A loop key that collides with a scalar's first segment replaces it: the later property of the validator's
  // object shape wins. Lint reports the collision as `loop-key-conflict`.
  for (const loop of manifest.loops) {
    root.children.set(loop.key, { kind: 'loop', loop, item: fieldsShape(loop.itemFields) })
  }
  return root
}

/** Nests dot-path fields into a tree. */
export function fieldsShape(fields: readonly VariableDefinition[]): ShapeBranch {
  const root: ShapeBranch = { kind: 'branch', children: new Map() }
  for (const field of fields) {
    const segments = field.key.split('.')
    let node = root
    for (let i = 0; i < segments.length - 1; i++) {
      const segment = segments[i]!
      const existing = node.children.get(segment)
      if (existing?.kind === 'branch') {
        node = existing
        continue
      }
      // `customer` declared as a scalar and `customer.name` too: the branch wins, as an object shape can only
      // hold one schema per key. Lint reports it as `key-shape-conflict`.
      const branch: ShapeBranch = { kind: 'branch', children: new Map() }
      node.children.set(segment, branch)
      node = branch
    }
    const last = segments[segments.length - 1]!
    if (node.children.get(last)?.kind === 'branch') continue
    node.children.set(last, { kind: 'leaf', field })
  }
  return root
}

/** Whether a branch has at least one required leaf below it (then a missing object reports its leaves). */
export function hasRequiredLeaf(node: ShapeNode): boolean {
  if (node.kind === 'leaf') return node.field.required === true
  if (node.kind === 'loop') return false
  for (const child of node.children.values()) if (hasRequiredLeaf(child)) return true
  return false
}
