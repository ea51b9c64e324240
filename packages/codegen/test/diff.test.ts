import { describe, expect, it } from 'vitest'
import { shortDiff } from '../src/diff.ts'

const labels = { old: 'a.ts (on disk)', new: 'a.ts (generated)' }

describe('shortDiff', () => {
  it('shows a changed line with context and line numbers', () => {
    const before = ['1', '2', '3', '4', '5', '6', '7'].join('\n')
    const after = ['1', '2', '3', 'four', '5', '6', '7'].join('\n')
    expect(shortDiff(before, after, labels)).toBe(['--- a.ts (on disk)', '+++ a.ts (generated)', '@@ -2 +2 @@', ' 2', ' 3', '-4', '+four', ' 5', ' 6'].join('\n'))
  })

  it('shows insertions and deletions as a minimal edit', () => {
    const out = shortDiff(['a', 'b', 'c'].join('\n'), ['a', 'x', 'c', 'd'].join('\n'), labels)
    expect(out.split('\n').filter((l) => /^[-+][^-+]/.test(l))).toEqual(['-b', '+x', '+d'])
  })

  it('stops after 40 lines and counts what it left out', () => {
    const before = Array.from({ length: 200 }, (_, i) => `line ${i}`).join('\n')
    const after = Array.from({ length: 200 }, (_, i) => `LINE ${i}`).join('\n')
    const out = shortDiff(before, after, labels).split('\n')
    expect(out.length).toBeLessThanOrEqual(2 + 1 + 40 + 1)
    expect(out.at(-1)).toBe('… 360 more changed lines')
  })

  it('gives up listing when the texts have nothing in common at scale', () => {
    const before = Array.from({ length: 3000 }, (_, i) => `a${i}`).join('\n')
    const after = Array.from({ length: 3000 }, (_, i) => `b${i}`).join('\n')
    expect(shortDiff(before, after, labels)).toMatch(/too many differences to list/)
  })
})
