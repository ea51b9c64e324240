import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml'

/** A 1-based span in a file. */
export interface SourceRange {
  line: number
  column: number
  endLine: number
  endColumn: number
}

/** Where a node sits: the key of its pair (for map entries) and its value. */
export interface NodeLocation {
  key?: SourceRange
  value: SourceRange
}

/**
 * Positions of the nodes of one parsed file, keyed by the JSON path of the node (`pathKey(['variables',
 * 'booking.code', 'dataType'])`). A plain object so that a `TemplateSource` stays copyable and serialisable.
 */
export interface SourceLocations {
  /** Posix path relative to the project root. */
  file: string
  nodes: Record<string, NodeLocation>
}

/** The key of a JSON path in `SourceLocations.nodes`. */
export function pathKey(path: readonly (string | number)[]): string {
  return JSON.stringify(path.map(String))
}

/** 1-based line and column of a character offset. */
export function offsetToPosition(lineCounter: LineCounter, offset: number): { line: number; column: number } {
  const p = lineCounter.linePos(offset)
  return { line: p.line, column: p.col }
}

export function rangeOf(lineCounter: LineCounter, start: number, end: number): SourceRange {
  const a = offsetToPosition(lineCounter, start)
  const b = offsetToPosition(lineCounter, Math.max(start, end))
  return { line: a.line, column: a.column, endLine: b.line, endColumn: b.column }
}

/**
 * The location of a path, or of its nearest ancestor that exists (a missing required key points at the object that
 * lacks it). `part: 'key'` prefers the key of the pair, which is what a reader looks for ("this loop key").
 */
export function locate(
  locations: SourceLocations | undefined,
  path: readonly (string | number)[],
  part: 'key' | 'value' = 'value',
): SourceRange {
  if (locations) {
    for (let n = path.length; n >= 0; n--) {
      const loc = locations.nodes[pathKey(path.slice(0, n))]
      if (!loc) continue
      if (n === path.length && part === 'key' && loc.key) return loc.key
      // An ancestor stands in for a missing child: point at its key when it has one (one line, not a block).
      if (n < path.length && loc.key) return loc.key
      return loc.value
    }
  }
  return { line: 1, column: 1, endLine: 1, endColumn: 1 }
}

/**
 * Records the location of every node of a parsed YAML (or JSON) document by JSON path. Aliases are recorded at
 * the alias, not followed (their target already has a location).
 */
export function collectLocations(doc: Document, lineCounter: LineCounter, file: string): SourceLocations {
  const nodes: Record<string, NodeLocation> = Object.create(null)
  const visit = (node: unknown, path: string[], keyNode: unknown): void => {
    const loc: NodeLocation = { value: nodeRange(node, lineCounter) ?? nodeRange(keyNode, lineCounter) ?? rangeOf(lineCounter, 0, 0) }
    const key = nodeRange(keyNode, lineCounter)
    if (key) loc.key = key
    nodes[JSON.stringify(path)] = loc
    if (isMap(node)) {
      for (const pair of node.items as Pair<unknown, unknown>[]) {
        const k = keyString(pair.key)
        if (k === undefined) continue
        visit(pair.value, [...path, k], pair.key)
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => visit(item, [...path, String(i)], undefined))
    }
  }
  visit(doc.contents, [], undefined)
  return { file, nodes }
}

/** The string a YAML map key stands for, or undefined for a complex (collection) key. */
export function keyString(key: unknown): string | undefined {
  if (isScalar(key)) return key.value === null || key.value === undefined ? '' : String(key.value)
  if (key === null || key === undefined) return ''
  if (isAlias(key) || isMap(key) || isSeq(key)) return undefined
  return String(key)
}

function nodeRange(node: unknown, lineCounter: LineCounter): SourceRange | undefined {
  const range = (node as Node | null | undefined)?.range
  if (!range) return undefined
  return rangeOf(lineCounter, range[0], range[1])
}

/** Parses JSON text with `yaml` (JSON is YAML 1.2) only to find where its nodes are; values come from JSON.parse. */
export function locateJson(text: string, file: string): SourceLocations {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false })
  return collectLocations(doc, lineCounter, file)
}

/** 1-based line and column of an offset in text (for JSON.parse errors, which only give an offset). */
export function textPosition(text: string, offset: number): { line: number; column: number } {
  let line = 1
  let last = -1
  const end = Math.min(Math.max(offset, 0), text.length)
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++
      last = i
    }
  }
  return { line, column: end - last }
}
