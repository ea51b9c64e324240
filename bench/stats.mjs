// What the bench/<name>/run.mjs runners share: the median of repeated runs, and a plain-text table.

/** The median of `xs` (the upper one of the two middle values for an even count). */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/**
 * Lines of a table whose columns are as wide as their widest cell, two spaces apart. With `alignRight`, every
 * column but the first is right-aligned; with `rule`, a line of dashes follows the header.
 */
export function tableLines(header, rows, { alignRight = false, rule = false } = {}) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)))
  const line = (cells) => cells.map((c, i) => (alignRight && i > 0 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ')
  return [line(header), ...(rule ? [widths.map((w) => '-'.repeat(w)).join('  ')] : []), ...rows.map(line)]
}
