/** One `{{ … }}` placeholder found in a layout. */
export interface LayoutKeyRef {
  /** The key as written, without `this.` (`customer.name`, `areas`, `condition`). */
  key: string
  /** `each` when the placeholder opens a loop block (`{{#each areas}}`), otherwise `value`. */
  kind: 'value' | 'each'
  /** The loop whose block the placeholder sits in, when inside `{{#each …}}`. */
  loop?: string
  /** JSON path of the string holding it inside the layout. */
  path: (string | number)[]
  /** When the key is an argument of a helper call (`{{formatDate due}}`): the helper's name. */
  helper?: string
}

const TOKEN = /\{\{\{?\s*([#/^]?)\s*([^{}]*?)\s*\}?\}\}/g

/**
 * Lists the placeholders a layout references, walking every string in document order. Handlebars block helpers
 * are followed so that fields inside `{{#each areas}}…{{/each}}` are attributed to the loop; `@index`, `else` and
 * literals are ignored. Craftkit's own block types are undocumented (API.md §14), so this reads any string.
 */
export function extractLayoutKeys(layout: unknown): LayoutKeyRef[] {
  const refs: LayoutKeyRef[] = []
  const loops: string[] = []
  walk(layout, [], (text, path) => {
    for (const m of text.matchAll(TOKEN)) {
      const sigil = m[1]!
      const body = m[2]!.trim()
      if (sigil === '/') {
        if (body === 'each') loops.pop()
        continue
      }
      const [head, arg] = body.split(/\s+/, 2)
      if (sigil === '#' || sigil === '^') {
        const key = sigil === '#' && head !== 'each' && head !== 'if' && head !== 'unless' && head !== 'with' ? head : arg
        if (head === 'each' && arg) {
          refs.push(ref(stripThis(arg), 'each', loops, path))
          loops.push(stripThis(arg))
        } else if (key && isKey(key)) refs.push(ref(stripThis(key), 'value', loops, path))
        continue
      }
      if (!head || head === 'else' || head.startsWith('@') || head === 'this') continue
      // `{{formatDate due "DD/MM"}}` calls a helper: its key arguments are the references, not its name.
      const args = body.split(/\s+/).slice(1)
      if (args.length > 0) {
        for (const arg of args) if (isKey(arg)) refs.push({ ...ref(stripThis(arg), 'value', loops, path), helper: head })
        continue
      }
      if (!isKey(head)) continue
      refs.push(ref(stripThis(head), 'value', loops, path))
    }
  })
  return refs
}

function ref(key: string, kind: LayoutKeyRef['kind'], loops: string[], path: (string | number)[]): LayoutKeyRef {
  const r: LayoutKeyRef = { key, kind, path: [...path] }
  const loop = loops[loops.length - 1]
  if (loop !== undefined) r.loop = loop
  return r
}

function isKey(s: string): boolean {
  return /^[\p{L}\p{N}_.$-]+$/u.test(s) && !/^\d+$/.test(s) && s !== 'true' && s !== 'false'
}

function stripThis(s: string): string {
  return s.startsWith('this.') ? s.slice(5) : s
}

function walk(value: unknown, path: (string | number)[], visit: (text: string, path: (string | number)[]) => void): void {
  if (typeof value === 'string') visit(value, path)
  else if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i], visit))
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) walk(v, [...path, k], visit)
  }
}
