import { inspect } from 'node:util'
import { startEmulator, type RunningEmulator } from '@galley/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient, CraftkitError, renderTemplate } from '../src/index.ts'
import { startSideServer } from './utils.ts'

// The API key must not survive in anything a thrown error can be turned into: its message, stack, JSON, inspect
// output (with hidden properties, at any depth), String(), and every level of its `cause` chain.
const KEYS = ['ck_test_Rd4ct3dK3yS3cr3t0001', 'opaque-secret-Zq81vT0pLk'] as const
let emulator: RunningEmulator
let side: Awaited<ReturnType<typeof startSideServer>>

beforeAll(async () => {
  side = await startSideServer()
  emulator = await startEmulator({ quiet: true })
})
afterAll(async () => {
  await emulator?.close()
  await side?.close()
})

function renderings(error: unknown): Record<string, string> {
  const out: Record<string, string> = {
    json: JSON.stringify(error),
    inspect: inspect(error, { depth: Infinity, showHidden: true }),
    string: String(error),
  }
  let current: unknown = error
  for (let level = 0; current instanceof Error && level < 6; level++) {
    out[`message ${level}`] = current.message
    out[`stack ${level}`] = current.stack ?? ''
    out[`own props ${level}`] = inspect(Object.fromEntries(Object.getOwnPropertyNames(current).map((k) => [k, (current as unknown as Record<string, unknown>)[k]])), {
      depth: Infinity,
      showHidden: true,
    })
    current = current.cause
  }
  return out
}

async function expectRedacted(promise: Promise<unknown>, key: string): Promise<CraftkitError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(CraftkitError)
  for (const [how, text] of Object.entries(renderings(error))) {
    expect(text, `${how} of ${(error as CraftkitError).code}`).not.toContain(key)
    // No fragment long enough to matter either.
    expect(text, `${how} of ${(error as CraftkitError).code}`).not.toContain(key.slice(-12))
  }
  return error as CraftkitError
}

describe.each(KEYS)('the key %s never appears in a thrown error', (key) => {
  it('401 from the emulator', async () => {
    const c = createClient({ baseUrl: emulator.url, apiKey: key })
    const e = await expectRedacted(c.templates.list(), key)
    expect(e.code).toBe('unauthorized')
  })

  it('a server that echoes the credential in its message and issues', async () => {
    const c = createClient({ baseUrl: `${side.url}/echo`, apiKey: key })
    const e = await expectRedacted(c.renders.create('x', { data: {} }), key)
    expect(e).toMatchObject({ status: 400, code: 'invalid_request', requestId: 'req_123' })
    expect(e.message).toContain('[redacted]')
    expect(e.issues?.formErrors).toEqual(['key [redacted]'])
  })

  it('a fetch that throws with the request (headers and all) in its error and cause', async () => {
    const leaky: typeof fetch = async (input, init) => {
      const headers = new Headers(init?.headers)
      const inner = Object.assign(new Error(`socket hang up while sending ${headers.get('authorization')}`), { code: 'ECONNRESET', headers: Object.fromEntries(headers), init })
      throw Object.assign(new TypeError(`fetch failed for ${String(input)} with ${JSON.stringify(Object.fromEntries(headers))}`, { cause: inner }), { request: init })
    }
    const c = createClient({ baseUrl: emulator.url, apiKey: key, fetch: leaky, retry: { retries: 1, minDelayMs: 1, maxDelayMs: 1 } })
    const e = await expectRedacted(c.templates.get('x'), key)
    expect(e).toMatchObject({ code: 'network_error', attempts: 2 })
    expect((e.cause as Error & { code?: string }).cause).toMatchObject({ code: 'ECONNRESET' })
  })

  it('a refused connection, a timeout and an abort', async () => {
    const gone = await startSideServer()
    await gone.close()
    await expectRedacted(createClient({ baseUrl: gone.url, apiKey: key, retry: false }).templates.list(), key)
    await expectRedacted(createClient({ baseUrl: `${side.url}/hang`, apiKey: key, retry: false, timeoutMs: 100 }).templates.list(), key)
    const controller = new AbortController()
    controller.abort(new Error(`aborted while holding ${key}`))
    await expectRedacted(createClient({ baseUrl: emulator.url, apiKey: key }).templates.list({ signal: controller.signal }), key)
  })

  it('renderTemplate errors through the default client (key from CRAFTKIT_API_KEY)', async () => {
    const saved = { key: process.env.CRAFTKIT_API_KEY, url: process.env.CRAFTKIT_BASE_URL }
    process.env.CRAFTKIT_API_KEY = key
    process.env.CRAFTKIT_BASE_URL = `${side.url}/echo`
    try {
      await expectRedacted(renderTemplate({ slug: 'x', manifestHash: 'h' }, {}), key)
    } finally {
      restore('CRAFTKIT_API_KEY', saved.key)
      restore('CRAFTKIT_BASE_URL', saved.url)
    }
  })
})

it('a missing key says which variable to set', async () => {
  const saved = process.env.CRAFTKIT_API_KEY
  delete process.env.CRAFTKIT_API_KEY
  try {
    const error = await createClient({ baseUrl: emulator.url }).templates.list().catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'missing_api_key', status: 0, retryable: false })
    expect((error as Error).message).toContain('CRAFTKIT_API_KEY')
  } finally {
    restore('CRAFTKIT_API_KEY', saved)
  }
})

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name]
  else process.env[name] = value
}
