import type { Document, LineCounter, Pair } from 'yaml'
import type { Diagnostic } from '../diagnostics/diagnostic.ts'
import { parseFastYaml } from './fast-yaml.ts'
import { collectLocations, keyString, rangeOf, type SourceLocations } from './positions.ts'
import { yamlLib } from './yaml-lib.ts'

export interface ParsedYaml {
  /** The plain value: null-prototype objects (a `__proto__` key is data), arrays and scalars. */
  value: unknown
  /**
   * The positions of the nodes, computed on the first call (most files never need them: they are read only to
   * place a diagnostic).
   */
  locations: () => SourceLocations
  /** Syntax errors and warnings; when one is an error, `value` is undefined. */
  diagnostics: Diagnostic[]
  /** Keys of the map at a path of plain keys, in file order; [] when there is no map there. */
  keysAt: (path: readonly string[]) => string[]
}

/** Nodes a document may expand to through aliases before it is refused (a "billion laughs" guard). */
const MAX_NODES = 200_000

/**
 * Parses YAML text, with node positions (yaml's CST ranges through a LineCounter) available on demand. Objects are
 * built with a null prototype, so keys such as `__proto__` or `constructor` stay plain data. Texts in the plain
 * subset of fast-yaml.ts are read by it (the same value and key order, no Document); the rest by `yaml`.
 */
export function parseYaml(text: string, file: string): ParsedYaml {
  // The plain subset most sources are written in is read without building a Document; positions are then found
  // with the same parse as below, only when something asks for them. Any other text takes the full path.
  const fast = parseFastYaml(text)
  if (fast) {
    const { value, keyOrder } = fast
    return {
      value,
      locations: locateLater(text, file),
      diagnostics: [],
      keysAt: (path) => {
        let node: unknown = value
        for (const segment of path) {
          if (!isPlainMap(node)) return []
          node = Object.hasOwn(node, segment) ? node[segment] : undefined
        }
        return isPlainMap(node) ? [...(keyOrder.get(node) ?? [])] : []
      },
    }
  }
  const { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } = yamlLib()
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, keepSourceTokens: false })
  const locations = once(() => collectLocations(doc, lineCounter, file, text))
  const keysAt = (path: readonly string[]) => orderedKeys(doc, path)
  const diagnostics: Diagnostic[] = []
  for (const e of doc.errors) diagnostics.push(yamlDiagnostic(e, 'error', lineCounter, file))
  for (const w of doc.warnings) diagnostics.push(yamlDiagnostic(w, 'warning', lineCounter, file))
  if (diagnostics.some((d) => d.severity === 'error')) return { value: undefined, locations, diagnostics, keysAt }
  let budget = MAX_NODES
  const toValue = (node: unknown, depth: number): unknown => {
    if (--budget < 0 || depth > 200) throw new TooLarge()
    if (isAlias(node)) return toValue(node.resolve(doc), depth + 1)
    if (isScalar(node)) return node.value
    if (isMap(node)) {
      const out: Record<string, unknown> = Object.create(null)
      for (const pair of node.items as Pair<unknown, unknown>[]) {
        const key = keyString(pair.key) ?? '[object]'
        Object.defineProperty(out, key, { value: toValue(pair.value, depth + 1), enumerable: true, writable: true, configurable: true })
      }
      return out
    }
    if (isSeq(node)) return node.items.map((item) => toValue(item, depth + 1))
    return null
  }
  try {
    return { value: toValue(doc.contents, 0), locations, diagnostics, keysAt }
  } catch (error) {
    if (!(error instanceof TooLarge)) throw error
    diagnostics.push({
      code: 'yaml-syntax',
      severity: 'error',
      message: `The document expands to more than ${MAX_NODES} nodes or 200 levels (through aliases); it was not read.`,
      hint: 'Write the values out instead of nesting aliases.',
      file,
      line: 1,
      column: 1,
    })
    return { value: undefined, locations, diagnostics, keysAt }
  }
}

class TooLarge extends Error {}

/** The positions of a text read by the fast reader: the same parse as the full path, on first call. */
function locateLater(text: string, file: string): () => SourceLocations {
  return once(() => {
    const { LineCounter, parseDocument } = yamlLib()
    const lineCounter = new LineCounter()
    const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, keepSourceTokens: false })
    return collectLocations(doc, lineCounter, file, text)
  })
}

function once<T>(compute: () => T): () => T {
  let done = false
  let value: T
  return () => {
    if (!done) {
      value = compute()
      done = true
    }
    return value
  }
}

function isPlainMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** Keys of the map at `path` in file order (a JS object would move integer-like keys such as "2" first). */
function orderedKeys(doc: Document, path: readonly string[]): string[] {
  const { isAlias, isMap } = yamlLib()
  let node: unknown = doc.contents
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc)
    if (!isMap(node)) return []
    const pair = (node.items as Pair<unknown, unknown>[]).find((p) => keyString(p.key) === segment)
    node = pair?.value
  }
  if (isAlias(node)) node = node.resolve(doc)
  if (!isMap(node)) return []
  return (node.items as Pair<unknown, unknown>[]).map((p) => keyString(p.key) ?? '[object]')
}

function yamlDiagnostic(
  e: { message: string; code: string; pos: [number, number] },
  severity: 'error' | 'warning',
  lineCounter: LineCounter,
  file: string,
): Diagnostic {
  const r = rangeOf(lineCounter, e.pos[0], e.pos[1])
  const message = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')
  return {
    code: 'yaml-syntax',
    severity,
    message: `YAML ${severity === 'error' ? 'syntax error' : 'warning'}: ${message} (${e.code}); the file cannot be read as a template.`,
    hint: HINTS[e.code] ?? 'Fix the YAML at this position; an editor with the yaml-language-server modeline shows it as you type.',
    file,
    ...r,
  }
}

const HINTS: Record<string, string> = {
  DUPLICATE_KEY: 'Each key may appear once in a map: remove or rename the second one.',
  BAD_INDENT: 'Indent nested entries consistently with spaces.',
  TAB_AS_INDENT: 'YAML indentation must use spaces, not tabs.',
  MISSING_CHAR: 'A key needs a colon and a space before its value (`key: value`).',
}
