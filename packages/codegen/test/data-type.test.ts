import type { DataType, Manifest } from '@galley/core'
import { describe, expect, it } from 'vitest'
import { compileDataType, compileDataTypes } from '../src/data-type.ts'

/** The type of a one-variable manifest, without its doc comments. */
async function typeOf(manifest: Manifest): Promise<string> {
  return (await compileDataType(manifest)).replace(/^\s*\/\*\*.*\*\/\n/gm, '')
}

describe('compileDataType: one variable per dataType', () => {
  it.each<[DataType, string]>([
    ['text', 'string'],
    ['longtext', 'string'],
    ['email', 'string'],
    ['number', 'number'],
    ['currency', 'number'],
    ['boolean', 'boolean'],
    ['date', 'string | Date'],
    ['datetime', 'string | Date'],
    ['image', '`http://${string}` | `https://${string}`'],
    ['url', '`http://${string}` | `https://${string}`'],
  ])('%s -> %s', async (dataType, want) => {
    expect(await typeOf({ variables: [{ key: 'v', dataType, required: true }], loops: [] })).toBe(`{\n  v: ${want};\n}`)
  })
})

describe('compileDataType: shapes', () => {
  it.each<[string, { given: Manifest; want: string }]>([
    ['no variables', { given: { variables: [], loops: [] }, want: 'Record<string, never>' }],
    ['optional by default', { given: { variables: [{ key: 'a', dataType: 'text' }], loops: [] }, want: '{\n  a?: string;\n}' }],
    [
      'deep dot-paths nest, and a branch is required when a leaf below it is',
      {
        given: {
          variables: [
            { key: 'a.b.c.d', dataType: 'text', required: true },
            { key: 'a.b.e', dataType: 'number' },
            { key: 'a.f', dataType: 'boolean' },
            { key: 'g.h', dataType: 'text' },
          ],
          loops: [],
        },
        want: '{\n  a: {\n    b: {\n      c: {\n        d: string;\n      };\n      e?: number;\n    };\n    f?: boolean;\n  };\n  g?: {\n    h?: string;\n  };\n}',
      },
    ],
    [
      'loops are optional arrays of row objects, with dot-paths nested inside rows',
      {
        given: {
          variables: [],
          loops: [
            { key: 'rows', label: 'Rows', itemFields: [{ key: 'a', dataType: 'text', required: true }, { key: 'p.q', dataType: 'url' }] },
            { key: 'other', label: 'Other', itemFields: [{ key: 'n', dataType: 'number' }] },
          ],
        },
        want: '{\n  rows?: {\n    a: string;\n    p?: {\n      q?: `http://${string}` | `https://${string}`;\n    };\n  }[];\n  other?: {\n    n?: number;\n  }[];\n}',
      },
    ],
    [
      'keys that are reserved words, hyphenated, unicode or __proto__',
      {
        given: {
          variables: [
            { key: 'class', dataType: 'text', required: true },
            { key: 'e-mail', dataType: 'email' },
            { key: 'größe', dataType: 'number' },
            { key: '__proto__', dataType: 'text' },
            { key: 'x.__proto__', dataType: 'text', required: true },
          ],
          loops: [{ key: 'order-lines', label: 'Lines', itemFields: [{ key: 'default', dataType: 'text' }] }],
        },
        want: "{\n  class: string;\n  'e-mail'?: string;\n  'größe'?: number;\n  '__proto__'?: string;\n  x: {\n    '__proto__': string;\n  };\n  'order-lines'?: {\n    default?: string;\n  }[];\n}",
      },
    ],
    [
      'a dotted loop key (dashboard templates) stays one literal top-level key',
      {
        given: { variables: [], loops: [{ key: 'order.items', label: 'Items', itemFields: [{ key: 'sku', dataType: 'text', required: true }] }] },
        want: "{\n  'order.items'?: {\n    sku: string;\n  }[];\n}",
      },
    ],
  ])('%s', async (_, { given, want }) => {
    expect(await typeOf(given)).toBe(want)
  })
})

describe('compileDataType: JSDoc', () => {
  it('comes from labels and dataTypes, and escapes */', async () => {
    const text = await compileDataType({
      variables: [
        { key: 'a', label: 'Total */ evil', dataType: 'currency' },
        { key: 'b', dataType: 'image' },
      ],
      loops: [{ key: 'rows', label: 'Rows', itemFields: [{ key: 'x', label: 'X', dataType: 'date' }] }],
    })
    expect(text).toBe(
      [
        '{',
        '  /** Total *\\/ evil (`currency`: a number) */',
        '  a?: number;',
        '  /** `b` (`image`: an http(s) URL; `data:` URIs are rejected) */',
        '  b?: `http://${string}` | `https://${string}`;',
        '  /** Rows (loop of up to 10,000 rows) */',
        '  rows?: {',
        '    /** X (`date`: a Date or an ISO 8601 string) */',
        '    x?: string | Date;',
        '  }[];',
        '}',
      ].join('\n'),
    )
    expect(text).not.toMatch(/\*\/ evil/)
  })
})

describe('compileDataTypes: shared sub-schemas print like the plain tree', () => {
  /** Seeded manifests with many equal sub-shapes: the same fields, nested objects and loop rows recur. */
  function manifests(count: number): Manifest[] {
    let seed = 7
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
    const types: DataType[] = ['text', 'number', 'date', 'image', 'boolean', 'url', 'currency']
    return Array.from({ length: count }, (_, i) => {
      const used = new Set<string>()
      const variables = Array.from({ length: 1 + Math.floor(random() * 6) }, () => {
        const key = pick(['a', 'b', 'c.d', 'c.e', 'f.g.h', 'f.i', 'j'])
        return { key, dataType: pick(types), required: random() < 0.4, label: `L${i}` }
      }).filter((v) => !used.has(v.key) && !used.has(v.key.split('.')[0]!) && used.add(v.key) && used.add(v.key.split('.')[0]!))
      const loops = random() < 0.5 ? [{ key: 'rows', label: 'Rows', itemFields: [{ key: pick(['x', 'y']), dataType: pick(types), required: random() < 0.5 }] }] : []
      return { variables, loops }
    })
  }

  it('gives the same text, in one batch or one by one', async () => {
    const given = manifests(60)
    const tree = await Promise.all(given.map((m) => compileDataTypes([m], { share: false }).then((t) => t[0]!)))
    expect(await compileDataTypes(given)).toEqual(tree)
    expect(await compileDataTypes(given, { share: false })).toEqual(tree)
    expect(new Set(tree).size).toBeGreaterThan(10)
  })
})
