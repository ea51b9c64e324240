import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect } from 'vitest'
import { CraftkitError, type TemplateBody } from '../src/index.ts'

/**
 * A `fetch` that records every request and passes it to the real global fetch: "nothing is mocked"
 * (openapi-fetch `createObservedClient`). `calls` holds method + URL path per request, in order.
 */
export function observedFetch(): { fetch: typeof fetch; calls: { method: string; path: string; auth: boolean }[]; reset(): void } {
  const calls: { method: string; path: string; auth: boolean }[] = []
  const wrapped: typeof fetch = (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url)
    const headers = new Headers(init?.headers)
    calls.push({ method: init?.method ?? 'GET', path: url.pathname, auth: headers.has('authorization') })
    return fetch(input, init)
  }
  return { fetch: wrapped, calls, reset: () => void calls.splice(0) }
}

/** A 1×1 PNG. */
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64')

/**
 * A real HTTP server the emulator fetches render images from: `/png` answers at once, `/slow/<ms>.png` after
 * `<ms>` (a render that stays unfinished that long: the emulator waits up to 5 s per image), `/html` is not an
 * image (the render fails). Also receives webhook deliveries on `/hooks`, and plays a misbehaving API for the retry
 * and redaction tests: `/echo/…` answers 400 with the received Authorization in its message and issues, `/hang/…` never answers, `/status/<code>/…` always answers `<code>`, `/retry-after/<value>/…` answers the
 * first request of a path 503 with that `Retry-After` and later ones 200.
 */
export async function startSideServer(): Promise<{
  url: string
  deliveries: { headers: IncomingMessage['headers']; rawBody: string }[]
  /** Requests to `/status/…` and `/retry-after/…`. */
  requests: { method: string; path: string }[]
  close(): Promise<void>
}> {
  const deliveries: { headers: IncomingMessage['headers']; rawBody: string }[] = []
  const requests: { method: string; path: string }[] = []
  const timers = new Set<NodeJS.Timeout>()
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/'
    if (req.method === 'POST' && path === '/hooks') {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        deliveries.push({ headers: req.headers, rawBody: Buffer.concat(chunks).toString('utf8') })
        res.writeHead(200).end('ok')
      })
      return
    }
    if (path.startsWith('/echo/')) {
      // A careless server that puts the credential it got into its error (and a request id header).
      const auth = req.headers.authorization ?? ''
      const token = auth.replace(/^Bearer /, '')
      req.resume()
      res.writeHead(400, { 'content-type': 'application/json', 'x-request-id': 'req_123' })
      res.end(JSON.stringify({ error: { code: 'invalid_request', message: `rejected ${auth} (key ${token})`, issues: { formErrors: [`key ${token}`], fieldErrors: { [token]: [`bad ${token}`] } } } }))
      return
    }
    if (path.startsWith('/hang/')) {
      return // never answers (until close)
    }
    const always = /^\/status\/(\d+)\//.exec(path)
    if (always) {
      requests.push({ method: req.method ?? 'GET', path })
      req.resume()
      res.writeHead(Number(always[1]), { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'queue_unavailable', message: 'try later' } }))
      return
    }
    const retryAfter = /^\/retry-after\/([^/]+)\//.exec(path)
    if (retryAfter) {
      requests.push({ method: req.method ?? 'GET', path })
      if (requests.filter((r) => r.path === path).length === 1) {
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': decodeURIComponent(retryAfter[1]!) })
        res.end(JSON.stringify({ error: { code: 'queue_unavailable', message: 'busy' } }))
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ templates: [] }))
      }
      return
    }
    const slow = /^\/slow\/(\d+)\.png/.exec(path)
    if (slow) {
      const timer = setTimeout(() => {
        timers.delete(timer)
        res.writeHead(200, { 'content-type': 'image/png' }).end(PNG)
      }, Number(slow[1]))
      timers.add(timer)
      res.on('close', () => clearTimeout(timer))
      return
    }
    if (path.startsWith('/png')) {
      res.writeHead(200, { 'content-type': 'image/png' }).end(PNG)
      return
    }
    if (path.startsWith('/html')) {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><p>not an image</p>')
      return
    }
    res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    deliveries,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t)
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A template with a nested scalar, a number, an optional image and a loop. */
export const INVOICE: TemplateBody = {
  name: 'Invoice',
  description: 'Client test template',
  manifest: {
    variables: [
      { key: 'invoice.number', label: 'Number', dataType: 'text', required: true },
      { key: 'total', label: 'Total', dataType: 'currency', required: true },
      { key: 'logo', label: 'Logo', dataType: 'image' },
    ],
    loops: [{ key: 'lines', label: 'Lines', itemFields: [{ key: 'sku', label: 'SKU', dataType: 'text', required: true }] }],
  },
}

export const INVOICE_DATA = { invoice: { number: 'INV-0042' }, total: 12.5, lines: [{ sku: 'A-1' }] }

let counter = 0
/** A slug no other test in this process uses. */
export function uniqueSlug(prefix: string): string {
  counter++
  return `${prefix}-${process.pid}-${counter}`
}

/** Awaits a promise that must reject with a CraftkitError, and returns that error. */
export async function rejection(promise: Promise<unknown>): Promise<CraftkitError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(CraftkitError)
  return error as CraftkitError
}
