import { createHmac } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulator, type RunningEmulator } from '@galley/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI_BIN, EXAMPLE, checkoutSignOff, freePort, pdfText, publishTemplates, runNode, startNode, testKey, waitFor, type Child } from './helpers.ts'

// The whole flow, for real: the webpack build of the example (webpack.build.mjs), a real emulator (temp data folder, webhooks to the
// server), `galley publish`, the BUILT server as a child process, then HTTP on 127.0.0.1. Nothing is mocked.
const apiKey = testKey()
const secret = `whsec_${testKey().slice(8)}`
let dataDir: string
let emulator: RunningEmulator | undefined
let server: Child | undefined
let base: string

beforeAll(async () => {
  const build = await runNode([join(EXAMPLE, 'webpack.build.mjs')], { env: { CRAFTKIT_BASE_URL: '', CRAFTKIT_API_KEY: '' } })
  expect(build.status, build.output).toBe(0)
  expect(existsSync(join(EXAMPLE, 'dist/server.mjs')), build.output).toBe(true)

  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  dataDir = mkdtempSync(join(tmpdir(), 'galley-example-webpack-emu-'))
  emulator = await startEmulator({ dataDir, apiKeys: [apiKey], quiet: true, webhooks: [{ url: `${base}/webhooks/craftkit`, secret }] })

  const published = await publishTemplates(emulator.url, apiKey)
  expect(published.status, published.output).toBe(0)
  expect(published.output).not.toContain(apiKey)

  server = startNode(join(EXAMPLE, 'dist/server.mjs'), {
    PORT: String(port),
    HOST: '127.0.0.1',
    CRAFTKIT_BASE_URL: emulator.url,
    CRAFTKIT_API_KEY: apiKey,
    CRAFTKIT_WEBHOOK_SECRET: secret,
  })
  await waitFor(async () => (await fetch(`${base}/health`)).ok, `the built server on ${base}\n${server.output()}`)
})

afterAll(async () => {
  await server?.stop()
  await emulator?.close()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
})

describe('examples/webpack-server (built with webpack, run with node)', () => {
  it('keeps the committed src/craftkit.gen.ts fresh (galley generate --check)', async () => {
    const check = await runNode([CLI_BIN, 'generate', '--check', '--cwd', EXAMPLE])
    expect(check.status, check.output).toBe(0)
  })

  it('renders a sign-off, shares it, receives the signed webhook, and is idempotent per booking + kind', async () => {
    const signOff = checkoutSignOff()
    const post = () => fetch(`${base}/sign-offs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(signOff) })

    const first = await post()
    const created = (await first.json()) as { renderId: string; shareUrl: string; replayed: boolean }
    expect(first.status, JSON.stringify(created)).toBe(201)
    expect(created.renderId).toMatch(/^[0-9a-f-]{36}$/)
    expect(created.replayed).toBe(false)

    // The emulator's render.succeeded webhook reaches the server, which verifies and records it.
    const record = await waitFor(async () => {
      const r = (await (await fetch(`${base}/sign-offs/BK-12345/checkout`)).json()) as { renderId: string; webhook: { event: string; status: string } | null }
      return r.webhook ? r : null
    }, 'the render.succeeded webhook')
    expect(record.renderId).toBe(created.renderId)
    expect(record.webhook).toMatchObject({ event: 'render.succeeded', status: 'succeeded' })
    expect(((await (await fetch(`${base}/renders/${created.renderId}`)).json()) as { webhook: unknown }).webhook).toEqual(record.webhook)

    // The share link serves the PDF, and its text holds the booking code.
    const shared = await fetch(created.shareUrl)
    expect(shared.status).toBe(200)
    const bytes = new Uint8Array(await shared.arrayBuffer())
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe('%PDF-')
    expect(await pdfText(bytes)).toContain('BK-12345')

    // The same sign-off again (a retry, a double tap): the same render, no second one.
    const second = await post()
    const replay = (await second.json()) as { renderId: string; shareUrl: string; replayed: boolean }
    expect(second.status).toBe(200)
    expect(replay).toEqual({ renderId: created.renderId, shareUrl: created.shareUrl, replayed: true })

    // Bad input is refused before any render.
    const bad = await fetch(`${base}/sign-offs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ booking: {} }) })
    expect(bad.status).toBe(400)

    // What Craftkit checks (here: a missing required handover.signedBy) is left to Craftkit: its 400 comes back.
    const unsigned = await fetch(`${base}/sign-offs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ booking: { code: 'BK-400' }, handover: { kind: 'checkin', date: '2026-06-04' } }),
    })
    expect(unsigned.status).toBe(400)
    expect(((await unsigned.json()) as { error: { code: string } }).error.code).toBe('invalid_input_data')
  })

  it('answers 401 to a webhook that is not signed with the secret', async () => {
    const body = JSON.stringify({ event: 'render.failed', renderId: '00000000-0000-7000-8000-000000000000', status: 'failed', downloadUrl: null })
    const send = (signature: string | undefined) =>
      fetch(`${base}/webhooks/craftkit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-craftkit-event': 'render.failed', ...(signature ? { 'x-craftkit-signature': signature } : {}) },
        body,
      })
    expect((await send(createHmac('sha256', 'not-the-secret').update(body).digest('hex'))).status).toBe(401)
    expect((await send(undefined)).status).toBe(401)
    expect((await send('00'.repeat(32))).status).toBe(401)
    expect((await fetch(`${base}/renders/00000000-0000-7000-8000-000000000000`)).status).toBe(404)
    // The same body signed with the right secret is accepted: the 401s above were the signature, not the body.
    expect((await send(createHmac('sha256', secret).update(body).digest('hex'))).status).toBe(200)
  })

  it('never prints the API key', () => {
    expect(server!.output()).not.toContain(apiKey)
  })
})
