import type { Manifest as CoreManifest, TemplateBody as CoreTemplateBody } from '@galley/core'
import { describe, expectTypeOf, test } from 'vitest'
import {
  createClient,
  CraftkitError,
  isCraftkitError,
  renderTemplate,
  verifyWebhookSignature,
  verifyWebhookSignatureAsync,
  type CraftkitClient,
  type CraftkitErrorCode,
  type CreatedRender,
  type Manifest,
  type QueuedRender,
  type Render,
  type RenderTemplateOptions,
  type Share,
  type TemplateBody,
  type TemplateDescriptor,
  type TemplateDetail,
  type TemplateSummary,
} from '../src/index.ts'

// Type tests of the public API (vitest typecheck): nothing here runs.
const client = createClient()

describe('createClient', () => {
  test('options are all optional and typed', () => {
    expectTypeOf(createClient).parameter(0).toEqualTypeOf<Parameters<typeof createClient>[0]>()
    createClient({ apiKey: 'k', baseUrl: 'http://localhost:3000', fetch, retry: { retries: 2, minDelayMs: 100 }, userAgent: 'x', timeoutMs: 1000 })
    createClient({ retry: false })
    // @ts-expect-error retry is an options object or false
    createClient({ retry: true })
    // @ts-expect-error unknown option
    createClient({ apiKeyEnv: 'X' })
    expectTypeOf(client).toEqualTypeOf<CraftkitClient>()
  })

  test('templates', () => {
    expectTypeOf(client.templates.list()).toEqualTypeOf<Promise<TemplateSummary[]>>()
    expectTypeOf(client.templates.get('a')).toEqualTypeOf<Promise<TemplateDetail>>()
    expectTypeOf(client.templates.put('a', { name: 'A', manifest: { variables: [], loops: [] } })).resolves.toHaveProperty('created').toEqualTypeOf<boolean>()
    expectTypeOf(client.templates.put('a', { name: 'A', manifest: { variables: [], loops: [] } })).resolves.toHaveProperty('currentVersionNumber').toEqualTypeOf<number>()
    expectTypeOf(client.templates.delete('a')).resolves.toEqualTypeOf<{ id: string; slug: string; deletedAt: string }>()
    expectTypeOf<TemplateDetail['manifest']>().toEqualTypeOf<Manifest | null>()
    // @ts-expect-error manifest is required
    void client.templates.put('a', { name: 'A' })
    // @ts-expect-error not a data type
    void client.templates.put('a', { name: 'A', manifest: { variables: [{ key: 'k', dataType: 'string' }], loops: [] } })
  })

  test("@galley/core's manifest and template body are accepted as they are (the publisher passes them)", () => {
    expectTypeOf<CoreManifest>().toExtend<Manifest>()
    expectTypeOf<CoreTemplateBody>().toExtend<TemplateBody>()
    expectTypeOf<Manifest>().toExtend<TemplateDescriptor['manifest']>()
  })

  test('renders', () => {
    expectTypeOf(client.renders.create('a', { data: {} }, { idempotencyKey: 'k' })).toEqualTypeOf<Promise<CreatedRender>>()
    expectTypeOf<CreatedRender['replayed']>().toEqualTypeOf<boolean>()
    expectTypeOf<Render['status']>().toEqualTypeOf<'queued' | 'rendering' | 'succeeded' | 'failed' | 'cancelled'>()
    expectTypeOf<Render['downloadUrl']>().toEqualTypeOf<string | null>()
    expectTypeOf(client.renders.wait('id', { timeoutMs: 1, onPoll: (e) => expectTypeOf(e.delayMs).toEqualTypeOf<number>() })).toEqualTypeOf<Promise<Render>>()
    expectTypeOf(client.renders.download('id')).toEqualTypeOf<Promise<Uint8Array>>()
    // @ts-expect-error options.versionNumber is a number
    void client.renders.create('a', { data: {}, options: { versionNumber: '1' } })
    // @ts-expect-error data is required
    void client.renders.create('a', {})
  })

  test('shares', () => {
    expectTypeOf(client.shares.create('r', { channel: 'email', recipientEmail: 'a@b.c' })).toEqualTypeOf<Promise<Share>>()
    expectTypeOf(client.shares.list('r')).toEqualTypeOf<Promise<Share[]>>()
    expectTypeOf(client.shares.revoke('r', 's')).resolves.toEqualTypeOf<{ id: string; revokedAt: string }>()
    // @ts-expect-error channel is link or email
    void client.shares.create('r', { channel: 'sms' })
  })
})

describe('errors', () => {
  test('CraftkitError carries status, code, issues, retryable', () => {
    const e = new CraftkitError({ status: 400, code: 'invalid_input_data', message: 'm', retryable: false })
    expectTypeOf(e).toExtend<Error>()
    expectTypeOf(e.status).toEqualTypeOf<number>()
    expectTypeOf(e.code).toEqualTypeOf<CraftkitErrorCode>()
    expectTypeOf(e.retryable).toEqualTypeOf<boolean>()
    expectTypeOf(e.issues).toEqualTypeOf<{ formErrors: string[]; fieldErrors: Record<string, string[]> } | undefined>()
    expectTypeOf(e.requestId).toEqualTypeOf<string | undefined>()
    // Known codes complete in editors; other strings are still allowed (servers add codes).
    expectTypeOf<'render_failed'>().toExtend<CraftkitErrorCode>()
    expectTypeOf<'some_future_code'>().toExtend<CraftkitErrorCode>()
    const u: unknown = e
    if (isCraftkitError(u, 'wait_timeout')) expectTypeOf(u).toEqualTypeOf<CraftkitError>()
  })
})

describe('webhooks', () => {
  test('sync and async verification', () => {
    expectTypeOf(verifyWebhookSignature({ rawBody: '', signature: 's', secret: 'x', timestamp: '1', toleranceSeconds: 60 })).toEqualTypeOf<boolean>()
    expectTypeOf(verifyWebhookSignatureAsync({ rawBody: new Uint8Array(), signature: null, secret: 'x' })).toEqualTypeOf<Promise<boolean>>()
    // @ts-expect-error the secret is required
    verifyWebhookSignature({ rawBody: '', signature: 's' })
  })
})

describe('the generated-code runtime', () => {
  test('renderTemplate and its types, as the generated module uses them', () => {
    const descriptor: TemplateDescriptor = {
      slug: 'receipt',
      manifestHash: 'abc',
      versionNumber: 3,
      manifest: {
        variables: [{ key: 'customer.name', dataType: 'text', required: true }],
        loops: [{ key: 'lines', label: 'Lines', itemFields: [{ key: 'sku', dataType: 'text', required: true }] }],
      },
    }
    expectTypeOf(renderTemplate(descriptor, {})).toEqualTypeOf<Promise<QueuedRender>>()
    expectTypeOf<QueuedRender>().toExtend<Render>()
    expectTypeOf<QueuedRender['wait']>().returns.toEqualTypeOf<Promise<Render>>()
    expectTypeOf<QueuedRender['download']>().returns.toEqualTypeOf<Promise<Uint8Array>>()
    expectTypeOf<RenderTemplateOptions>().toEqualTypeOf<{
      idempotencyKey?: string
      versionNumber?: number
      filename?: string
      client?: CraftkitClient
      signal?: AbortSignal
      preflight?: boolean
    }>()
    // @ts-expect-error a descriptor needs its manifest hash
    const bad: TemplateDescriptor = { slug: 'x' }
    void bad
  })
})
