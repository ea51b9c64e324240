/**
 * @module Remote template -> `template.yaml`, for `galley pull`. A new file is written in the repo's style; an
 * existing file is edited in place through the `yaml` Document API, so comments, key order, flow/block style and
 * the fields the API never returns (`pageConfig`, `layout`) survive where only values changed.
 */
import { canonicalManifest, stableStringify, type LoopDefinition, type Manifest, type VariableDefinition } from '@galley/core'
import { Document, isMap, isScalar, isSeq, parseDocument, YAMLMap, type Node, type Pair } from 'yaml'

/** The parts of a remote template that a source holds. */
export interface PulledTemplate {
  slug: string
  name: string
  description: string | null
  templateType: 'document' | 'pdf-overlay'
  manifest: Manifest
}

const HEADER = 'yaml-language-server: $schema=../../node_modules/@galley/core/template.schema.json'

/** The text of a new template.yaml for a remote template. */
export function newSourceText(t: PulledTemplate, origin: string): string {
  const doc = new Document<YAMLMap>({})
  const root = doc.contents!
  root.set('slug', t.slug)
  root.set('name', t.name)
  if (t.description) root.set('description', t.description)
  if (t.templateType !== 'document') root.set('templateType', t.templateType)
  const m = canonicalManifest(t.manifest)
  if (m.variables.length > 0) root.set('variables', fieldsNode(doc, m.variables))
  if (m.loops.length > 0) {
    const loops = new YAMLMap()
    for (const loop of m.loops) loops.set(loop.key, loopNode(doc, loop))
    root.set('loops', loops)
  }
  doc.commentBefore = ` ${HEADER}\n ${origin}\n pageConfig and layout are not returned by the Craftkit API: add them here if the template uses them.`
  return doc.toString({ lineWidth: 0 })
}

export interface UpdateResult {
  text: string
  /** What differed: `name`, `description`, `templateType`, `variables`, `loops`. */
  changed: string[]
}

/**
 * Edits an existing template.yaml to hold the remote's name, description, templateType and manifest.
 *
 * When only values changed (a label, a dataType, `required`, the name), each changed node is replaced in the
 * original text at its source range, so everything else (comments, key order, column alignment, blank lines)
 * stays byte for byte. When keys are added, removed or reordered, the edited Document is printed instead: pairs
 * that stay keep their comments and order, and new keys follow the manifest's order.
 */
export function updateSourceText(text: string, t: PulledTemplate): UpdateResult {
  const doc = parseDocument(text)
  if (doc.errors.length > 0) throw new Error(`it is not valid YAML (${doc.errors[0]!.message.split('\n')[0]})`)
  if (!isMap(doc.contents)) throw new Error('it is not a YAML map')
  const root = doc.contents as YAMLMap
  const edit: Edit = { doc, splices: new Set(), structural: false }
  const changed: string[] = []
  if (setScalar(edit, root, 'name', t.name)) changed.push('name')
  if (setScalar(edit, root, 'description', t.description || undefined)) changed.push('description')
  const type = root.get('templateType') ?? 'document'
  if (type !== t.templateType) {
    setScalar(edit, root, 'templateType', t.templateType === 'document' ? undefined : t.templateType)
    changed.push('templateType')
  }
  const m = canonicalManifest(t.manifest)
  if (syncFields(edit, root, 'variables', m.variables)) changed.push('variables')
  if (syncLoops(edit, root, m.loops)) changed.push('loops')
  if (changed.length === 0) return { text, changed }
  if (edit.structural) return { text: doc.toString({ lineWidth: 0 }), changed }
  // Value-only edits: splice each changed node's new text over its old source range, last first.
  let out = text
  const nodes = [...edit.splices].sort((a, b) => b.range![0] - a.range![0])
  for (const node of nodes) out = out.slice(0, node.range![0]) + renderNode(node) + out.slice(node.range![1])
  return { text: out, changed }
}

interface Edit {
  doc: Document
  /** Nodes whose text is replaced in place (scalars and flow maps). */
  splices: Set<Node>
  /** Set when keys were added, removed or reordered (or a block node changed): the whole document is printed. */
  structural: boolean
}

/** Sets (or deletes, for undefined) a scalar-valued key; returns whether it changed. */
function setScalar(edit: Edit, map: YAMLMap, key: string, value: string | boolean | undefined, container?: Node): boolean {
  const node = map.get(key, true)
  const have = isScalar(node) ? node.value : node
  if (have === value || (value === undefined && !map.has(key))) return false
  if (value === undefined) {
    map.delete(key)
    markStructural(edit, container)
  } else if (isScalar(node) && node.range) {
    node.value = value
    edit.splices.add(container ?? node)
  } else {
    map.set(key, value)
    markStructural(edit, container)
  }
  return true
}

/** Inside a flow map a new/removed key is still a value-only edit of that map; elsewhere it is structural. */
function markStructural(edit: Edit, container: Node | undefined): void {
  if (container) edit.splices.add(container)
  else edit.structural = true
}

function renderNode(node: Node): string {
  const doc = new Document()
  doc.contents = node
  return doc.toString({ lineWidth: 0 }).replace(/\n$/, '')
}

function syncFields(edit: Edit, parent: YAMLMap, key: string, fields: readonly VariableDefinition[]): boolean {
  const map = parent.get(key, true)
  if (!isMap(map)) {
    if (fields.length === 0) {
      if (parent.has(key)) {
        parent.delete(key)
        edit.structural = true
        return true
      }
      return false
    }
    parent.set(key, fieldsNode(edit.doc, fields))
    edit.structural = true
    return true
  }
  let changed = false
  const wanted = new Set(fields.map((f) => f.key))
  for (const pair of [...map.items]) {
    if (!wanted.has(keyOf(pair))) {
      map.items.splice(map.items.indexOf(pair), 1)
      edit.structural = true
      changed = true
    }
  }
  for (const field of fields) {
    const node = map.get(field.key, true)
    if (!isMap(node)) {
      map.set(field.key, fieldNode(edit.doc, field))
      edit.structural = true
      changed = true
      continue
    }
    // A flow map (`{ label: …, dataType: … }`) is re-printed as a whole; a block map changes the layout.
    const container = node.flow && node.range ? node : undefined
    const before: boolean = changed
    changed = setScalar(edit, node, 'label', field.label, container) || changed
    changed = setScalar(edit, node, 'dataType', field.dataType, container) || changed
    const required = node.get('required')
    if (field.required && required !== true) changed = setScalar(edit, node, 'required', true, container) || changed
    else if (!field.required && required === true) changed = setScalar(edit, node, 'required', undefined, container) || changed
    if (changed !== before && !container) edit.structural = true
  }
  if (reorder(map, fields.map((f) => f.key))) {
    edit.structural = true
    changed = true
  }
  return changed
}

function syncLoops(edit: Edit, root: YAMLMap, loops: readonly LoopDefinition[]): boolean {
  const map = root.get('loops', true)
  if (!isMap(map)) {
    if (loops.length === 0) return false
    const node = new YAMLMap()
    for (const loop of loops) node.set(loop.key, loopNode(edit.doc, loop))
    root.set('loops', node)
    edit.structural = true
    return true
  }
  let changed = false
  const wanted = new Set(loops.map((l) => l.key))
  for (const pair of [...map.items]) {
    if (!wanted.has(keyOf(pair))) {
      map.items.splice(map.items.indexOf(pair), 1)
      edit.structural = true
      changed = true
    }
  }
  for (const loop of loops) {
    const node = map.get(loop.key, true)
    if (!isMap(node)) {
      map.set(loop.key, loopNode(edit.doc, loop))
      edit.structural = true
      changed = true
      continue
    }
    changed = setScalar(edit, node, 'label', loop.label) || changed
    changed = syncFields(edit, node, 'itemFields', loop.itemFields) || changed
    const preview = node.get('previewData', true)
    const current = isSeq(preview) ? preview.toJSON() : []
    if (stableStringify(current) !== stableStringify(loop.previewData ?? [])) {
      if (loop.previewData && loop.previewData.length > 0) node.set('previewData', previewNode(edit.doc, loop.previewData))
      else node.delete('previewData')
      edit.structural = true
      changed = true
    }
  }
  if (reorder(map, loops.map((l) => l.key))) {
    edit.structural = true
    changed = true
  }
  if (map.items.length === 0) root.delete('loops')
  return changed
}

function reorder(map: YAMLMap, order: readonly string[]): boolean {
  const current = map.items.map((p) => keyOf(p as Pair))
  if (current.length === order.length && current.every((k, i) => k === order[i])) return false
  const byKey = new Map(map.items.map((p) => [keyOf(p as Pair), p]))
  map.items = order.map((k) => byKey.get(k)!).filter(Boolean)
  return true
}

function keyOf(pair: Pair | unknown): string {
  const key = (pair as Pair).key as unknown
  if (key && typeof key === 'object' && 'value' in key) return String((key as { value: unknown }).value)
  return String(key)
}

function fieldsNode(doc: Document, fields: readonly VariableDefinition[]): YAMLMap {
  const map = new YAMLMap()
  for (const field of fields) map.set(field.key, fieldNode(doc, field))
  return map
}

function fieldNode(doc: Document, field: VariableDefinition): YAMLMap {
  const value: Record<string, unknown> = {}
  if (field.label !== undefined) value.label = field.label
  value.dataType = field.dataType
  if (field.required) value.required = true
  const node = doc.createNode(value) as YAMLMap
  node.flow = true
  return node
}

function loopNode(doc: Document, loop: LoopDefinition): YAMLMap {
  const node = new YAMLMap()
  node.set('label', loop.label)
  node.set('itemFields', fieldsNode(doc, loop.itemFields))
  if (loop.previewData && loop.previewData.length > 0) node.set('previewData', previewNode(doc, loop.previewData))
  return node
}

function previewNode(doc: Document, rows: readonly Record<string, unknown>[]) {
  const seq = doc.createNode(rows)
  if (isSeq(seq)) for (const item of seq.items) if (isMap(item)) item.flow = true
  return seq
}
