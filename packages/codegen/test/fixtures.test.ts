import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { generateModule } from '../src/index.ts'
import { caseNames, readCase } from './utils.ts'

// One folder per case under test/fixtures: its templates, optional case.json, and expected/craftkit.gen.ts.
// Run with CI=true so that a missing snapshot fails instead of being written.
describe('generated module of each fixture', () => {
  it.each(caseNames())('%s', async (name) => {
    const { dir, settings, templates } = await readCase(name)
    const text = await generateModule(templates, { ...settings.options, cache: false })
    await expect(text).toMatchFileSnapshot(join(dir, 'expected/craftkit.gen.ts'))
  })

  it.each(caseNames())('%s: same bytes in reverse order and from a warm cache', async (name) => {
    const { settings, templates } = await readCase(name)
    const cold = await generateModule(templates, { ...settings.options, cache: false })
    expect(await generateModule([...templates].reverse(), { ...settings.options })).toBe(cold)
    expect(await generateModule(templates, { ...settings.options })).toBe(cold)
  })
})
