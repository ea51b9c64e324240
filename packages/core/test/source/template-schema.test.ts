import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { templateJsonSchema, templateJsonSchemaText } from '../../src/index.ts'
import { REPO } from '../utils.ts'

const shipped = join(import.meta.dirname, '../../template.schema.json')

describe('template.schema.json', () => {
  it('is exactly what the zod schema generates (run `pnpm --filter @galley/core build` to refresh it)', () => {
    expect(readFileSync(shipped, 'utf8')).toBe(templateJsonSchemaText())
  })

  it('is draft-07, strict at the top, and lists the ten data types', () => {
    const schema = templateJsonSchema() as { $schema: string; additionalProperties: boolean; required: string[] }
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#')
    expect(schema.additionalProperties).toBe(false)
    expect(schema.required).toEqual(['slug', 'name'])
    expect(JSON.stringify(schema)).toContain('"enum":["text","longtext","number","currency","date","datetime","boolean","image","url","email"]')
  })

  it("is what every repo template's yaml-language-server modeline resolves to", () => {
    const templates = join(REPO, 'templates')
    for (const slug of readdirSync(templates)) {
      const file = join(templates, slug, 'template.yaml')
      if (!existsSync(file)) continue
      const first = readFileSync(file, 'utf8').split('\n')[0]!
      const m = /^# yaml-language-server: \$schema=(.+)$/.exec(first)
      expect(m, `${slug}: first line is the modeline`).not.toBeNull()
      const target = resolve(dirname(file), m![1]!)
      expect(existsSync(target), `${target} exists (root devDependency @galley/core)`).toBe(true)
      expect(readFileSync(target, 'utf8')).toBe(readFileSync(shipped, 'utf8'))
    }
  })
})
