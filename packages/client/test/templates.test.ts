import { startEmulator, type RunningEmulator } from '@galley/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient, type CraftkitClient } from '../src/index.ts'
import { INVOICE, observedFetch, uniqueSlug, rejection } from './utils.ts'

let emulator: RunningEmulator
let client: CraftkitClient
const observed = observedFetch()

beforeAll(async () => {
  emulator = await startEmulator({ quiet: true })
  client = createClient({ baseUrl: emulator.url, apiKey: emulator.apiKey, fetch: observed.fetch })
})
afterAll(async () => {
  await emulator?.close()
})

describe('templates', () => {
  it('put creates (201, created: true), then republishes (200, created: false) with a new version', async () => {
    const slug = uniqueSlug('put')
    const first = await client.templates.put(slug, INVOICE)
    expect(first).toMatchObject({ slug, currentVersionNumber: 1, created: true })
    expect(first.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(first.manifest.variables.map((v) => v.key)).toEqual(['invoice.number', 'total', 'logo'])
    const second = await client.templates.put(slug, { ...INVOICE, name: 'Invoice v2' })
    expect(second).toMatchObject({ id: first.id, slug, currentVersionNumber: 2, created: false })
  })

  it('get returns the detail with manifest and JSON Schema; list includes it without manifest', async () => {
    const slug = uniqueSlug('get')
    await client.templates.put(slug, INVOICE)
    const detail = await client.templates.get(slug)
    expect(detail).toMatchObject({ slug, name: 'Invoice', description: 'Client test template', published: true, currentVersionNumber: 1 })
    expect(detail.manifest?.loops[0]?.key).toBe('lines')
    expect(detail.jsonSchema).toMatchObject({ type: 'object' })
    const list = await client.templates.list()
    const entry = list.find((t) => t.slug === slug)
    expect(entry).toMatchObject({ slug, published: true, currentVersionNumber: 1 })
    expect(entry).not.toHaveProperty('manifest')
  })

  it('create publishes version 1; an explicit existing slug is 409 slug_conflict', async () => {
    const slug = uniqueSlug('create')
    const created = await client.templates.create({ ...INVOICE, slug })
    expect(created).toMatchObject({ slug, currentVersionNumber: 1 })
    const conflict = await rejection(client.templates.create({ ...INVOICE, slug }))
    expect(conflict).toMatchObject({ status: 409, code: 'slug_conflict', retryable: false, method: 'POST', path: '/v1/templates' })
  })

  it('create without a slug derives one from the name', async () => {
    const created = await client.templates.create({ ...INVOICE, name: `Derived ${process.pid}` })
    expect(created.slug).toMatch(/^derived-/)
  })

  it('delete soft-deletes; a second delete and a get are 404 template_not_found', async () => {
    const slug = uniqueSlug('delete')
    const put = await client.templates.put(slug, INVOICE)
    const deleted = await client.templates.delete(slug)
    expect(deleted).toMatchObject({ id: put.id, slug })
    expect(Date.parse(deleted.deletedAt)).not.toBeNaN()
    const again = await rejection(client.templates.delete(slug))
    expect(again).toMatchObject({ status: 404, code: 'template_not_found', method: 'DELETE', path: `/v1/templates/${slug}` })
    const get = await rejection(client.templates.get(slug))
    expect(get).toMatchObject({ status: 404, code: 'template_not_found' })
    expect(get.message).toContain(`GET /v1/templates/${slug}`)
  })

  it('a dotted loop key is 400 invalid_loop_key, not retried', async () => {
    observed.reset()
    const bad = await rejection(
      client.templates.put(uniqueSlug('dots'), {
        name: 'Dots',
        manifest: { variables: [], loops: [{ key: 'handover.areas', label: 'Areas', itemFields: [{ key: 'a', label: 'A', dataType: 'text' }] }] },
      }),
    )
    expect(bad).toMatchObject({ status: 400, code: 'invalid_loop_key', retryable: false, attempts: 1 })
    expect(observed.calls).toHaveLength(1)
  })

  it('an invalid body is 400 invalid_request with issues', async () => {
    const bad = await rejection(client.templates.put(uniqueSlug('bad'), { name: '', manifest: { variables: [], loops: [] } }))
    expect(bad).toMatchObject({ status: 400, code: 'invalid_request', retryable: false })
    expect(bad.issues).toBeDefined()
    expect(Object.keys(bad.issues!.fieldErrors).concat(bad.issues!.formErrors).length).toBeGreaterThan(0)
  })

  it('a wrong key is 401 unauthorized, with a hint and without the key', async () => {
    const wrong = createClient({ baseUrl: emulator.url, apiKey: 'ck_test_not-a-real-key-123456' })
    const error = await rejection(wrong.templates.list())
    expect(error).toMatchObject({ status: 401, code: 'unauthorized', retryable: false })
    expect(error.message).toContain('CRAFTKIT_API_KEY')
    expect(error.message).not.toContain('not-a-real-key')
  })

  it('sends the key as a bearer token and a user agent', async () => {
    const seen: Headers[] = []
    const c = createClient({
      baseUrl: emulator.url,
      apiKey: emulator.apiKey,
      userAgent: 'galley-test/1',
      fetch: (input, init) => {
        seen.push(new Headers(init?.headers))
        return fetch(input, init)
      },
    })
    await c.templates.list()
    expect(seen[0]?.get('authorization')).toBe(`Bearer ${emulator.apiKey}`)
    expect(seen[0]?.get('user-agent')).toBe('galley-test/1')
  })

  it.each(['/', '/v1', '/v1/'])('ignores a trailing %s of baseUrl', async (suffix) => {
    const c = createClient({ baseUrl: `${emulator.url}${suffix}`, apiKey: emulator.apiKey, fetch: observed.fetch })
    observed.reset()
    expect(Array.isArray(await c.templates.list())).toBe(true)
    expect(observed.calls).toEqual([{ method: 'GET', path: '/v1/templates', auth: true }])
  })

  it('an invalid base URL says what to set', async () => {
    const error = await rejection(createClient({ baseUrl: 'api.craftkit.dev', apiKey: emulator.apiKey }).templates.list())
    expect(error).toMatchObject({ code: 'invalid_base_url', status: 0 })
    expect(error.message).toContain('CRAFTKIT_BASE_URL')
  })
})
