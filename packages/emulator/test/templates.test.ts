import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { manifestToJsonSchema } from '@galley/core'
import { appEmulator, SIMPLE_MANIFEST, templateBody, waitForRender, type Api } from './utils.ts'
import type { Emulator } from '../src/index.ts'

let emu: Emulator
let api: Api
beforeAll(async () => {
  ;({ emu, api } = await appEmulator({ apiKeys: ['ck_test_templatesA', 'ck_test_templatesB'] }))
})
afterAll(() => emu.close())

const body = (name: string, extra: Record<string, unknown> = {}) => ({ name, manifest: SIMPLE_MANIFEST, ...extra })

describe('templates', () => {
  it('POST publishes v1 with 201 and echoes the manifest; GET returns the documented fields only', async () => {
    const created = await api.request('POST', '/v1/templates', body('Invoice Basic', { slug: 'invoice-basic', description: 'd' }))
    expect(created.status).toBe(201)
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      slug: 'invoice-basic',
      currentVersionNumber: 1,
      manifest: SIMPLE_MANIFEST,
    })
    const got = await api.request('GET', '/v1/templates/invoice-basic')
    expect(got.status).toBe(200)
    expect(Object.keys(got.body).sort()).toEqual(
      ['createdAt', 'currentVersionNumber', 'description', 'id', 'jsonSchema', 'manifest', 'name', 'published', 'slug', 'templateType', 'updatedAt'].sort(),
    )
    expect(got.body).toMatchObject({
      id: created.body.id,
      name: 'Invoice Basic',
      description: 'd',
      templateType: 'document',
      currentVersionNumber: 1,
      published: true,
      manifest: SIMPLE_MANIFEST,
      jsonSchema: manifestToJsonSchema(SIMPLE_MANIFEST),
    })
    expect(new Date(got.body.createdAt).toISOString()).toBe(got.body.createdAt)
  })

  it('derives the slug from the name and appends a short suffix on collision', async () => {
    const a = await api.request('POST', '/v1/templates', body('Delivery Note / Übersicht'))
    expect(a.status).toBe(201)
    expect(a.body.slug).toBe('delivery-note-ubersicht')
    const b = await api.request('POST', '/v1/templates', body('Delivery Note / Übersicht'))
    expect(b.status).toBe(201)
    expect(b.body.slug).toMatch(/^delivery-note-ubersicht-[a-z0-9]{6}$/)
    expect(b.body.id).not.toBe(a.body.id)
  })

  it('POST with an explicit slug that exists is 409 slug_conflict', async () => {
    await api.request('POST', '/v1/templates', body('Taken', { slug: 'taken' }))
    const again = await api.request('POST', '/v1/templates', body('Taken again', { slug: 'taken' }))
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('slug_conflict')
  })

  it('PUT creates (201, v1), then republishes (200) and increments on every call, even unchanged', async () => {
    const first = await api.request('PUT', '/v1/templates/put-me', body('Put me'))
    expect(first.status).toBe(201)
    expect(first.body.currentVersionNumber).toBe(1)
    const second = await api.request('PUT', '/v1/templates/put-me', body('Put me'))
    const third = await api.request('PUT', '/v1/templates/put-me', body('Put me renamed', { description: 'new', slug: 'ignored-slug' }))
    expect([second.status, third.status]).toEqual([200, 200])
    expect([second.body.currentVersionNumber, third.body.currentVersionNumber]).toEqual([2, 3])
    expect(third.body.id).toBe(first.body.id)
    expect(third.body.slug).toBe('put-me')
    const got = await api.request('GET', '/v1/templates/put-me')
    expect(got.body).toMatchObject({ name: 'Put me renamed', description: 'new', currentVersionNumber: 3 })
    expect((await api.request('GET', '/v1/templates/ignored-slug')).status).toBe(404)
  })

  it('rejects a dotted loop key with invalid_loop_key on POST and PUT', async () => {
    const manifest = { variables: [], loops: [{ key: 'handover.areas', label: 'Areas', itemFields: [{ key: 'a', dataType: 'text' }] }] }
    for (const [method, path] of [['POST', '/v1/templates'], ['PUT', '/v1/templates/dotted']] as const) {
      const r = await api.request(method, path, { name: 'Dotted', manifest })
      expect(r.status).toBe(400)
      expect(r.body.error.code).toBe('invalid_loop_key')
      expect(r.body.error.issues.fieldErrors['manifest.loops.0.key']).toBeDefined()
    }
  })

  it('rejects invalid bodies with invalid_request and issues', async () => {
    const r = await api.request('POST', '/v1/templates', { name: '', manifest: { variables: [{ key: 'x', dataType: 'colour' }] } })
    expect(r.status).toBe(400)
    expect(r.body.error.code).toBe('invalid_request')
    expect(Object.keys(r.body.error.issues.fieldErrors)).toEqual(expect.arrayContaining(['name', 'manifest.loops']))
    const badSlug = await api.request('PUT', '/v1/templates/Bad_Slug', body('x'))
    expect(badSlug.status).toBe(400)
    expect(badSlug.body.error.code).toBe('invalid_request')
  })

  it('lists templates newest-updated first without manifests', async () => {
    await api.request('PUT', '/v1/templates/listed-old', body('Old'))
    await api.request('PUT', '/v1/templates/listed-new', body('New'))
    await api.request('PUT', '/v1/templates/listed-old', body('Old'))
    const list = await api.request('GET', '/v1/templates')
    expect(list.status).toBe(200)
    const slugs = list.body.templates.map((t: any) => t.slug)
    expect(slugs.indexOf('listed-old')).toBeLessThan(slugs.indexOf('listed-new'))
    expect(Object.keys(list.body.templates[0]).sort()).toEqual(
      ['createdAt', 'currentVersionNumber', 'id', 'name', 'published', 'slug', 'templateType', 'updatedAt'].sort(),
    )
  })

  it('soft delete: 200 once then 404, frees the slug, keeps the renders', async () => {
    await api.request('PUT', '/v1/templates/doomed', body('Doomed'))
    const render = await api.request('POST', '/v1/templates/doomed/render', { data: { customer: { name: 'A' } } })
    expect(render.status).toBe(202)
    const done = await waitForRender(api, render.body.id)
    expect(done.status).toBe('succeeded')

    const del = await api.request('DELETE', '/v1/templates/doomed')
    expect(del.status).toBe(200)
    expect(del.body).toEqual({ id: expect.any(String), slug: 'doomed', deletedAt: expect.any(String) })
    expect((await api.request('DELETE', '/v1/templates/doomed')).body.error.code).toBe('template_not_found')
    expect((await api.request('GET', '/v1/templates/doomed')).status).toBe(404)
    expect((await api.request('GET', '/v1/templates')).body.templates.map((t: any) => t.slug)).not.toContain('doomed')
    const blocked = await api.request('POST', '/v1/templates/doomed/render', { data: { customer: { name: 'A' } } })
    expect(blocked.status).toBe(404)
    expect(blocked.body.error.code).toBe('template_not_found')

    // The old render and its PDF are untouched.
    const old = await api.request('GET', `/v1/renders/${render.body.id}`)
    expect(old.body.status).toBe('succeeded')
    expect((await api.raw(new URL(old.body.downloadUrl).pathname)).status).toBe(200)

    // The slug is free again: POST with it succeeds and is a new template at v1.
    const again = await api.request('POST', '/v1/templates', body('Doomed again', { slug: 'doomed' }))
    expect(again.status).toBe(201)
    expect(again.body.id).not.toBe(del.body.id)
    expect(again.body.currentVersionNumber).toBe(1)
  })

  it('isolates projects: another project key gets 404 and its own slug space', async () => {
    const other = api.withKey('ck_test_templatesB')
    await api.request('PUT', '/v1/templates/private-one', body('Private'))
    expect((await other.request('GET', '/v1/templates/private-one')).body.error.code).toBe('template_not_found')
    expect((await other.request('DELETE', '/v1/templates/private-one')).status).toBe(404)
    expect((await other.request('GET', '/v1/templates')).body.templates).toEqual([])
    const theirs = await other.request('PUT', '/v1/templates/private-one', body('Theirs'))
    expect(theirs.status).toBe(201)
    expect((await api.request('GET', '/v1/templates/private-one')).body.name).toBe('Private')
  })

  it('PUT the charter-handover template from its template.yaml and GET it back', async () => {
    const put = await api.request('PUT', '/v1/templates/charter-handover', templateBody('charter-handover'))
    expect(put.status).toBe(201)
    const got = await api.request('GET', '/v1/templates/charter-handover')
    expect(got.body.manifest.loops[0].key).toBe('areas')
    expect(got.body.jsonSchema.properties.areas.type).toBe('array')
    expect(got.body).not.toHaveProperty('layout')
    expect(got.body).not.toHaveProperty('pageConfig')
  })
})
