import type { QueuedRender, RenderTemplateOptions, TemplateDescriptor } from '@galley/client'
import { describe, expectTypeOf, test } from 'vitest'
import checkout from '../../../templates/charter-handover/fixtures/checkout.json'
import type { AllTypesData } from './fixtures/every-data-type/expected/craftkit.gen.ts'
import type { AwkwardData } from './fixtures/awkward-keys/expected/craftkit.gen.ts'
import type { InspectionData } from './fixtures/several-loops/expected/craftkit.gen.ts'
import type { StaticNoticeData } from './fixtures/no-variables/expected/craftkit.gen.ts'
import {
  charterHandoverDescriptor,
  render,
  renderCharterHandover,
  templateDescriptors,
  type CharterHandoverData,
  type TemplateDataMap,
  type TemplateSlug,
} from './fixtures/repo-templates/expected/craftkit.gen.ts'

// Type tests on the generated API (vitest typecheck): what must compile does, and each `@ts-expect-error` marks
// data the generated types must reject. Nothing here runs.

const valid = {
  booking: { code: 'BK-12345', activityName: 'Sunset Charter' },
  handover: { kind: 'checkout', date: '2026-06-04', signedBy: 'Jane Doe' },
  areas: [
    { areaKey: 'hull', condition: 'damage', severity: 'cosmetic', location: 'port bow' },
    { areaKey: 'engine', condition: 'ok' },
  ],
}

describe('renderCharterHandover', () => {
  test('the checkout fixture type-checks, as a file and as an object literal', () => {
    expectTypeOf(checkout).toExtend<CharterHandoverData>()
    void renderCharterHandover(valid, { idempotencyKey: 'handover-BK-12345-checkout' })
    void renderCharterHandover({ ...valid, handover: { ...valid.handover, date: new Date('2026-06-04') } })
  })

  test('has the generated signature, with no any', () => {
    expectTypeOf(renderCharterHandover).parameter(0).toEqualTypeOf<CharterHandoverData>()
    expectTypeOf(renderCharterHandover).parameter(1).toEqualTypeOf<RenderTemplateOptions | undefined>()
    expectTypeOf(renderCharterHandover).returns.toEqualTypeOf<Promise<QueuedRender>>()
    expectTypeOf<CharterHandoverData>().not.toBeAny()
    expectTypeOf<CharterHandoverData['booking']['code']>().toEqualTypeOf<string>()
    expectTypeOf<CharterHandoverData['handover']['date']>().toEqualTypeOf<string | Date>()
    expectTypeOf<CharterHandoverData['areas']>().toEqualTypeOf<
      { areaKey: string; condition: string; severity?: string; location?: string }[] | undefined
    >()
    expectTypeOf(charterHandoverDescriptor).toEqualTypeOf<TemplateDescriptor>()
  })

  test('rejects a missing required key', () => {
    // @ts-expect-error booking.code is required
    void renderCharterHandover({ ...valid, booking: { activityName: 'Sunset Charter' } })
    // @ts-expect-error handover is required (it holds required keys)
    void renderCharterHandover({ booking: valid.booking })
  })

  test('rejects a number for a text field', () => {
    // @ts-expect-error booking.code is text
    void renderCharterHandover({ ...valid, booking: { code: 12345 } })
  })

  test('rejects a data: URI for an image (the server accepts http(s) URLs only)', () => {
    void renderCharterHandover({ ...valid, handover: { ...valid.handover, signatureUrl: 'https://cdn.example.com/sig.png' } })
    // @ts-expect-error handover.signatureUrl is an image: a data: URI is rejected
    void renderCharterHandover({ ...valid, handover: { ...valid.handover, signatureUrl: 'data:image/png;base64,iVBORw0KGgo=' } })
  })

  test('rejects a misspelt key in an object literal (the server would strip it)', () => {
    // @ts-expect-error `activityNme` is not a key of booking
    void renderCharterHandover({ ...valid, booking: { code: 'BK-12345', activityNme: 'Sunset Charter' } })
    // @ts-expect-error `bookings` is not a top-level key
    void renderCharterHandover({ ...valid, bookings: {} })
  })

  test('rejects a loop row missing a required field', () => {
    // @ts-expect-error each area row needs `condition`
    void renderCharterHandover({ ...valid, areas: [{ areaKey: 'hull' }] })
  })
})

describe('data types', () => {
  test('image and url take http(s) URLs, never data: URIs', () => {
    const ok: AllTypesData['required'] = required()
    void ok
    // @ts-expect-error a data: URI is rejected by the server for image
    const dataUri: AllTypesData['required']['image'] = 'data:image/png;base64,iVBORw0KGgo='
    // @ts-expect-error only http and https
    const ftp: AllTypesData['required']['url'] = 'ftp://example.com/a'
    void dataUri
    void ftp
    expectTypeOf<AllTypesData['required']['image']>().toEqualTypeOf<`http://${string}` | `https://${string}`>()
  })

  test('every dataType maps as documented', () => {
    expectTypeOf<AllTypesData['required']>().toEqualTypeOf<{
      text: string
      longtext: string
      number: number
      currency: number
      date: string | Date
      datetime: string | Date
      boolean: boolean
      image: `http://${string}` | `https://${string}`
      url: `http://${string}` | `https://${string}`
      email: string
    }>()
    expectTypeOf<AllTypesData['optional']>().toEqualTypeOf<Partial<AllTypesData['required']> | undefined>()
  })

  test('several loops are optional arrays of rows, with nested item fields', () => {
    expectTypeOf<NonNullable<InspectionData['photos']>[number]['meta']>().toEqualTypeOf<{ camera?: string; gps: { lat: number; lng: number } }>()
    // @ts-expect-error gps.lat and gps.lng are required in a photo row
    const row: NonNullable<InspectionData['photos']>[number] = { url: 'https://example.com/p.jpg', meta: { gps: { lat: 1 } } }
    void row
  })

  test('a template with no variables takes no keys', () => {
    const empty: StaticNoticeData = {}
    void empty
    // @ts-expect-error there are no keys to send
    const extra: StaticNoticeData = { anything: 1 }
    void extra
  })

  test('awkward keys are exact properties', () => {
    expectTypeOf<AwkwardData['class']>().toEqualTypeOf<string>()
    expectTypeOf<AwkwardData['__proto__']>().toEqualTypeOf<string>()
    expectTypeOf<AwkwardData['e-mail']>().toEqualTypeOf<string>()
    expectTypeOf<AwkwardData['größe']>().toEqualTypeOf<number | undefined>()
    expectTypeOf<NonNullable<AwkwardData['line-items']>[number]['in']>().toEqualTypeOf<string>()
  })
})

describe('render(slug, data)', () => {
  test('checks data against the slug', () => {
    void render('charter-handover', valid)
    // @ts-expect-error data of another shape
    void render('charter-handover', { booking: { code: 1 } })
    // @ts-expect-error not a slug of this module
    void render('no-such-template', {})
    expectTypeOf<TemplateDataMap['charter-handover']>().toEqualTypeOf<CharterHandoverData>()
    expectTypeOf<TemplateSlug>().toExtend<string>()
    expectTypeOf(templateDescriptors['charter-handover']).toEqualTypeOf<TemplateDescriptor>()
  })
})

function required(): AllTypesData['required'] {
  return {
    text: 't',
    longtext: 'l',
    number: 1,
    currency: 2.5,
    date: '2026-06-04',
    datetime: new Date(),
    boolean: true,
    image: 'https://example.com/logo.png',
    url: 'http://example.com',
    email: 'a@example.com',
  }
}
