/**
 * A small Handlebars subset for the `{{ … }}` placeholders of layouts: `{{ key }}` / `{{{ key }}}` with dot-paths,
 * `{{#each loop}}…{{/each}}` (with `this`, `this.field`, bare item fields and `@index`), `{{#if}}` / `{{#unless}}`
 * with `{{else}}`. Craftkit's helper set is undocumented (API.md §14); other helpers print nothing.
 */

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'value'; key: string }
  | { kind: 'block'; helper: string; arg: string; body: Node[]; inverse: Node[] }

export interface TemplateScope {
  /** Prints the value at `key` (a root dot-path, or a field of `item` inside a loop). */
  print(key: string, item: Record<string, unknown> | undefined, index: number | undefined): string
  /** The value at `key`, for `#each` / `#if`. */
  lookup(key: string, item: Record<string, unknown> | undefined): unknown
  /** False in Document mode: `{{#each}}` then renders nothing (API.md §6.2). */
  loops: boolean
}

const TOKEN = /\{\{(\{?)\s*([#/^]?)\s*([^{}]*?)\s*\}?\}\}/g
const cache = new Map<string, Node[]>()

/** True when the string holds at least one placeholder. */
export function hasPlaceholders(text: string): boolean {
  return text.includes('{{')
}

/** Replaces the placeholders of `text` with values from `scope`. */
export function renderTemplateText(text: string, scope: TemplateScope): string {
  if (!hasPlaceholders(text)) return text
  let nodes = cache.get(text)
  if (!nodes) {
    nodes = parse(text)
    if (cache.size > 1000) cache.clear()
    cache.set(text, nodes)
  }
  return evaluate(nodes, scope, undefined, undefined)
}

function parse(text: string): Node[] {
  const root: Node[] = []
  const stack: { nodes: Node[]; block?: Extract<Node, { kind: 'block' }>; inElse: boolean }[] = [{ nodes: root, inElse: false }]
  let last = 0
  const top = () => stack[stack.length - 1]!
  for (const m of text.matchAll(TOKEN)) {
    if (m.index > last) top().nodes.push({ kind: 'text', text: text.slice(last, m.index) })
    last = m.index + m[0].length
    const sigil = m[2]!
    const body = m[3]!.trim()
    if (body.startsWith('!')) continue
    const [head = '', ...args] = body.split(/\s+/)
    if (sigil === '#' || sigil === '^') {
      const helper = sigil === '^' ? 'unless' : ['each', 'if', 'unless', 'with'].includes(head) ? head : 'if'
      const arg = sigil === '^' || helper !== head ? head : (args[0] ?? '')
      const block: Extract<Node, { kind: 'block' }> = { kind: 'block', helper, arg, body: [], inverse: [] }
      top().nodes.push(block)
      stack.push({ nodes: block.body, block, inElse: false })
    } else if (sigil === '/') {
      if (stack.length > 1) stack.pop()
    } else if (head === 'else' && stack.length > 1 && !top().inElse) {
      const frame = top()
      frame.inElse = true
      frame.nodes = frame.block!.inverse
    } else if (args.length === 0 && head !== '') {
      top().nodes.push({ kind: 'value', key: head })
    }
  }
  if (last < text.length) top().nodes.push({ kind: 'text', text: text.slice(last) })
  return root
}

function evaluate(nodes: Node[], scope: TemplateScope, item: Record<string, unknown> | undefined, index: number | undefined): string {
  let out = ''
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text
    else if (node.kind === 'value') out += scope.print(node.key, item, index)
    else if (node.helper === 'each') {
      if (!scope.loops) continue
      const list = scope.lookup(node.arg, item)
      if (Array.isArray(list) && list.length > 0) {
        list.forEach((row: unknown, i) => {
          out += evaluate(node.body, scope, row !== null && typeof row === 'object' ? (row as Record<string, unknown>) : { this: row }, i)
        })
      } else out += evaluate(node.inverse, scope, item, index)
    } else {
      const v = scope.lookup(node.arg, item)
      const truthy = Array.isArray(v) ? v.length > 0 : Boolean(v)
      const show = node.helper === 'unless' ? !truthy : truthy
      out += evaluate(show ? node.body : node.inverse, scope, item, index)
    }
  }
  return out
}
