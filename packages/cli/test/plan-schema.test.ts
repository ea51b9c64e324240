import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Ajv2020 from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import { planJsonSchema, planSchema } from '../src/publish/plan-schema.ts'

const file = join(import.meta.dirname, '..', 'plan.schema.json')

describe('plan.schema.json', () => {
  it('is generated from the zod schema (UPDATE_PLAN_SCHEMA=1 rewrites it)', () => {
    const text = `${JSON.stringify(planJsonSchema(), null, 2)}\n`
    if (process.env.UPDATE_PLAN_SCHEMA === '1') writeFileSync(file, text)
    expect(readFileSync(file, 'utf8')).toBe(text)
  })

  it('is a valid JSON Schema that rejects unknown fields and other format versions', () => {
    const ajv = new Ajv2020({ strict: false })
    const validate = ajv.compile(JSON.parse(readFileSync(file, 'utf8')))
    const plan = {
      formatVersion: 1,
      createdAt: '2026-11-25T12:00:00.000Z',
      target: { name: 'embedded emulator', id: 'embedded', baseUrl: 'http://127.0.0.1:1', embedded: true },
      summary: { create: 0, update: 0, unchanged: 0, remoteOnly: 0, breaking: 0, unverified: 0, blocked: 0 },
      templates: [],
    }
    expect(validate(plan)).toBe(true)
    expect(planSchema.safeParse(plan).success).toBe(true)
    expect(validate({ ...plan, formatVersion: 2 })).toBe(false)
    expect(validate({ ...plan, extra: true })).toBe(false)
    // `galley plan --impact` adds `impact`, an optional field: plans without it stay valid.
    const site = { project: 'app/tsconfig.json', file: 'app/src/a.ts', line: 3, column: 10, slug: 'invoice', symbol: 'renderInvoice', message: '`notes` is now required' }
    const withImpact = { ...plan, impact: { projects: [{ project: 'app/tsconfig.json', modules: ['app/src/craftkit.gen.ts'], files: 9, checkedFiles: 6 }], callSites: [site] } }
    expect(validate(withImpact)).toBe(true)
    expect(planSchema.safeParse(withImpact).success).toBe(true)
    expect(validate({ ...withImpact, impact: { ...withImpact.impact, callSites: [{ ...site, extra: 1 }] } })).toBe(false)
    expect(validate({ ...withImpact, impact: { ...withImpact.impact, callSites: [{ ...site, line: undefined }] } })).toBe(false)
  })
})
