/**
 * @module The preview page's HTTP server (node:http, no framework): the page and its assets, the state as JSON
 * and as server-sent events, the PDFs (read from out/, never proxied with the API key), and the data editor's
 * validate/render/save endpoints. Binds 127.0.0.1 unless told otherwise; the next free port when one is busy.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { writeFileAtomic } from '@galley/codegen'
import { SOURCE_LIMITS, validateData } from '@galley/core'
import type { DevLoop } from './dev-loop.ts'

export interface PreviewServerOptions {
  loop: DevLoop
  /** The first port tried; 0 picks any free port. @default 4400 */
  port?: number
  /** @default '127.0.0.1' */
  host?: string
  /** How many ports after `port` to try when it is busy. @default 20 */
  portAttempts?: number
}

export interface PreviewServer {
  /** `http://127.0.0.1:4400/` (with `--host`, the address to open from this machine). */
  url: string
  port: number
  close(): Promise<void>
}

/** A fixture name: what a file name in fixtures/ may be (no separators, no `..`, no leading dot). */
export const FIXTURE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*$/
const MAX_EDIT_PDFS = 20
const SSE_KEEPALIVE_MS = 15_000

const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
}

/** Starts the server; resolves once it listens. */
export async function startPreviewServer(options: PreviewServerOptions): Promise<PreviewServer> {
  const loop = options.loop
  const state = loop.state
  const host = options.host ?? '127.0.0.1'
  const assetsDir = findAssetsDir()
  const pdfjs = findPdfjs()
  const edits = new Map<string, Uint8Array>()
  let editCount = 0
  const clients = new Set<ServerResponse>()

  // Whole snapshots, coalesced: a burst of changes (eight renders finishing) is one or two events.
  let pending: NodeJS.Timeout | undefined
  const unsubscribe = state.subscribe(() => {
    if (pending || clients.size === 0) return
    pending = setTimeout(() => {
      pending = undefined
      const data = `event: state\ndata: ${JSON.stringify(state.snapshot())}\n\n`
      for (const res of clients) res.write(data)
    }, 30)
  })
  const keepalive = setInterval(() => {
    for (const res of clients) res.write(': keepalive\n\n')
  }, SSE_KEEPALIVE_MS)
  keepalive.unref()

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const path = url.pathname
    if (!hostAllowed(req, host)) return sendJson(res, 403, { error: 'forbidden_host', message: 'This host name is not allowed (DNS rebinding guard).' })

    if (req.method === 'GET' || req.method === 'HEAD') {
      const asset = ASSETS[path]
      if (asset) return sendFile(res, join(assetsDir, asset.file), asset.type)
      if (path === '/vendor/pdf.mjs' || path === '/vendor/pdf.worker.mjs') {
        if (!pdfjs) return sendJson(res, 404, { error: 'not_found', message: 'pdf.js is not installed; the page falls back to the browser viewer.' })
        return sendFile(res, join(pdfjs, path === '/vendor/pdf.mjs' ? 'pdf.min.mjs' : 'pdf.worker.min.mjs'), 'text/javascript; charset=utf-8', 'public, max-age=3600')
      }
      if (path === '/favicon.ico') {
        res.writeHead(204).end()
        return
      }
      if (path === '/api/state') return sendJson(res, 200, state.snapshot())
      if (path === '/api/fixture') {
        // The data of one fixture as last read, for the page's editor.
        const slug = url.searchParams.get('slug') ?? ''
        const name = url.searchParams.get('name') ?? ''
        const source = loop.project?.sources.find((s) => s.slug === slug)
        const fixture = source?.fixtures.find((f) => f.name === name)
        if (!fixture) return sendJson(res, 404, { error: 'not_found', message: `No readable fixture ${slug}/${name}.` })
        return sendJson(res, 200, { slug, name, file: fixture.file, data: fixture.data })
      }
      if (path === '/api/events') {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' })
        res.write(`retry: 1000\nevent: state\ndata: ${JSON.stringify(state.snapshot())}\n\n`)
        clients.add(res)
        req.on('close', () => clients.delete(res))
        return
      }
      const pdf = /^\/pdf\/([^/]+)\/([^/]+)\.pdf$/.exec(path)
      if (pdf) {
        const slug = decodeURIComponent(pdf[1]!)
        const name = decodeURIComponent(pdf[2]!)
        // Only PDFs the state knows: the path never comes from the request.
        const fixture = state.fixture(slug, name)
        if (!fixture || fixture.pdf === null) return sendJson(res, 404, { error: 'not_found', message: `No PDF of ${slug}/${name} yet.` })
        return sendFile(res, loop.pdfFile(slug, name), 'application/pdf')
      }
      const edit = /^\/edits\/([a-z0-9-]+)\.pdf$/.exec(path)
      if (edit) {
        const bytes = edits.get(edit[1]!)
        if (!bytes) return sendJson(res, 404, { error: 'not_found', message: 'That preview render has expired; render again.' })
        res.writeHead(200, { 'content-type': 'application/pdf', 'cache-control': 'no-store', 'content-length': bytes.byteLength })
        res.end(bytes)
        return
      }
      return sendJson(res, 404, { error: 'not_found', message: `Nothing at ${path}.` })
    }

    if (req.method === 'POST' && path.startsWith('/api/')) {
      // JSON only: a cross-site form cannot send it without a CORS preflight, which this server never answers.
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return sendJson(res, 415, { error: 'unsupported_media_type', message: 'Send JSON (content-type: application/json).' })
      const body = await readJson(req)
      if (!body.ok) return sendJson(res, 400, { error: 'invalid_json', message: body.message })
      const input = body.value as { slug?: unknown; data?: unknown; name?: unknown; overwrite?: unknown }
      const slug = typeof input.slug === 'string' ? input.slug : ''
      const template = state.templates.get(slug)
      if (!template) return sendJson(res, 404, { error: 'unknown_template', message: `No template "${slug}".` })

      if (path === '/api/validate') {
        const manifest = loop.manifest(slug)
        if (!manifest) return sendJson(res, 409, { error: 'template_unreadable', message: `${template.file} has errors, so there is no manifest to validate against.` })
        const result = validateData(manifest, input.data)
        return sendJson(res, 200, result.ok ? { ok: true, stripped: result.stripped, data: result.data } : { ok: false, stripped: result.stripped, issues: result.issues })
      }
      if (path === '/api/render') {
        const manifest = loop.manifest(slug)
        const check = manifest ? validateData(manifest, input.data) : undefined
        try {
          const { pdf, renderId, ms } = await loop.renderData(slug, input.data)
          const id = `e${++editCount}`
          edits.set(id, pdf)
          for (const key of edits.keys()) if (edits.size > MAX_EDIT_PDFS) edits.delete(key)
          return sendJson(res, 200, { status: 'succeeded', pdf: `/edits/${id}.pdf`, renderId, ms, stripped: check?.stripped ?? [] })
        } catch (error) {
          const issues = (error as { issues?: unknown }).issues
          return sendJson(res, 422, { status: 'failed', error: loop.describeError(error), ...(issues ? { issues } : {}), stripped: check?.stripped ?? [] })
        }
      }
      if (path === '/api/fixtures') {
        const name = typeof input.name === 'string' ? input.name : ''
        if (!FIXTURE_NAME.test(name) || name.length > 80) {
          return sendJson(res, 400, { error: 'invalid_fixture_name', message: `"${name}" is not a fixture name: use letters, digits, "-", "_" and inner dots (no "/", no "..").` })
        }
        if (input.data === null || typeof input.data !== 'object' || Array.isArray(input.data)) return sendJson(res, 400, { error: 'invalid_data', message: 'A fixture holds a JSON object.' })
        const file = join(dirname(resolve(loop.session.root, template.file)), 'fixtures', `${name}.json`)
        const shown = `${template.file.slice(0, template.file.lastIndexOf('/'))}/fixtures/${name}.json`
        if (existsSync(file) && input.overwrite !== true) return sendJson(res, 409, { error: 'fixture_exists', message: `${shown} exists. Overwrite it?`, file: shown })
        const text = `${JSON.stringify(input.data, null, 2)}\n`
        if (Buffer.byteLength(text) > SOURCE_LIMITS.fixtureBytes) return sendJson(res, 413, { error: 'too_large', message: 'The fixture is larger than 16 MB.' })
        await writeFileAtomic(file, text)
        return sendJson(res, 201, { saved: true, file: shown, name })
      }
    }
    return sendJson(res, 405, { error: 'method_not_allowed', message: `${req.method} ${path} is not served.` })
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: 'internal', message: (error as Error)?.message ?? String(error) })
      else res.end()
    })
  })
  const port = await listen(server, options.port ?? 4400, host, options.portAttempts ?? 20)
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    close: async () => {
      unsubscribe()
      clearInterval(keepalive)
      if (pending) clearTimeout(pending)
      for (const res of clients) res.end()
      clients.clear()
      await new Promise<void>((done) => {
        server.close(() => done())
        server.closeAllConnections()
      })
    },
  }
}

/** Like Vite: the first free port from `port` on (`0`: any free port). */
async function listen(server: Server, port: number, host: string, attempts: number): Promise<number> {
  for (let i = 0; ; i++) {
    const tried = port === 0 ? 0 : port + i
    try {
      await new Promise<void>((done, fail) => {
        const onError = (error: Error) => {
          server.off('listening', onListening)
          fail(error)
        }
        const onListening = () => {
          server.off('error', onError)
          done()
        }
        server.once('error', onError)
        server.once('listening', onListening)
        server.listen(tried, host)
      })
      return (server.address() as AddressInfo).port
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0 || i + 1 >= attempts) throw error
    }
  }
}

/** On 127.0.0.1 only local host names are answered, so a web page cannot reach the server through DNS rebinding. */
function hostAllowed(req: IncomingMessage, bound: string): boolean {
  if (bound === '0.0.0.0' || bound === '::') return true
  const hostHeader = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase()
  return hostHeader === '' || hostHeader === 'localhost' || hostHeader === '127.0.0.1' || hostHeader === '[::1]' || hostHeader === bound
}

async function sendFile(res: ServerResponse, file: string, type: string, cache = 'no-store'): Promise<void> {
  let bytes: Buffer
  try {
    bytes = await readFile(file)
  } catch {
    return sendJson(res, 404, { error: 'not_found', message: 'The file is gone.' })
  }
  res.writeHead(200, { 'content-type': type, 'cache-control': cache, 'content-length': bytes.byteLength, 'x-content-type-options': 'nosniff' })
  res.end(bytes)
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

async function readJson(req: IncomingMessage): Promise<{ ok: true; value: unknown } | { ok: false; message: string }> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).byteLength
    if (size > SOURCE_LIMITS.fixtureBytes + 1024) return { ok: false, message: 'The body is larger than 16 MB.' }
    chunks.push(chunk as Buffer)
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, message: 'Send a JSON object.' }
    return { ok: true, value }
  } catch (error) {
    return { ok: false, message: (error as Error).message }
  }
}

/** The page's files: `assets/preview/` of the package (from dist/ when built, from src/dev/ in tests of the source). */
function findAssetsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url))
  for (const candidate of [join(here, '..', 'assets', 'preview'), join(here, '..', '..', 'assets', 'preview')]) {
    if (existsSync(join(candidate, 'index.html'))) return candidate
  }
  throw new Error(`The preview page's assets are missing (looked for assets/preview/ next to ${here}).`)
}

/** pdf.js draws the PDFs on the page when it is installed; without it the page uses the browser's viewer. */
function findPdfjs(): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve('pdfjs-dist/build/pdf.min.mjs'))
  } catch {
    return undefined
  }
}
