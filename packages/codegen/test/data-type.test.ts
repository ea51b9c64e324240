import type { DataType, Manifest } from '@galley/core'
import { describe, expect, it } from 'vitest'
import { compileDataType } from '../src/data-type.ts'

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
