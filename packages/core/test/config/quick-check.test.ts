import { describe, expect, it } from 'vitest'
import { isPlainValidConfig } from '../../src/config/quick-check.ts'
import { galleyConfigSchema } from '../../src/config/schema.ts'

// The quick check may only say "valid" where the zod schema (the source of truth) says so too, with the value
// unchanged; where it says "not sure" the loader asks zod. Hand-picked cases, then seeded mutations of them.
const VALID = [
  {},
  { templates: 'templates' },
  { templates: 'tpl', output: 'src/craftkit.gen.ts' },
  { output: ['a.ts', { path: 'b.ts', preflight: true }, { path: 'c.ts', clientModule: './client.ts' }] },
  { environments: { staging: { baseUrl: 'https://staging.craftkit.dev', apiKeyEnv: 'CRAFTKIT_STAGING_KEY' } } },
  { environments: { local: { baseUrl: 'http://127.0.0.1:3000/v1', apiKeyEnv: 'KEY' } } },
  { lint: { rules: { 'unused-variable': 'off', 'fixture-stripped-key': 'error' } } },
  { lint: {} },
  { impact: { projects: ['apps/api/tsconfig.json', '../web/tsconfig.json'] } },
  { impact: { projects: [] } },
  { impact: {} },
]
const INVALID = [
  null,
  [],
  'templates',
  { templates: '' },
  { templates: 3 },
  { output: [] },
  { output: [''] },
  { output: [{ path: '' }] },
  { output: [{ path: 'a.ts', extra: true }] },
  { output: [{ path: 'a.ts', preflight: 'yes' }] },
  { unknown: 1 },
  { environments: { 'bad name': { baseUrl: 'https://x.dev', apiKeyEnv: 'K' } } },
  { environments: { prod: { baseUrl: 'ftp://x.dev', apiKeyEnv: 'K' } } },
  { environments: { prod: { baseUrl: 'https://x.dev', apiKeyEnv: 'ck_live_abc' } } },
  { environments: { prod: { baseUrl: 'https://x.dev', apiKeyEnv: '1KEY' } } },
  { environments: { prod: { baseUrl: 'https://x.dev' } } },
  { environments: { prod: { baseUrl: 'not a url', apiKeyEnv: 'K' } } },
  { lint: { rules: { 'unused-variable': 'warn' } } },
  { lint: { other: {} } },
  { impact: { projects: [''] } },
  { impact: { projects: 'tsconfig.json' } },
  { impact: { projects: [3] } },
  { impact: { tsconfig: ['tsconfig.json'] } },
  { impact: [] },
]

function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const ODD_VALUES: unknown[] = ['', 'x', 0, true, null, [], {}, ['a'], { path: 'p' }, 'https://h.dev', 'ck_x', 'off', 'warn', 'KEY']

/** A copy of `value` with one leaf or key replaced at random. */
function mutate(value: unknown, random: () => number): unknown {
  if (value === null || typeof value !== 'object') return ODD_VALUES[Math.floor(random() * ODD_VALUES.length)]
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) }
  const keys = Object.keys(copy)
  if (keys.length === 0 || random() < 0.15) {
    ;(copy as Record<string, unknown>)[['templates', 'output', 'lint', 'rules', 'path', 'extra', 'baseUrl', 'impact', 'projects'][Math.floor(random() * 9)]!] = ODD_VALUES[Math.floor(random() * ODD_VALUES.length)]
    return copy
  }
  const key = keys[Math.floor(random() * keys.length)]!
  ;(copy as Record<string, unknown>)[key] = mutate((copy as Record<string, unknown>)[key], random)
  return copy
}

describe('isPlainValidConfig', () => {
  it.each(VALID.map((v) => [JSON.stringify(v), v]))('accepts %s, as zod does', (_, value) => {
    expect(galleyConfigSchema().safeParse(value).success).toBe(true)
    expect(isPlainValidConfig(value)).toBe(true)
  })

  it.each(INVALID.map((v) => [JSON.stringify(v), v]))('leaves %s to zod, which rejects it', (_, value) => {
    expect(galleyConfigSchema().safeParse(value).success).toBe(false)
    expect(isPlainValidConfig(value)).toBe(false)
  })

  it('never accepts what zod rejects or changes, over 5,000 seeded mutations', () => {
    const random = prng(20261206)
    let accepted = 0
    for (let i = 0; i < 5000; i++) {
      const base = [...VALID, ...INVALID][Math.floor(random() * (VALID.length + INVALID.length))]
      const value = mutate(mutate(base, random), random)
      if (!isPlainValidConfig(value)) continue
      accepted++
      const parsed = galleyConfigSchema().safeParse(value)
      expect(parsed.success, JSON.stringify(value)).toBe(true)
      expect(parsed.data).toEqual(value)
    }
    // The mutations must reach the accepting side often enough to mean something.
    expect(accepted).toBeGreaterThan(200)
  })
})
