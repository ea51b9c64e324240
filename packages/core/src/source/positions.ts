import type { Document, LineCounter, Node, Pair } from 'yaml'
import { yamlLib } from './yaml-lib.ts'

/** A 1-based span in a file. */
export interface SourceRange {
  line: number
  column: number
  endLine: number
  endColumn: number
}

/**
 * Positions of the nodes of one parsed file, keyed by the JSON path of the node (`pathKey(['variables',
 * 'booking.code', 'dataType'])`). A plain object so that a `TemplateSource` stays copyable and serialisable.
 * Offsets are kept raw and turned into line:column only when a diagnostic asks (most nodes never are).
 */
export interface SourceLocations {
  /** Posix path relative to the project root. */
  file: string
  /** Offset at which each line starts (yaml's LineCounter). */
  lineStarts: number[]
  /** `[valueStart, valueEnd]`, or `[valueStart, valueEnd, keyStart, keyEnd]` for map entries. */
  nodes: Record<string, number[]>
  /** The file's text, to point inside a string (a `{{ key }}` in a layout). */
  text?: string
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
      const hasKey = loc.length === 4
      // An ancestor stands in for a missing child: point at its key when it has one (one line, not a block).
      const useKey = hasKey && (n < path.length || part === 'key')
      return spanOf(locations.lineStarts, useKey ? loc[2]! : loc[0]!, useKey ? loc[3]! : loc[1]!)
    }
  }
  return { line: 1, column: 1, endLine: 1, endColumn: 1 }
}

/**
 * The range of the first `{{ … }}` mentioning `key` inside the string at `path`, when the file's text is kept;
 * otherwise the string itself.
 */
export function locateToken(locations: SourceLocations | undefined, path: readonly (string | number)[], key: string): SourceRange {
  const loc = locations?.nodes[pathKey(path)]
  if (!locations || !loc || locations.text === undefined) return locate(locations, path, 'value')
  const raw = locations.text.slice(loc[0], loc[1])
  const word = new RegExp(`(^|[^\\p{L}\\p{N}_$.-])${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\p{L}\\p{N}_$-])`, 'u')
  for (const m of raw.matchAll(/\{\{[^}]*\}\}\}?/g)) {
    if (word.test(m[0])) return spanOf(locations.lineStarts, loc[0]! + m.index, loc[0]! + m.index + m[0].length)
  }
  return locate(locations, path, 'value')
}

function spanOf(lineStarts: number[], start: number, end: number): SourceRange {
  const a = position(lineStarts, start)
  const b = position(lineStarts, Math.max(start, end))
  return { line: a.line, column: a.column, endLine: b.line, endColumn: b.column }
}

/** 1-based line and column of an offset, by binary search over line starts. */
function position(lineStarts: number[], offset: number): { line: number; column: number } {
  let lo = 0
  let hi = lineStarts.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (lineStarts[mid]! <= offset) lo = mid
    else hi = mid - 1
  }
  return { line: lo + 1, column: offset - (lineStarts[lo] ?? 0) + 1 }
}

/**
 * Records the location of every node of a parsed YAML (or JSON) document by JSON path. Aliases are recorded at
 * the alias, not followed (their target already has a location).
 */
export function collectLocations(doc: Document, lineCounter: LineCounter, file: string, text?: string): SourceLocations {
  const { isMap, isSeq } = yamlLib()
  const nodes: Record<string, number[]> = Object.create(null)
  // Keys are built incrementally in the format of `pathKey` (a JSON array of strings): no array per node.
  const visit = (node: unknown, key: string, keyNode: unknown): void => {
    const v = (node as Node | null | undefined)?.range ?? (keyNode as Node | null | undefined)?.range ?? [0, 0]
    const k = (keyNode as Node | null | undefined)?.range
    nodes[key] = k ? [v[0], v[1], k[0], k[1]] : [v[0], v[1]]
    const child = (segment: string) => (key === '[]' ? `[${JSON.stringify(segment)}]` : `${key.slice(0, -1)},${JSON.stringify(segment)}]`)
    if (isMap(node)) {
      for (const pair of node.items as Pair<unknown, unknown>[]) {
        const name = keyString(pair.key)
        if (name === undefined) continue
        visit(pair.value, child(name), pair.key)
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => visit(item, child(String(i)), undefined))
    }
  }
  visit(doc.contents, '[]', undefined)
  const out: SourceLocations = { file, lineStarts: lineCounter.lineStarts.length ? lineCounter.lineStarts : [0], nodes }
  if (text !== undefined) out.text = text
  return out
}

/** The string a YAML map key stands for, or undefined for a complex (collection) key. */
export function keyString(key: unknown): string | undefined {
  const { isAlias, isMap, isScalar, isSeq } = yamlLib()
  if (isScalar(key)) return key.value === null || key.value === undefined ? '' : String(key.value)
  if (key === null || key === undefined) return ''
  if (isAlias(key) || isMap(key) || isSeq(key)) return undefined
  return String(key)
}

/** Parses JSON text with `yaml` (JSON is YAML 1.2) only to find where its nodes are; values come from JSON.parse. */
export function locateJson(text: string, file: string): SourceLocations {
  const { LineCounter, parseDocument } = yamlLib()
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false })
  return collectLocations(doc, lineCounter, file, text)
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
