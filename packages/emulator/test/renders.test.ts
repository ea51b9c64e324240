import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Emulator } from '../src/index.ts'
import { appEmulator, flat, makePng, readPdf, SIMPLE_MANIFEST, startLocalServer, waitForRender, type Api } from './utils.ts'

const KEY_A = 'ck_test_rendersA1'
const KEY_B = 'ck_test_rendersB2'
let emu: Emulator
let api: Api
let other: Api
beforeAll(async () => {
  ;({ emu, api } = await appEmulator({ apiKeys: [KEY_A, KEY_B], renderConcurrency: 2, imageTimeoutMs: 60_000 }))
  other = api.withKey(KEY_B)
  await api.request('PUT', '/v1/templates/simple', { name: 'Simple', manifest: SIMPLE_MANIFEST })
})
afterAll(() => emu.close())

const render = (data: unknown, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}, slug = 'simple') =>
  api.request('POST', `/v1/templates/${slug}/render`, { data, ...extra }, headers)

const IMAGE_MANIFEST = {
  variables: [
    { key: 'title', label: 'Title', dataType: 'text' as const },
    { key: 'logo', label: 'Logo', dataType: 'image' as const },
  ],
  loops: [],
}

describe('render lifecycle', () => {
  it('202 queued with the six documented fields, then succeeded with completedAt, durationMs and a PDF', async () => {
    const r = await render({ customer: { name: 'Ada Lovelace' }, total: 12.5, items: [{ name: 'Widget' }] })
    expect(r.status).toBe(202)
    expect(Object.keys(r.body).sort()).toEqual(['createdAt', 'downloadUrl', 'errorMessage', 'id', 'pollUrl', 'status'])
    expect(r.body).toMatchObject({ status: 'queued', downloadUrl: null, errorMessage: null })
    expect(r.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(r.body.pollUrl).toBe(`http://localhost/v1/renders/${r.body.id}`)
    const done = await waitForRender(api, r.body.id)
    expect(done).toMatchObject({ id: r.body.id, status: 'succeeded', errorMessage: null, createdAt: r.body.createdAt })
    expect(done.downloadUrl).toBe(`http://localhost/files/renders/${r.body.id}.pdf`)
    expect(Date.parse(done.completedAt)).toBeGreaterThanOrEqual(Date.parse(done.createdAt))
    expect(done.durationMs).toEqual(expect.any(Number))
    const pdf = await api.raw(`/files/renders/${r.body.id}.pdf`)
    expect(pdf.headers.get('content-type')).toBe('application/pdf')
    const text = flat((await readPdf(new Uint8Array(await pdf.arrayBuffer()))).text)
    expect(text).toContain('Ada Lovelace')
    expect(text).toContain('Widget')
  })

  it('moves queued -> rendering -> succeeded, with completedAt/durationMs null until terminal', async () => {
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const png = makePng(4, 4)
    const images = await startLocalServer((_req, res) => {
      void gate.then(() => res.writeHead(200, { 'content-type': 'image/png' }).end(png))
    })
    try {
      await api.request('PUT', '/v1/templates/with-image', { name: 'With image', manifest: IMAGE_MANIFEST })
      // renderConcurrency is 2: two renders block on the image, the third waits in the queue.
      const ids: string[] = []
      for (let i = 0; i < 3; i++) ids.push((await render({ title: `T${i}`, logo: `${images.url}/logo.png` }, {}, {}, 'with-image')).body.id)
      await expect.poll(async () => (await api.request('GET', `/v1/renders/${ids[1]}`)).body.status, { timeout: 20_000 }).toBe('rendering')
      const states = await Promise.all(ids.map(async (id) => (await api.request('GET', `/v1/renders/${id}`)).body))
      expect(states.map((s) => s.status)).toEqual(['rendering', 'rendering', 'queued'])
      for (const s of states) expect([s.completedAt, s.durationMs, s.downloadUrl]).toEqual([null, null, null])
      release()
      for (const id of ids) expect((await waitForRender(api, id)).status).toBe('succeeded')
    } finally {
      release()
      await images.close()
    }
  })

  it('an image that cannot be fetched fails the render with an errorMessage; the status is never cancelled', async () => {
    await api.request('PUT', '/v1/templates/broken-image', { name: 'Broken', manifest: IMAGE_MANIFEST })
    const r = await render({ logo: 'http://127.0.0.1:9/missing.png' }, {}, { 'idempotency-key': 'broken-1' }, 'broken-image')
    expect(r.status).toBe(202)
    const done = await waitForRender(api, r.body.id)
    expect(done.status).toBe('failed')
    expect(done.errorMessage).toEqual(expect.stringContaining('127.0.0.1:9'))
    expect(done.downloadUrl).toBeNull()
    expect(done.completedAt).not.toBeNull()
    // A failed render is returned as it is on replay; no re-render.
    const replay = await render({ logo: 'http://127.0.0.1:9/missing.png' }, {}, { 'idempotency-key': 'broken-1' }, 'broken-image')
    expect(replay.status).toBe(200)
    expect(replay.body).toMatchObject({ id: r.body.id, status: 'failed', errorMessage: done.errorMessage })
    // No asset: the private download and the shares refuse.
    expect((await api.request('GET', `/v1/embed/renders/${r.body.id}/download`)).status).toBe(404)
    expect((await api.request('POST', `/v1/renders/${r.body.id}/shares`, {})).body.error.code).toBe('not_ready')
  })

  it('ignores options.sync: still 202 queued', async () => {
    const r = await render({ customer: { name: 'S' } }, { options: { sync: true } })
    expect(r.status).toBe(202)
    expect(r.body.status).toBe('queued')
  })
})

describe('render validation', () => {
  it('strips unknown keys and coerces numeric and boolean strings', async () => {
    const r = await render({ customer: { name: 'C', nickname: 'x' }, total: '12.50', paid: 'true', extra: 1 })
    expect(r.status).toBe(202)
    const [row] = (await emu.store.db.query<{ data: any }>('SELECT data FROM renders WHERE id = $1', [r.body.id])).rows
    expect(row!.data).toEqual({ customer: { name: 'C' }, total: 12.5, paid: true, items: [] })
  })

  it('answers invalid_input_data with fieldErrors keyed by dotted path', async () => {
    const r = await render({ total: 'lots', paid: 'yes', items: [{}] })
    expect(r.status).toBe(400)
    expect(r.body.error.code).toBe('invalid_input_data')
    expect(r.body.error.issues.formErrors).toEqual([])
    expect(r.body.error.issues.fieldErrors).toEqual({
      'customer.name': ['Required'],
      total: ['Expected number, received string'],
      paid: ['Expected boolean, received string'],
      'items.0.name': ['Required'],
    })
  })

  it('applies the URL rule: http(s) only, data: URIs rejected', async () => {
    for (const site of ['data:text/plain;base64,aGk=', 'ftp://example.com/x', 'not a url']) {
      const r = await render({ customer: { name: 'U' }, site })
      expect(r.status).toBe(400)
      expect(r.body.error.code).toBe('invalid_input_data')
      expect(r.body.error.issues.fieldErrors.site).toHaveLength(1)
    }
    expect((await render({ customer: { name: 'U' }, site: 'https://example.com/x' })).status).toBe(202)
  })

  it('caps a loop at 10,000 rows', async () => {
    const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `row ${i}` }))
    const over = await render({ customer: { name: 'L' }, items: rows(10_001) })
    expect(over.status).toBe(400)
    expect(over.body.error.code).toBe('invalid_input_data')
    expect(over.body.error.issues.fieldErrors.items).toEqual(['Array must contain at most 10000 element(s)'])
  })

  it('rejects a bad envelope with invalid_request', async () => {
    for (const bad of [{}, { data: [] }, { data: 'x' }, { data: {}, jobId: '' }, { data: {}, options: { versionNumber: 1.5 } }]) {
      const r = await api.request('POST', '/v1/templates/simple/render', bad)
      expect(r.status).toBe(400)
      expect(r.body.error.code).toBe('invalid_request')
      expect(r.body.error.issues).toBeDefined()
    }
    const longKey = await render({ customer: { name: 'K' } }, {}, { 'idempotency-key': 'k'.repeat(201) })
    expect(longKey.body.error.code).toBe('invalid_request')
  })

  it('pins versions with options.versionNumber, and 404 version_not_found for an unknown one', async () => {
    const v1 = { variables: [{ key: 'a', label: 'A', dataType: 'text' as const, required: true }], loops: [] }
    const v2 = { variables: [{ key: 'b', label: 'B', dataType: 'text' as const, required: true }], loops: [] }
    await api.request('PUT', '/v1/templates/pinned', { name: 'Pinned', manifest: v1 })
    await api.request('PUT', '/v1/templates/pinned', { name: 'Pinned', manifest: v2 })
    expect((await render({ a: 'x' }, {}, {}, 'pinned')).body.error.issues.fieldErrors).toEqual({ b: ['Required'] })
    const pinned = await render({ a: 'from v1' }, { options: { versionNumber: 1 } }, {}, 'pinned')
    expect(pinned.status).toBe(202)
    const [row] = (
      await emu.store.db.query<{ version_number: number }>(
        'SELECT v.version_number FROM renders r JOIN template_versions v ON v.id = r.template_version_id WHERE r.id = $1',
        [pinned.body.id],
      )
    ).rows
    expect(row!.version_number).toBe(1)
    const missing = await render({ a: 'x' }, { options: { versionNumber: 3 } }, {}, 'pinned')
    expect(missing.status).toBe(404)
    expect(missing.body.error.code).toBe('version_not_found')
  })

  it('409 no_published_version for a template without a published version', async () => {
    await api.request('PUT', '/v1/templates/unpublished', { name: 'Unpublished', manifest: SIMPLE_MANIFEST })
    // The API always publishes; a dashboard draft has no version yet, so make one by hand.
    await emu.store.db.query(`UPDATE templates SET current_version_number = NULL WHERE slug = 'unpublished'`)
    const got = await api.request('GET', '/v1/templates/unpublished')
    expect(got.body).toMatchObject({ published: false, manifest: null, jsonSchema: null, currentVersionNumber: null })
    const r = await render({ customer: { name: 'N' } }, {}, {}, 'unpublished')
    expect(r.status).toBe(409)
    expect(r.body.error.code).toBe('no_published_version')
  })

  it('404 template_not_found for an unknown slug', async () => {
    const r = await render({}, {}, {}, 'no-such-template')
    expect(r.status).toBe(404)
    expect(r.body.error.code).toBe('template_not_found')
  })
})

describe('idempotency', () => {
  it('by header: 202 then 200 with the current state and the same id', async () => {
    const first = await render({ customer: { name: 'I' } }, {}, { 'idempotency-key': 'order-1' })
    expect(first.status).toBe(202)
    await waitForRender(api, first.body.id)
    const again = await render({ customer: { name: 'different payload' } }, {}, { 'idempotency-key': 'order-1' })
    expect(again.status).toBe(200)
    expect(again.body).toMatchObject({ id: first.body.id, status: 'succeeded', downloadUrl: expect.any(String) })
  })

  it('by body jobId; the header wins over jobId', async () => {
    const byJob = await render({ customer: { name: 'J' } }, { jobId: 'job-1' })
    expect(byJob.status).toBe(202)
    expect((await render({ customer: { name: 'J' } }, { jobId: 'job-1' })).body.id).toBe(byJob.body.id)
    const headerWins = await render({ customer: { name: 'J' } }, { jobId: 'job-1' }, { 'idempotency-key': 'header-1' })
    expect(headerWins.status).toBe(202)
    expect(headerWins.body.id).not.toBe(byJob.body.id)
    const byHeaderAsJob = await render({ customer: { name: 'J' } }, { jobId: 'header-1' })
    expect(byHeaderAsJob).toMatchObject({ status: 200, body: { id: headerWins.body.id } })
  })

  it('is scoped per project, and renders without a key are never deduplicated', async () => {
    await other.request('PUT', '/v1/templates/simple', { name: 'Simple', manifest: SIMPLE_MANIFEST })
    const a = await render({ customer: { name: 'P' } }, {}, { 'idempotency-key': 'shared-key' })
    const b = await other.request('POST', '/v1/templates/simple/render', { data: { customer: { name: 'P' } } }, { 'idempotency-key': 'shared-key' })
    expect([a.status, b.status]).toEqual([202, 202])
    expect(a.body.id).not.toBe(b.body.id)
    const n1 = await render({ customer: { name: 'P' } })
    const n2 = await render({ customer: { name: 'P' } })
    expect([n1.status, n2.status]).toEqual([202, 202])
    expect(n1.body.id).not.toBe(n2.body.id)
  })

  it('concurrent submits with one key create exactly one render', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => render({ customer: { name: 'C' } }, {}, { 'idempotency-key': 'in-process-race' })),
    )
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1)
    expect(results.filter((r) => r.status === 202)).toHaveLength(1)
    const count = await emu.store.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM renders WHERE idempotency_key = 'in-process-race'`)
    expect(count.rows[0]!.n).toBe(1)
  })
})

describe('auth and isolation', () => {
  it('401 unauthorized for missing, malformed and unknown keys, without echoing the key', async () => {
    const cases: Record<string, string>[] = [
      {},
      { authorization: 'Bearer' },
      { authorization: 'Basic Y2s6dGVzdA==' },
      { authorization: 'Bearer sk_live_123456' },
      { authorization: 'Bearer ck_test_doesnotexist999' },
      { authorization: `Bearer ${KEY_A} extra` },
    ]
    for (const headers of cases) {
      const res = await api.raw('/v1/templates', { headers })
      expect(res.status).toBe(401)
      const text = await res.text()
      expect(JSON.parse(text).error.code).toBe('unauthorized')
      expect(text).not.toContain('doesnotexist999')
      expect(text).not.toContain(KEY_A)
    }
  })

  it('stores keys as SHA-256 hashes only', async () => {
    const rows = (await emu.store.db.query<{ key_hash: string; prefix: string }>('SELECT key_hash, prefix FROM api_keys')).rows
    const hash = createHash('sha256').update(KEY_A).digest('hex')
    expect(rows.map((r) => r.key_hash)).toContain(hash)
    const dump = JSON.stringify((await emu.store.db.query('SELECT * FROM api_keys')).rows)
    expect(dump).not.toContain(KEY_A)
    expect(dump).not.toContain(KEY_B)
  })

  it("another project's key gets 404 for renders, downloads and shares", async () => {
    const r = await render({ customer: { name: 'Mine' } })
    await waitForRender(api, r.body.id)
    expect((await other.request('GET', `/v1/renders/${r.body.id}`)).body.error.code).toBe('not_found')
    expect((await other.request('GET', `/v1/embed/renders/${r.body.id}/download`)).status).toBe(404)
    expect((await other.request('POST', `/v1/renders/${r.body.id}/shares`, {})).status).toBe(404)
    expect((await other.request('GET', `/v1/renders/${r.body.id}/shares`)).status).toBe(404)
    expect((await api.request('GET', '/v1/renders/not-a-uuid')).body.error.code).toBe('not_found')
  })
})

describe('downloads and shares', () => {
  let id: string
  beforeAll(async () => {
    const r = await render({ customer: { name: 'Shared Person' } }, { options: { filename: 'my "report"' } })
    id = (await waitForRender(api, r.body.id)).id
  })

  it('streams the private download with the documented headers; invalid_credentials without a key', async () => {
    const res = await api.raw(`/v1/embed/renders/${id}/download`, { headers: { authorization: `Bearer ${KEY_A}` } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/pdf')
    expect(res.headers.get('content-disposition')).toBe('inline; filename="my _report_.pdf"')
    expect(res.headers.get('cache-control')).toBe('private, max-age=3600')
    const bytes = new Uint8Array(await res.arrayBuffer())
    expect(Buffer.from(bytes.subarray(0, 5)).toString()).toBe('%PDF-')
    expect(flat((await readPdf(bytes)).text)).toContain('Shared Person')
    const anon = await api.raw(`/v1/embed/renders/${id}/download`)
    expect(anon.status).toBe(401)
    expect(((await anon.json()) as any).error.code).toBe('invalid_credentials')
  })

  it('creates, lists, opens and revokes share links', async () => {
    const link = await api.request('POST', `/v1/renders/${id}/shares`, undefined)
    expect(link.status).toBe(201)
    expect(link.body).toEqual({
      id: expect.any(String),
      shareToken: expect.stringMatching(/^cks_[A-Za-z0-9]{32}$/),
      shareUrl: `http://localhost/share/${link.body.shareToken}`,
      channel: 'link',
      recipientEmail: null,
      message: null,
      expiresAt: null,
      revokedAt: null,
      createdAt: expect.any(String),
    })
    const email = await api.request('POST', `/v1/renders/${id}/shares`, { channel: 'email', recipientEmail: 'a@b.co', message: 'hi' })
    expect(email.status).toBe(201)
    expect(email.body).toMatchObject({ channel: 'email', recipientEmail: 'a@b.co', message: 'hi' })
    const noEmail = await api.request('POST', `/v1/renders/${id}/shares`, { channel: 'email' })
    expect(noEmail.body.error).toMatchObject({ code: 'invalid_request', issues: { fieldErrors: { recipientEmail: expect.any(Array) } } })
    expect((await api.request('POST', `/v1/renders/${id}/shares`, { message: 'x'.repeat(2001) })).status).toBe(400)

    const opened = await api.raw(`/share/${link.body.shareToken}`)
    expect(opened.status).toBe(200)
    expect(opened.headers.get('content-type')).toBe('application/pdf')
    await opened.arrayBuffer()

    const list = await api.request('GET', `/v1/renders/${id}/shares`)
    expect(list.body.shares.map((s: any) => s.id)).toEqual([email.body.id, link.body.id])
    expect(list.body.shares[1]).toMatchObject({ clickCount: 1, revokedReason: null })

    const revoked = await api.request('DELETE', `/v1/renders/${id}/shares/${link.body.id}`)
    expect(revoked.status).toBe(200)
    expect(revoked.body).toEqual({ id: link.body.id, revokedAt: expect.any(String) })
    expect((await api.request('DELETE', `/v1/renders/${id}/shares/${link.body.id}`)).body.error.code).toBe('not_found')
    expect((await api.raw(`/share/${link.body.shareToken}`)).status).toBe(404)
    const after = await api.request('GET', `/v1/renders/${id}/shares`)
    expect(after.body.shares[1]).toMatchObject({ revokedReason: 'revoked_by_partner', revokedAt: revoked.body.revokedAt })
  })

  it('an expired share stops resolving', async () => {
    const past = await api.request('POST', `/v1/renders/${id}/shares`, { expiresAt: '2020-01-01T00:00:00Z' })
    expect(past.status).toBe(201)
    expect((await api.raw(`/share/${past.body.shareToken}`)).status).toBe(404)
    expect((await api.request('POST', `/v1/renders/${id}/shares`, { expiresAt: 'tomorrow' })).status).toBe(400)
  })

  it('the public downloadUrl needs no key; an unknown file is a 404 envelope', async () => {
    expect((await api.raw(`/files/renders/${id}.pdf`)).status).toBe(200)
    const missing = await api.raw('/files/renders/00000000-0000-7000-8000-000000000000.pdf')
    expect(missing.status).toBe(404)
    expect(((await missing.json()) as any).error.code).toBe('not_found')
  })
})
