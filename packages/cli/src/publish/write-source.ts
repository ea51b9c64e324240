/**
 * @module Remote template -> `template.yaml`, for `galley pull`. A new file is written in the repo's style; an
 * existing file is edited in place through the `yaml` Document API, so comments, key order, flow/block style and
 * the fields the API never returns (`pageConfig`, `layout`) survive where only values changed.
 */
import { canonicalManifest, stableStringify, type LoopDefinition, type Manifest, type VariableDefinition } from '@galley/core'
import { Document, isMap, isSeq, parseDocument, YAMLMap, type Pair } from 'yaml'

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
 * Edits an existing template.yaml to hold the remote's name, description, templateType and manifest. Pairs that
 * stay are edited in place (their comments stay with them); new keys are appended in the manifest's order, and
 * the map is reordered only when the manifest order differs from the file's.
 */
export function updateSourceText(text: string, t: PulledTemplate): UpdateResult {
  const doc = parseDocument(text, { keepSourceTokens: false })
  if (doc.errors.length > 0) throw new Error(`it is not valid YAML (${doc.errors[0]!.message.split('\n')[0]})`)
  if (!isMap(doc.contents)) throw new Error('it is not a YAML map')
  const root = doc.contents as YAMLMap
  const changed: string[] = []
  if (root.get('name') !== t.name) {
    root.set('name', t.name)
    changed.push('name')
  }
  const description = root.get('description')
  if ((description ?? null) !== (t.description || null)) {
    if (t.description) root.set('description', t.description)
    else root.delete('description')
    changed.push('description')
  }
  const type = root.get('templateType') ?? 'document'
  if (type !== t.templateType) {
    if (t.templateType === 'document') root.delete('templateType')
    else root.set('templateType', t.templateType)
    changed.push('templateType')
  }
  const m = canonicalManifest(t.manifest)
  if (syncFields(doc, root, 'variables', m.variables)) changed.push('variables')
  if (syncLoops(doc, root, m.loops)) changed.push('loops')
  return { text: changed.length ? doc.toString({ lineWidth: 0 }) : text, changed }
}

function syncFields(doc: Document, parent: YAMLMap, key: string, fields: readonly VariableDefinition[]): boolean {
  const map = parent.get(key, true)
  if (!isMap(map)) {
    if (fields.length === 0) {
      if (parent.has(key)) {
        parent.delete(key)
        return true
      }
      return false
    }
    parent.set(key, fieldsNode(doc, fields))
    return true
  }
  let changed = false
  const wanted = new Set(fields.map((f) => f.key))
  for (const pair of [...map.items]) {
    if (!wanted.has(keyOf(pair))) {
      map.items.splice(map.items.indexOf(pair), 1)
      changed = true
    }
  }
  for (const field of fields) {
    const node = map.get(field.key, true)
    if (isMap(node)) {
      changed = setIfDifferent(node, 'label', field.label) || changed
      changed = setIfDifferent(node, 'dataType', field.dataType) || changed
      const required = node.get('required')
      if (field.required && required !== true) {
        node.set('required', true)
        changed = true
      } else if (!field.required && required === true) {
        node.delete('required')
        changed = true
      }
    } else {
      map.set(field.key, fieldNode(doc, field))
      changed = true
    }
  }
  return reorder(map, fields.map((f) => f.key)) || changed
}

function syncLoops(doc: Document, root: YAMLMap, loops: readonly LoopDefinition[]): boolean {
  const map = root.get('loops', true)
  if (!isMap(map)) {
    if (loops.length === 0) return false
    const node = new YAMLMap()
    for (const loop of loops) node.set(loop.key, loopNode(doc, loop))
    root.set('loops', node)
    return true
  }
  let changed = false
  const wanted = new Set(loops.map((l) => l.key))
  for (const pair of [...map.items]) {
    if (!wanted.has(keyOf(pair))) {
      map.items.splice(map.items.indexOf(pair), 1)
      changed = true
    }
  }
  for (const loop of loops) {
    const node = map.get(loop.key, true)
    if (!isMap(node)) {
      map.set(loop.key, loopNode(doc, loop))
      changed = true
      continue
    }
    changed = setIfDifferent(node, 'label', loop.label) || changed
    changed = syncFields(doc, node, 'itemFields', loop.itemFields) || changed
    const preview = node.get('previewData', true)
    const current = isSeq(preview) ? preview.toJSON() : []
    if (stableStringify(current) !== stableStringify(loop.previewData ?? [])) {
      if (loop.previewData && loop.previewData.length > 0) node.set('previewData', previewNode(doc, loop.previewData))
      else node.delete('previewData')
      changed = true
    }
  }
  changed = reorder(map, loops.map((l) => l.key)) || changed
  if (map.items.length === 0) root.delete('loops')
  return changed
}

/** Sets `key` to `value` (deletes it when undefined) unless the node already holds it. */
function setIfDifferent(node: YAMLMap, key: string, value: string | undefined): boolean {
  const have = node.get(key)
  if (have === value || (value === undefined && !node.has(key))) return false
  if (value === undefined) node.delete(key)
  else node.set(key, value)
  return true
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
