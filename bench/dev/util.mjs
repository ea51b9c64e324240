// What the parts of bench/dev share.
import { join } from 'node:path'

export const repo = join(import.meta.dirname, '../..')

export const time = (fn) => {
  const t0 = performance.now()
  fn()
  return performance.now() - t0
}

export const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`)

/** The p-th percentile (nearest rank) of `xs`. */
export const percentile = (xs, p) => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
