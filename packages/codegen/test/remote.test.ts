import { manifestHash } from '@galley/core'
import { describe, expect, it } from 'vitest'
import { parseSnapshot, serializeSnapshot, snapshotTemplates, SNAPSHOT_FORMAT, type RemoteSnapshot } from '../src/remote.ts'

const snapshot: RemoteSnapshot = {
  format: SNAPSHOT_FORMAT,
  target: 'embedded',
  templates: [
    {
      slug: 'zeta',
      name: 'Zeta',
      description: null,
      versionNumber: 2,
      manifest: { variables: [{ dataType: 'text', key: 'a', label: 'A' }], loops: [] },
    },
    {
      slug: 'alpha',
      name: 'Alpha',
      description: 'First',
      versionNumber: 7,
      manifest: { variables: [], loops: [{ key: 'rows', label: 'Rows', itemFields: [{ key: 'x', dataType: 'number', required: true }] }] },
    },
  ],
}

describe('remote snapshots', () => {
  it('serialize to sorted, canonical JSON that parses back to the same templates', () => {
    const text = serializeSnapshot(snapshot)
    expect(text.indexOf('"alpha"')).toBeLessThan(text.indexOf('"zeta"'))
    expect(text).toContain('"key": "a",\n            "dataType": "text",\n            "required": false,\n            "label": "A"')
    expect(text.endsWith('}\n')).toBe(true)
    const parsed = parseSnapshot(text, 'galley.snapshot.json')
    expect(parsed.templates.map((t) => t.slug)).toEqual(['alpha', 'zeta'])
    expect(serializeSnapshot(parsed)).toBe(text)
    expect(manifestHash(parsed.templates[1]!.manifest)).toBe(manifestHash(snapshot.templates[0]!.manifest))
  })

  it('become generator input with conventional source paths, pinned only when asked', () => {
    const [alpha] = snapshotTemplates(parseSnapshot(serializeSnapshot(snapshot), 's.json'), { templatesDir: 'templates', pinVersions: true })
    expect(alpha).toMatchObject({ slug: 'alpha', sourcePath: 'templates/alpha/template.yaml', versionNumber: 7, description: 'First' })
    expect(snapshotTemplates(snapshot, { templatesDir: '.' })[0]).toMatchObject({ sourcePath: 'zeta/template.yaml', versionNumber: null })
  })

  it.each([
    ['not JSON', '{', /galley.snapshot.json cannot be read: it is not JSON/],
    ['another format', '{"format":"x"}', /its "format" is not "galley.remote-snapshot\/1"/],
    ['a template without slug', `{"format":"${SNAPSHOT_FORMAT}","target":"t","templates":[{"name":"n"}]}`, /templates\[0\] has no string "slug"/],
    [
      'a bad manifest',
      `{"format":"${SNAPSHOT_FORMAT}","target":"t","templates":[{"slug":"s","name":"n","description":null,"versionNumber":1,"manifest":{"variables":[{"key":1}]}}]}`,
      /variables\[0\] has no string "key" and "dataType"/,
    ],
  ])('reject %s with a message naming the file and the problem', (_, text, message) => {
    expect(() => parseSnapshot(text, 'galley.snapshot.json')).toThrowError(message)
  })
})
