/**
 * A fast reader for the plain subset of YAML that template sources are written in: block maps and sequences
 * (one entry per line, spaces for indentation), single-line flow maps and sequences, plain and simple quoted
 * scalars, comments and blank lines. It builds the same value the `yaml` package would (null-prototype objects,
 * scalars resolved with the YAML 1.2 core schema exactly as `yaml` resolves them) and the key order of every map,
 * without building a Document.
 *
 * It never guesses: anything outside the subset (anchors, aliases, tags, block scalars, multi-line scalars or flow
 * collections, escapes, tabs, directives, duplicate keys, odd indentation, anything `yaml` could report as an error
 * or a warning) makes it return `undefined`, and the caller parses the text with `yaml` as before. So for every
 * text it accepts, the result equals `yaml`'s (checked by bench/lint/yaml-equivalence.mjs over real, generated and
 * mutated sources).
 */

export interface FastYaml {
  value: unknown
  /** Keys of each map of `value` in file order (a JS object puts integer-like keys first). */
  keyOrder: Map<object, string[]>
}

/**
 * Characters the subset refuses anywhere: tabs, a CR that does not end a line (CRLF files are read), other
 * controls, C1 controls, BOM, Unicode line breaks.
 */
const UNSUPPORTED_TEXT = /[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff]|\r(?!\n)/
/** Beyond these the caller's own limits apply: leave such documents to `yaml`. */
const MAX_NODES = 100_000
const MAX_DEPTH = 100
const MAX_KEY_LENGTH = 1000

class Unsupported {}
const UNSUPPORTED = new Unsupported()

/** The value and map key order of `text`, or undefined when the text is outside the subset (use `yaml`). */
export function parseFastYaml(text: string): FastYaml | undefined {
  if (UNSUPPORTED_TEXT.test(text)) return undefined
  try {
    return new FastParser(text).parse()
  } catch (error) {
    if (error === UNSUPPORTED) return undefined
    throw error
  }
}

const SPACE = 32
const HASH = 35
const COLON = 58
const DASH = 45
const DOT = 46
const LBRACE = 123
const RBRACE = 125
const LBRACKET = 91
const RBRACKET = 93
const COMMA = 44
const DQUOTE = 34
const SQUOTE = 39

/** Characters that cannot start a plain scalar here (YAML indicators, or ones the subset leaves to `yaml`). */
function badPlainStart(c: number): boolean {
  // - ? : , [ ] { } # & * ! | > ' " % @ `
  return (
    c === DASH || c === 63 || c === COLON || c === COMMA || c === LBRACKET || c === RBRACKET || c === LBRACE || c === RBRACE ||
    c === HASH || c === 38 || c === 42 || c === 33 || c === 124 || c === 62 || c === SQUOTE || c === DQUOTE || c === 37 || c === 64 || c === 96
  )
}

/** Double-quoted escapes with a fixed meaning (yaml's table, less the tab: tabs are left to `yaml`). */
const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
}
Object.setPrototypeOf(ESCAPES, null)

function isFlowIndicator(c: number): boolean {
  return c === COMMA || c === LBRACKET || c === RBRACKET || c === LBRACE || c === RBRACE
}

function bail(): never {
  throw UNSUPPORTED
}

/** A plain scalar resolved with the YAML 1.2 core schema, in the order and with the functions `yaml` 2 uses. */
function resolvePlain(s: string): unknown {
  if (/^(?:~|[Nn]ull|NULL)?$/.test(s)) return null
  if (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(s)) return s[0] === 't' || s[0] === 'T'
  const c = s.charCodeAt(0)
  // Every number form starts with a digit, a sign or a dot; anything else is a string.
  if (!((c >= 48 && c <= 57) || c === 43 || c === DASH || c === DOT)) return s
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.substring(2), 8)
  if (/^[-+]?[0-9]+$/.test(s)) return parseInt(s, 10)
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.substring(2), 16)
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s)) {
    return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY
  }
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s)) return parseFloat(s)
  if (/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s)) return parseFloat(s)
  return s
}

class FastParser {
  private readonly text: string
  /** Content lines (not blank, not comment-only): start offset, end offset (before `\n`), indentation. */
  private readonly starts: number[] = []
  private readonly ends: number[] = []
  private readonly indents: number[] = []
  private li = 0
  private nodes = 0
  private readonly keyOrder = new Map<object, string[]>()

  constructor(text: string) {
    this.text = text
    let start = 0
    const n = text.length
    while (start <= n) {
      let next = text.indexOf('\n', start)
      if (next === -1) next = n
      // A CRLF line ends before its CR.
      const end = next > start && text.charCodeAt(next - 1) === 13 ? next - 1 : next
      let i = start
      while (i < end && text.charCodeAt(i) === SPACE) i++
      if (i < end && text.charCodeAt(i) !== HASH) {
        // Directives and document markers are left to `yaml`.
        if (i === start) {
          const c = text.charCodeAt(i)
          if (c === 37 || ((c === DASH || c === DOT) && text.startsWith(c === DASH ? '---' : '...', i))) bail()
        }
        this.starts.push(start)
        this.ends.push(end)
        this.indents.push(i - start)
      }
      start = next + 1
    }
  }

  parse(): FastYaml {
    if (this.starts.length === 0) bail()
    const value = this.blockNode(0, this.indents[0]!, 0)
    if (this.li !== this.starts.length) bail()
    return { value, keyOrder: this.keyOrder }
  }

  private count(depth: number): void {
    if (++this.nodes > MAX_NODES || depth > MAX_DEPTH) bail()
  }

  /** A block map or sequence whose first entry starts at column `col` of content line `li`. */
  private blockNode(li: number, col: number, depth: number): unknown {
    const at = this.starts[li]! + col
    if (this.isSeqEntry(at, this.ends[li]!)) return this.blockSeq(col, depth)
    if (this.mapKey(at, this.ends[li]!) !== undefined) return this.blockMap(col, depth)
    return bail()
  }

  private isSeqEntry(at: number, end: number): boolean {
    return this.text.charCodeAt(at) === DASH && (at + 1 === end || this.text.charCodeAt(at + 1) === SPACE)
  }

  /** The block map at column `col`, starting at the current line (whose entry may start after its indentation). */
  private blockMap(col: number, depth: number): Record<string, unknown> {
    this.count(depth)
    const text = this.text
    const map: Record<string, unknown> = Object.create(null)
    const keys: string[] = []
    this.keyOrder.set(map, keys)
    for (;;) {
      const li = this.li
      const end = this.ends[li]!
      const entry = this.mapKey(this.starts[li]! + col, end)
      if (entry === undefined) bail()
      const key = entry.key
      if (Object.hasOwn(map, key)) bail()
      let at = entry.next
      while (at < end && text.charCodeAt(at) === SPACE) at++
      let value: unknown
      if (at === end || text.charCodeAt(at) === HASH) {
        // Nothing on the line: the value is the block below (deeper, or a sequence at the same column), or null.
        this.li++
        const next = this.li
        if (next < this.starts.length && this.indents[next]! > col) {
          value = this.blockNode(next, this.indents[next]!, depth + 1)
        } else if (next < this.starts.length && this.indents[next] === col && this.isSeqEntry(this.starts[next]! + col, this.ends[next]!)) {
          value = this.blockSeq(col, depth + 1)
        } else {
          this.count(depth + 1)
          value = null
        }
      } else {
        value = this.inlineValue(at, end, depth + 1)
        this.li++
      }
      // A plain assignment: on a null-prototype object even `__proto__` is an own data property.
      map[key] = value
      keys.push(key)
      if (this.li >= this.starts.length) return map
      const indent = this.indents[this.li]!
      if (indent < col) return map
      if (indent > col) bail()
    }
  }

  /** The block sequence at column `col`, starting at the current line. */
  private blockSeq(col: number, depth: number): unknown[] {
    this.count(depth)
    const text = this.text
    const seq: unknown[] = []
    for (;;) {
      const li = this.li
      const end = this.ends[li]!
      let at = this.starts[li]! + col + 1
      while (at < end && text.charCodeAt(at) === SPACE) at++
      if (at === end || text.charCodeAt(at) === HASH) {
        this.li++
        const next = this.li
        if (next < this.starts.length && this.indents[next]! > col) seq.push(this.blockNode(next, this.indents[next]!, depth + 1))
        else {
          this.count(depth + 1)
          seq.push(null)
        }
      } else if (this.isSeqEntry(at, end)) {
        bail()
      } else if (this.mapKey(at, end) !== undefined) {
        seq.push(this.blockMap(at - this.starts[li]!, depth + 1))
      } else {
        seq.push(this.inlineValue(at, end, depth + 1))
        this.li++
      }
      if (this.li >= this.starts.length) return seq
      const indent = this.indents[this.li]!
      if (indent < col) return seq
      if (indent > col) bail()
      // Same column: another entry, or (for a sequence written at its parent key's column) the parent's next key.
      if (!this.isSeqEntry(this.starts[this.li]! + col, this.ends[this.li]!)) return seq
    }
  }

  /**
   * An implicit map key at `at` (plain or quoted, on one line) followed by `:` and a space or the end of the line;
   * undefined when the line is not a map entry. `next` is the offset after the colon.
   */
  private mapKey(at: number, end: number): { key: string; next: number } | undefined {
    const text = this.text
    const c = text.charCodeAt(at)
    let key: string
    let i: number
    if (c === DQUOTE || c === SQUOTE) {
      const q = this.quoted(at, end)
      if (q === undefined) return undefined
      key = q.value
      i = q.next
      while (i < end && text.charCodeAt(i) === SPACE) i++
      if (i >= end || text.charCodeAt(i) !== COLON || (i + 1 < end && text.charCodeAt(i + 1) !== SPACE)) return undefined
    } else {
      if (badPlainStart(c) || c === SPACE) return undefined
      i = at
      for (;;) {
        i = text.indexOf(':', i)
        if (i === -1 || i >= end) return undefined
        const n = i + 1 === end ? SPACE : text.charCodeAt(i + 1)
        if (n === SPACE) break
        i++
      }
      const raw = text.slice(at, i)
      // A comment or a flow indicator inside an implicit key: not the subset's business.
      if (raw.includes(' #') || /[,[\]{}]/.test(raw)) return undefined
      key = raw.trimEnd()
      if (key.length === 0 || resolvePlain(key) !== key || key === '<<') return undefined
    }
    if (i - at > MAX_KEY_LENGTH) return undefined
    return { key, next: i + 1 }
  }

  /** A single-line quoted scalar without escapes; undefined when it is not one. */
  private quoted(at: number, end: number): { value: string; next: number } | undefined {
    const text = this.text
    const q = text.charCodeAt(at)
    if (q === DQUOTE) {
      let close = text.indexOf('"', at + 1)
      if (close === -1 || close >= end) return undefined
      let from = at + 1
      let slash = text.indexOf('\\', from)
      if (slash === -1 || slash > close) return { value: text.slice(from, close), next: close + 1 }
      // Escapes, as `yaml` reads them; an invalid one (an error there) or an escaped line break is left to it.
      let value = ''
      for (;;) {
        value += text.slice(from, slash)
        const e = text[slash + 1]
        if (e === undefined || slash + 1 >= end) return undefined
        const simple = ESCAPES[e]
        if (simple !== undefined) {
          value += simple
          from = slash + 2
        } else if (e === 'x' || e === 'u' || e === 'U') {
          const length = e === 'x' ? 2 : e === 'u' ? 4 : 8
          const hex = text.slice(slash + 2, slash + 2 + length)
          if (slash + 2 + length > end || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== length) return undefined
          const code = parseInt(hex, 16)
          if (code > 0x10ffff) return undefined
          value += String.fromCodePoint(code)
          from = slash + 2 + length
        } else {
          return undefined
        }
        if (from > close) {
          // The escape took the quote that looked like the end (`\"`): find the real one.
          close = text.indexOf('"', from)
          if (close === -1 || close >= end) return undefined
        }
        slash = text.indexOf('\\', from)
        if (slash === -1 || slash > close) return { value: value + text.slice(from, close), next: close + 1 }
      }
    }
    let value = ''
    let from = at + 1
    for (;;) {
      const close = text.indexOf("'", from)
      if (close === -1 || close >= end) return undefined
      value += text.slice(from, close)
      if (text.charCodeAt(close + 1) === SQUOTE && close + 1 < end) {
        value += "'"
        from = close + 2
        continue
      }
      return { value, next: close + 1 }
    }
  }

  /** A value that fills the rest of a block line (then only spaces and a comment may follow). */
  private inlineValue(at: number, end: number, depth: number): unknown {
    const text = this.text
    const c = text.charCodeAt(at)
    let value: unknown
    let i: number
    if (c === LBRACE || c === LBRACKET) {
      const r = this.flowCollection(at, end, depth)
      value = r.value
      i = r.next
    } else if (c === DQUOTE || c === SQUOTE) {
      const q = this.quoted(at, end)
      if (q === undefined) bail()
      this.count(depth)
      value = q.value
      i = q.next
    } else {
      if (!this.plainStartOk(at, end)) bail()
      // Up to a comment (` #`) or the end of the line, trailing spaces dropped.
      let stop = text.indexOf(' #', at)
      if (stop === -1 || stop > end) stop = end
      let last = stop
      while (last > at && text.charCodeAt(last - 1) === SPACE) last--
      const raw = text.slice(at, last)
      // `key: a: b` (a nested mapping in a compact one) or `a:` at the end: errors for `yaml` to report.
      if (raw.includes(': ') || raw.charCodeAt(raw.length - 1) === COLON) bail()
      this.count(depth)
      return resolvePlain(raw)
    }
    // After a collection or a quoted scalar: spaces, then a comment or the end of the line.
    if (i < end) {
      if (text.charCodeAt(i) !== SPACE) bail()
      while (i < end && text.charCodeAt(i) === SPACE) i++
      if (i < end && text.charCodeAt(i) !== HASH) bail()
    }
    return value
  }

  private plainStartOk(at: number, end: number): boolean {
    const c = this.text.charCodeAt(at)
    if (!badPlainStart(c)) return true
    // `-5`, `-.5`: a sign before a number is a plain scalar.
    if (c === DASH && at + 1 < end) {
      const n = this.text.charCodeAt(at + 1)
      return (n >= 48 && n <= 57) || n === DOT
    }
    return false
  }

  /** A flow map or sequence that closes on the same line. */
  private flowCollection(at: number, end: number, depth: number): { value: unknown; next: number } {
    this.count(depth)
    if (depth > MAX_DEPTH) bail()
    const text = this.text
    const isMap = text.charCodeAt(at) === LBRACE
    const close = isMap ? RBRACE : RBRACKET
    const map: Record<string, unknown> | undefined = isMap ? Object.create(null) : undefined
    const keys: string[] = []
    const seq: unknown[] = []
    let i = this.skipSpaces(at + 1, end)
    if (text.charCodeAt(i) === close && i < end) {
      if (map) this.keyOrder.set(map, keys)
      return { value: map ?? seq, next: i + 1 }
    }
    for (;;) {
      if (map) {
        const k = this.flowScalar(i, end, true, depth + 1)
        if (typeof k.value !== 'string' || k.value === '<<' || k.next - i > MAX_KEY_LENGTH) bail()
        const key = k.value
        if (Object.hasOwn(map, key)) bail()
        i = k.next
        if (text.charCodeAt(i) !== COLON || i + 1 >= end || text.charCodeAt(i + 1) !== SPACE) bail()
        i = this.skipSpaces(i + 1, end)
        const v = this.flowValue(i, end, depth + 1)
        map[key] = v.value
        keys.push(key)
        i = v.next
      } else {
        const v = this.flowValue(i, end, depth + 1)
        seq.push(v.value)
        i = v.next
      }
      i = this.skipSpaces(i, end)
      if (i >= end) bail()
      const c = text.charCodeAt(i)
      if (c === close) {
        if (map) this.keyOrder.set(map, keys)
        return { value: map ?? seq, next: i + 1 }
      }
      if (c !== COMMA) bail()
      i = this.skipSpaces(i + 1, end)
      // A trailing comma, or an empty entry: left to `yaml`.
      if (i >= end || text.charCodeAt(i) === close || text.charCodeAt(i) === COMMA) bail()
    }
  }

  private flowValue(at: number, end: number, depth: number): { value: unknown; next: number } {
    if (at >= end) bail()
    const c = this.text.charCodeAt(at)
    if (c === LBRACE || c === LBRACKET) return this.flowCollection(at, end, depth)
    return this.flowScalar(at, end, false, depth)
  }

  /** A quoted or plain scalar inside a flow collection; a key stops before its `:`. */
  private flowScalar(at: number, end: number, isKey: boolean, depth: number): { value: unknown; next: number } {
    this.count(depth)
    if (at >= end) bail()
    const text = this.text
    const c = text.charCodeAt(at)
    if (c === DQUOTE || c === SQUOTE) {
      const q = this.quoted(at, end)
      if (q === undefined) bail()
      const next = this.skipSpaces(q.next, end)
      return { value: q.value, next }
    }
    if (!this.plainStartOk(at, end)) bail()
    let i = at
    while (i < end) {
      const ch = text.charCodeAt(i)
      if (isFlowIndicator(ch)) break
      if (ch === COLON) {
        const n = i + 1 < end ? text.charCodeAt(i + 1) : SPACE
        if (n === SPACE || isFlowIndicator(n)) {
          if (isKey && n === SPACE) break
          bail()
        }
      } else if (ch === HASH && text.charCodeAt(i - 1) === SPACE) {
        bail()
      }
      i++
    }
    if (i >= end) bail()
    let last = i
    while (last > at && text.charCodeAt(last - 1) === SPACE) last--
    if (last === at) bail()
    const raw = text.slice(at, last)
    const value = resolvePlain(raw)
    if (isKey && value !== raw) bail()
    return { value, next: i }
  }

  private skipSpaces(i: number, end: number): number {
    while (i < end && this.text.charCodeAt(i) === SPACE) i++
    return i
  }
}
