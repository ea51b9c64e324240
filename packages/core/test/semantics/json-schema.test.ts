import { describe, expect, it } from 'vitest'
import { manifestToJsonSchema } from '../../src/index.ts'

describe('manifestToJsonSchema', () => {
  it('nests scalars by dot-path, keeps loop keys literal, marks required and types per dataType', () => {
    const schema = manifestToJsonSchema({
      variables: [
        { key: 'booking.code', label: 'Booking code', dataType: 'text', required: true },
        { key: 'booking.total', dataType: 'currency' },
        { key: 'signedAt', dataType: 'datetime' },
        { key: 'logo', dataType: 'image' },
        { key: 'contact', dataType: 'email' },
        { key: 'paid', dataType: 'boolean' },
        { key: 'due', dataType: 'date' },
      ],
      loops: [{ key: 'lines', label: 'Lines', itemFields: [{ key: 'qty', dataType: 'number', required: true }] }],
    })
    expect(schema).toEqual({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: {
        booking: {
          type: 'object',
          properties: { code: { description: 'Booking code', type: 'string' }, total: { type: 'number' } },
          required: ['code'],
          additionalProperties: false,
        },
        signedAt: { type: 'string', format: 'date-time' },
        logo: { type: 'string', format: 'uri', pattern: '^https?://' },
        contact: { type: 'string', format: 'email' },
        paid: { type: 'boolean' },
        due: { type: 'string', format: 'date' },
        lines: {
          description: 'Lines',
          type: 'array',
          maxItems: 10000,
          items: { type: 'object', properties: { qty: { type: 'number' } }, required: ['qty'], additionalProperties: false },
        },
      },
      required: ['booking'],
      additionalProperties: false,
    })
  })

  it('keeps a dotted loop key as one literal property', () => {
    const schema = manifestToJsonSchema({
      variables: [],
      loops: [{ key: 'handover.areas', label: 'A', itemFields: [{ key: 'k', dataType: 'text' }] }],
    })
    expect(Object.keys(schema.properties ?? {})).toEqual(['handover.areas'])
  })
})
