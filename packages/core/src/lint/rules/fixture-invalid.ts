import type { Diagnostic } from '../../diagnostics/diagnostic.ts'
import type { Manifest } from '../../manifest/types.ts'
import { isDataUri } from '../../validate/validate-data.ts'
import { at, inFile, locateInFixture, rowManifest, rowOwner, splitDataPath, validateCached } from '../helpers.ts'
import type { LintRule } from '../types.ts'

/** Fixtures and previewData through the same validator as the emulator (`validateData`). */
export const fixtureInvalid: LintRule = {
  id: 'fixture-invalid',
  severity: 'error',
  description: 'A fixture or previewData row that the server would reject (the same validator as the emulator).',
  checkTemplate(source, ctx) {
    const out: Diagnostic[] = []
    // data-uri-image explains data: URIs better; when it is on, it reports them instead.
    const skipDataUri = ctx.isEnabled('data-uri-image')
    const problems = (manifest: Manifest, data: unknown, owner: object) => {
      const r = validateCached(manifest, data, owner)
      if (r.ok) return { formErrors: [], fields: [] as { path: string[]; messages: string[] }[] }
      const fields = Object.entries(r.issues.fieldErrors)
        .map(([dotted, messages]) => {
          const path = splitDataPath(data, dotted)
          const value = valueAt(data, path)
          return { path, messages: skipDataUri && isDataUri(value) ? messages.filter((m) => !m.includes('data: URI')) : messages }
        })
        .filter((f) => f.messages.length > 0)
      return { formErrors: r.issues.formErrors, fields }
    }
    for (const fixture of source.fixtures) {
      const { formErrors, fields } = problems(source.template.manifest, fixture.data, fixture)
      for (const message of formErrors) {
        out.push(inFile(this, fixture.file, locateInFixture(fixture, [], 'value'), `Fixture "${fixture.name}" would be rejected at render (400 invalid_input_data): ${message}.`, 'A fixture file holds the `data` object itself: `{ "customer": { ... }, "lineItems": [ ... ] }`.'))
      }
      for (const { path, messages } of fields) {
        out.push(
          inFile(
            this,
            fixture.file,
            locateInFixture(fixture, path, 'value'),
            `Fixture "${fixture.name}" would be rejected at render (400 invalid_input_data): ${path.join('.')}: ${messages.join('; ')}.`,
            hintFor(messages, path, 'fixture'),
          ),
        )
      }
    }
    for (const loop of source.template.manifest.loops) {
      const manifest = rowManifest(loop.itemFields)
      ;(loop.previewData ?? []).forEach((row, i) => {
        const { formErrors, fields } = problems(manifest, row, rowOwner(loop, i))
        for (const message of formErrors) {
          out.push(at(this, source, ['loops', loop.key, 'previewData', i], 'value', `previewData row ${i + 1} of "${loop.key}" is not a row object (${message}): the builder preview rejects it like render data.`, 'Write each row as a mapping of item fields.'))
        }
        for (const { path, messages } of fields) {
          out.push(
            at(
              this,
              source,
              ['loops', loop.key, 'previewData', i, ...path],
              'value',
              `previewData row ${i + 1} of "${loop.key}" does not match its itemFields (${path.join('.')}: ${messages.join('; ')}): the server validates rows like render data, so this preview row is rejected.`,
              hintFor(messages, path, 'row'),
            ),
          )
        }
      })
    }
    return out
  },
}

function hintFor(messages: string[], path: string[], what: 'fixture' | 'row'): string {
  const key = path.join('.')
  if (messages.includes('Required')) return `Add "${key}" to the ${what}, or drop \`required: true\` from the variable if it is optional.`
  if (messages.some((m) => m.startsWith('Expected array'))) return `Send "${key}" as an array of rows.`
  if (messages.some((m) => m.startsWith('Array must contain at most'))) return 'Split the data: a loop takes at most 10,000 rows per render.'
  return `Fix the value of "${key}" in the ${what}, or change the variable's dataType to match what you send.`
}

function valueAt(data: unknown, path: string[]): unknown {
  let node = data
  for (const k of path) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, k)) return undefined
    node = (node as Record<string, unknown>)[k]
  }
  return node
}
