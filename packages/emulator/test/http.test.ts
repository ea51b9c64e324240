import { request as httpRequest } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEmulator, type RunningEmulator } from '../src/index.ts'
import { apiFor, flat, loadFixture, readPdf, templateBody, waitForRender, type Api } from './utils.ts'

// The one suite over a real port: what only a socket shows (headers, sizes, concurrency, resets) plus the
// worked example of DESIGN/API.md end to end.
const KEY = 'ck_test_httpSuite123'
let emu: RunningEmulator
let api: Api
const logLines: string[] = []
beforeAll(async () => {
  emu = await startEmulator({ apiKeys: [KEY], log: (line) => logLines.push(line) })
  api = apiFor({ url: emu.url }, KEY)
})
afterAll(() => emu.close())

describe('the worked example: charter-handover', () => {
  it('PUT, GET, render checkout with an idempotency key, poll, download, read the PDF, replay', async () => {
    const put = await api.request('PUT', '/v1/templates/charter-handover', templateBody('charter-handover'))
    expect(put.status).toBe(201)
    expect(put.body).toMatchObject({ slug: 'charter-handover', currentVersionNumber: 1 })

    const got = await api.request('GET', '/v1/templates/charter-handover')
    expect(got.status).toBe(200)
    expect(got.body).toMatchObject({ slug: 'charter-handover', name: 'Charter Handover', published: true })
    expect(got.body.manifest.variables.map((v: any) => v.key)).toContain('booking.code')

    const headers = { 'idempotency-key': 'handover-BK-12345-checkout' }
    const data = loadFixture('charter-handover', 'checkout')
    const created = await api.request('POST', '/v1/templates/charter-handover/render', { data }, headers)
    expect(created.status).toBe(202)
    expect(created.body).toMatchObject({ status: 'queued', downloadUrl: null, pollUrl: `${emu.url}/v1/renders/${created.body.id}` })

    const done = await waitForRender(api, created.body.id)
    expect(done.status).toBe('succeeded')
    expect(done.downloadUrl).toBe(`${emu.url}/files/renders/${created.body.id}.pdf`)

    const pdf = await fetch(done.downloadUrl)
    expect(pdf.status).toBe(200)
    const text = flat((await readPdf(new Uint8Array(await pdf.arrayBuffer()))).text)
    for (const expected of ['BK-12345', 'Sunset Charter', 'port bow']) expect(text).toContain(expected)

    const replay = await api.request('POST', '/v1/templates/charter-handover/render', { data }, headers)
    expect(replay.status).toBe(200)
    expect(replay.body).toMatchObject({ id: created.body.id, status: 'succeeded', downloadUrl: done.downloadUrl })
  })

  it('50 concurrent submits with one key create exactly one render', async () => {
    const data = loadFixture('charter-handover', 'checkin')
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        api.request('POST', '/v1/templates/charter-handover/render', { data }, { 'idempotency-key': 'handover-BK-race-checkin' }),
      ),
    )
    expect(results.map((r) => r.status).sort()).toEqual([...Array(49).fill(200), 202].sort())
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1)
  })
})

/** A raw HTTP/1.1 request, for what fetch would not send (huge headers). */
function rawRequest(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${emu.url}${path}`, { headers }, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('hostile input over a socket', () => {
  const post = (path: string, body: string, headers: Record<string, string>) =>
    fetch(`${emu.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, ...headers }, body })

  it('malformed JSON -> 400 invalid_json', async () => {
    for (const body of ['{"name": ', '{name: 1}', 'null,', '\u0000']) {
      const res = await post('/v1/templates', body, { 'content-type': 'application/json' })
      expect(res.status).toBe(400)
      const json = (await res.json()) as any
      expect(json.error.code).toBe('invalid_json')
      expect(JSON.stringify(json)).not.toMatch(/\bat \S+:\d+:\d+/)
    }
  })

  it('wrong content types -> 400 invalid_request naming the header', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await post('/v1/templates', '{"name":"x"}', { 'content-type': type })
      expect(res.status).toBe(400)
      const json = (await res.json()) as any
      expect(json.error.code).toBe('invalid_request')
      expect(json.error.message).toContain('Content-Type')
    }
    const ok = await post('/v1/templates', JSON.stringify({ name: 'Typed', manifest: { variables: [], loops: [] } }), {
      'content-type': 'application/json; charset=utf-8',
    })
    expect(ok.status).toBe(201)
  })

  it('10 MB bodies -> 413 payload_too_large, with or without Content-Length', async () => {
    const big = JSON.stringify({ data: { blob: 'x'.repeat(10 * 1024 * 1024) } })
    const sized = await post('/v1/templates/charter-handover/render', big, { 'content-type': 'application/json' })
    expect(sized.status).toBe(413)
    expect(((await sized.json()) as any).error.code).toBe('payload_too_large')
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        const chunk = new TextEncoder().encode('x'.repeat(1024 * 1024))
        controller.enqueue(new TextEncoder().encode('{"data":{"blob":"'))
        for (let i = 0; i < 10; i++) controller.enqueue(chunk)
        controller.enqueue(new TextEncoder().encode('"}}'))
        controller.close()
      },
    })
    const chunked = await fetch(`${emu.url}/v1/templates/charter-handover/render`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit)
    expect(chunked.status).toBe(413)
    expect(((await chunked.json()) as any).error.code).toBe('payload_too_large')
  })

  it('10,001-row loops -> 400 invalid_input_data; 10,000 rows are accepted', async () => {
    const data = loadFixture('charter-handover', 'checkout')
    const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ areaKey: `a${i}`, condition: 'ok' }))
    const over = await api.request('POST', '/v1/templates/charter-handover/render', { data: { ...data, areas: rows(10_001) } })
    expect(over.status).toBe(400)
    expect(over.body.error).toMatchObject({ code: 'invalid_input_data', issues: { fieldErrors: { areas: [expect.stringContaining('10000')] } } })
    const max = await api.request('POST', '/v1/templates/charter-handover/render', { data: { ...data, areas: rows(10_000) } })
    expect(max.status).toBe(202)
  })

  it('absurd nesting, NUL characters and endless slugs -> 400/404 envelopes, not 500s', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000)
    const nested = await post('/v1/templates', `{"name":"Deep","manifest":{"variables":[],"loops":[]},"layout":{"a":${deep}}}`, {
      'content-type': 'application/json',
    })
    expect(nested.status).toBe(400)
    expect(((await nested.json()) as any).error.code).toBe('invalid_request')
    const nul = await api.request('PUT', '/v1/templates/nul-name', { name: 'a\u0000b', manifest: { variables: [], loops: [] } })
    expect(nul.status).toBe(400)
    expect(nul.body.error.issues.fieldErrors.name).toBeDefined()
    const long = await api.request('GET', `/v1/templates/${'a'.repeat(5000)}`)
    expect(long.status).toBe(404)
    expect(long.body.error.message.length).toBeLessThan(300)
  })

  it('unknown routes and methods -> 404 not_found envelope', async () => {
    for (const [method, path] of [['GET', '/'], ['GET', '/v2/templates'], ['PATCH', '/v1/templates/x'], ['GET', '/v1/nothing']]) {
      const res = await fetch(`${emu.url}${path}`, { method, headers: { authorization: `Bearer ${KEY}` } })
      expect(res.status).toBe(404)
      expect(((await res.json()) as any).error.code).toBe('not_found')
    }
  })

  it('huge headers -> 431 from node, and the server keeps serving', async () => {
    const huge = await rawRequest('/v1/templates', { authorization: `Bearer ${KEY}`, 'x-filler': 'y'.repeat(64 * 1024) })
    expect(huge.status).toBe(431)
    const hugeKey = await rawRequest('/v1/templates', { 'idempotency-key': 'k'.repeat(20 * 1024) })
    expect(hugeKey.status).toBe(431)
    const health = await fetch(`${emu.url}/health`)
    expect(await health.json()).toEqual({ status: 'ok' })
  })

  it('a second emulator on the same port fails with a clear error', async () => {
    const port = Number(new URL(emu.url).port)
    await expect(startEmulator({ port, quiet: true })).rejects.toThrow(`Port ${port} on 127.0.0.1 is already in use`)
  })

  it('logs one line per request with method, path, status and ms, never the key', () => {
    expect(logLines.length).toBeGreaterThan(10)
    for (const line of logLines) expect(line).toMatch(/^[A-Z]+ \/\S* (\d{3}|reset) \d+ms$/)
    expect(logLines.some((l) => /^GET \/health 200 \d+ms$/.test(l))).toBe(true)
    expect(logLines.some((l) => /^POST \/v1\/templates\/charter-handover\/render 202 \d+ms$/.test(l))).toBe(true)
    expect(logLines.join('\n')).not.toContain(KEY)
  })
})
