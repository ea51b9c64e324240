/** How many lines of a diff `shortDiff` prints before it summarizes the rest. */
const MAX_LINES = 40
const CONTEXT = 2
/** Past this many differing lines (Myers' D), a diff costs more than it tells; report counts instead. */
const MAX_EDITS = 1000

type Op = { kind: ' ' | '-' | '+'; line: string; oldNo: number; newNo: number }

/**
 * A short unified diff of two texts (`-` on disk, `+` generated): hunks with two lines of context, at most
 * 40 lines, then a count of what was left out. Meant for `--check` output, not for patching.
 */
export function shortDiff(oldText: string, newText: string, labels: { old: string; new: string }): string {
  // Both end with a newline as a rule; the empty string after it is not a line.
  const a = oldText.replace(/\n$/, '').split('\n')
  const b = newText.replace(/\n$/, '').split('\n')
  const ops = diffLines(a, b)
  if (ops === null) {
    return `--- ${labels.old}\n+++ ${labels.new}\n(${a.length} lines on disk, ${b.length} generated: too many differences to list)`
  }
  const changed = ops.map((op, i) => (op.kind === ' ' ? -1 : i)).filter((i) => i >= 0)
  const out = [`--- ${labels.old}`, `+++ ${labels.new}`]
  let printed = 0
  let shownChanges = 0
  let i = 0
  while (i < changed.length && printed < MAX_LINES) {
    const start = Math.max(0, changed[i]! - CONTEXT)
    let end = changed[i]!
    while (i + 1 < changed.length && changed[i + 1]! - end <= CONTEXT * 2 + 1) end = changed[++i]!
    end = Math.min(ops.length - 1, end + CONTEXT)
    const first = ops[start]!
    out.push(`@@ -${first.oldNo} +${first.newNo} @@`)
    for (let k = start; k <= end && printed < MAX_LINES; k++) {
      const op = ops[k]!
      out.push(`${op.kind}${op.line}`)
      printed++
      if (op.kind !== ' ') shownChanges++
    }
    i++
  }
  const left = changed.length - shownChanges
  if (left > 0) out.push(`… ${left} more changed line${left === 1 ? '' : 's'}`)
  return out.join('\n')
}

/** Myers' O(ND) line diff after trimming the common prefix and suffix; null when D exceeds MAX_EDITS. */
function diffLines(a: string[], b: string[]): Op[] | null {
  let prefix = 0
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++
  let suffix = 0
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++
  const x = a.slice(prefix, a.length - suffix)
  const y = b.slice(prefix, b.length - suffix)
  const middle = myers(x, y)
  if (middle === null) return null
  const ops: Op[] = []
  for (let k = 0; k < prefix; k++) ops.push({ kind: ' ', line: a[k]!, oldNo: k + 1, newNo: k + 1 })
  let oldNo = prefix + 1
  let newNo = prefix + 1
  for (const [kind, line] of middle) {
    ops.push({ kind, line, oldNo, newNo })
    if (kind !== '+') oldNo++
    if (kind !== '-') newNo++
  }
  for (let k = a.length - suffix; k < a.length; k++) {
    ops.push({ kind: ' ', line: a[k]!, oldNo: oldNo++, newNo: newNo++ })
  }
  return ops
}

function myers(a: string[], b: string[]): [' ' | '-' | '+', string][] | null {
  const n = a.length
  const m = b.length
  const max = Math.min(n + m, MAX_EDITS)
  const offset = max + 1
  const v = new Int32Array(2 * max + 3)
  const trace: Int32Array[] = []
  for (let d = 0; d <= max; d++) {
    // Only diagonals -d-1..d+1 matter when backtracking from step d; keeping just those bounds memory at O(D²).
    trace.push(v.slice(offset - d - 1, offset + d + 2))
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1
      let y = x - k
      while (x < n && y < m && a[x] === b[y]) {
        x++
        y++
      }
      v[offset + k] = x
      if (x >= n && y >= m) return backtrack(trace, a, b, d)
    }
  }
  return null
}

function backtrack(trace: Int32Array[], a: string[], b: string[], dEnd: number): [' ' | '-' | '+', string][] {
  const out: [' ' | '-' | '+', string][] = []
  let x = a.length
  let y = b.length
  for (let d = dEnd; d > 0; d--) {
    const v = trace[d]!
    const at = (k: number): number => v[k + d + 1]!
    const k = x - y
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1
    const prevX = at(prevK)
    const prevY = prevX - prevK
    while (x > prevX && y > prevY) out.push([' ', a[--x]!]), y--
    if (x === prevX) out.push(['+', b[--y]!])
    else out.push(['-', a[--x]!])
  }
  while (x > 0 && y > 0) out.push([' ', a[--x]!]), y--
  return out.reverse()
}
