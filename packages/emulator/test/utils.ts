import type { Manifest, TemplateBody } from '@galley/core'
import { createEmulator, type Emulator, type EmulatorOptions } from '../src/index.ts'
import { loadTemplate } from './render-helpers.ts'

export { loadFixture, readPdf, flat, makePng, startLocalServer } from './render-helpers.ts'

/** The PUT body of templates/<slug>/template.yaml. */
export function templateBody(slug: string): TemplateBody {
  const t = loadTemplate(slug)
  return {
    name: t.name,
    manifest: t.manifest,
    ...(t.pageConfig ? { pageConfig: t.pageConfig } : {}),
    ...(t.layout ? { layout: t.layout } : {}),
  }
}

export const SIMPLE_MANIFEST: Manifest = {
  variables: [
    { key: 'customer.name', label: 'Customer', dataType: 'text', required: true },
    { key: 'total', label: 'Total', dataType: 'number' },
    { key: 'paid', label: 'Paid', dataType: 'boolean' },
    { key: 'site', label: 'Site', dataType: 'url' },
  ],
  loops: [{ key: 'items', label: 'Items', itemFields: [{ key: 'name', label: 'Name', dataType: 'text', required: true }] }],
}

export interface JsonResponse<T = any> {
  status: number
  headers: Headers
  body: T
}

/** A tiny JSON client over either a real URL (fetch) or an app (`app.request`): nothing is mocked. */
export interface Api {
  key: string
  request<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<JsonResponse<T>>
  raw(path: string, init?: RequestInit): Promise<Response>
  withKey(key: string): Api
}

export function apiFor(target: { app: Emulator['app'] } | { url: string }, key: string): Api {
  const raw = (path: string, init?: RequestInit): Promise<Response> =>
    'url' in target ? fetch(`${target.url}${path}`, init) : Promise.resolve(target.app.request(path, init))
  const api: Api = {
    key,
    raw,
    async request(method, path, body, headers = {}) {
      const res = await raw(path, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await res.text()
      return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined }
    },
    withKey: (other) => apiFor(target, other),
  }
  return api
}

/** An in-process emulator (no port) with its api; closed by the returned `close`. */
export async function appEmulator(options: EmulatorOptions = {}): Promise<{ emu: Emulator; api: Api }> {
  const emu = await createEmulator({ quiet: true, ...options })
  await emu.resume()
  return { emu, api: apiFor(emu, emu.apiKey) }
}

/** Polls a render with backoff (250 ms doubling to 2 s) until it is terminal or `timeoutMs` passes. */
export async function waitForRender(api: Api, id: string, timeoutMs = 30_000): Promise<any> {
  const deadline = Date.now() + timeoutMs
  let delay = 250
  for (;;) {
    const r = await api.request('GET', `/v1/renders/${id}`)
    if (r.status !== 200) throw new Error(`GET /v1/renders/${id} -> ${r.status} ${JSON.stringify(r.body)}`)
    if (r.body.status === 'succeeded' || r.body.status === 'failed') return r.body
    if (Date.now() > deadline) throw new Error(`render ${id} still ${r.body.status} after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, delay))
    delay = Math.min(delay * 2, 2000)
  }
}
