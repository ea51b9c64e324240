import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { availableParallelism, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createAdaptorServer } from '@hono/node-server'
import { GalleyError } from '@galley/core'
import type { Hono } from 'hono'
import { createApp, type EmulatorEnv } from './app.ts'
import { API_KEY_PATTERN, generateApiKey } from './ids.ts'
import { DEFAULT_BODY_LIMIT_BYTES } from './middleware/body.ts'
import { parseFaults } from './middleware/faults.ts'
import type { EmulatorOptions, RunningEmulator } from './options.ts'
import { RenderQueue, type Renderer } from './queue.ts'
import { InlineRenderer, RenderPool } from './render/pool.ts'
import type { BaseUrls } from './serialize.ts'
import { PdfFiles } from './storage/files.ts'
import { openDatabase } from './storage/pglite.ts'
import { cachedStore } from './storage/cached-store.ts'
import { openRemoteStore } from './storage/remote-store.ts'
import { Store } from './storage/store.ts'
import { defaultRetryDelayMs } from './webhooks/index.ts'
import { WebhookOutbox } from './webhooks/outbox.ts'

/** An emulator that is not listening: its hono `app` answers `app.request()` (tests), `startEmulator` serves it. */
export interface Emulator extends Omit<RunningEmulator, 'url'> {
  app: Hono<EmulatorEnv>
  /** The database access layer (tests and tools; not part of the HTTP contract). */
  store: Store
  /** Sets the base of `pollUrl` (and of `downloadUrl`/`shareUrl` unless `publicBaseUrl` was given). */
  setUrl(url: string): void
  /** Enqueues renders a previous process left unfinished; returns how many. */
  resume(): Promise<number>
}

/** Where log lines go without a `log` option. */
const stderrLog = (line: string): void => void process.stderr.write(`${line}\n`)

/** The file in the data folder that keeps the generated key of the default project. */
export const API_KEY_FILE = 'api-key'

/**
 * Opens the data folder (database, PDFs), seeds the projects and builds the app, without listening and without
 * resuming unfinished renders (call `resume()`). `startEmulator` is the usual entry.
 */
export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const apiKeys = options.apiKeys ?? []
  for (const key of apiKeys) {
    if (!API_KEY_PATTERN.test(key)) {
      throw new GalleyError('invalid_api_key', `Invalid API key "${redact(key)}" for the emulator`, {
        hint: 'Project keys look like ck_test_<letters and digits> or ck_live_<letters and digits>.',
      })
    }
  }
  const rates = options.faults ? parseFaults(options.faults) : undefined
  const workers = options.renderWorkers ?? availableParallelism()
  if (!Number.isInteger(workers) || workers < 0) {
    throw new GalleyError('invalid_option', `renderWorkers must be a whole number (0 = render on the main thread), got ${String(workers)}`)
  }
  const concurrency = options.renderConcurrency ?? Math.max(4, workers)
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new GalleyError('invalid_option', `renderConcurrency must be a positive integer, got ${String(concurrency)}`)
  }
  const renderTimeoutMs = options.renderTimeoutMs ?? 120_000
  if (!(renderTimeoutMs > 0)) throw new GalleyError('invalid_option', `renderTimeoutMs must be positive, got ${String(renderTimeoutMs)}`)
  const imageTimeoutMs = options.imageTimeoutMs ?? 5000
  const publicBaseUrl = options.publicBaseUrl?.replace(/\/+$/, '')
  if (publicBaseUrl !== undefined && !/^https?:\/\/[^/]/.test(publicBaseUrl)) {
    throw new GalleyError('invalid_option', `publicBaseUrl must be an http(s) URL, got "${publicBaseUrl}"`)
  }
  const log = options.log ?? stderrLog

  const ownDir = options.dataDir === undefined
  const dataDir = ownDir ? mkdtempSync(join(tmpdir(), 'galley-emulator-')) : resolve(options.dataDir!)
  mkdirSync(dataDir, { recursive: true })
  const releaseLock = lockDataDir(dataDir)
  let opened: Store | undefined
  let seeded: { apiKey: string; apiKeyCreated: boolean }
  try {
    // A throw-away emulator keeps its database in memory: nothing to copy in or delete afterwards.
    // PGlite blocks the thread it runs on, so by default it runs in its own (src/db-worker.ts).
    opened = cachedStore(
      options.databaseThread === false
        ? new Store(await openDatabase(ownDir ? undefined : dataDir))
        : await openRemoteStore(ownDir ? undefined : dataDir),
    )
    seeded = await seedProjects(opened, dataDir, apiKeys)
  } catch (error) {
    await opened?.close()
    releaseLock()
    if (ownDir) rmSync(dataDir, { recursive: true, force: true })
    throw error
  }
  const store = opened
  const { apiKey, apiKeyCreated } = seeded

  const urls: BaseUrls = { api: 'http://localhost', public: publicBaseUrl ?? 'http://localhost' }
  const files = new PdfFiles(dataDir)
  const retryBaseMs = options.webhookRetryDelayMs
  const outbox =
    options.webhooks && options.webhooks.length > 0
      ? new WebhookOutbox({
          store,
          subscriptions: options.webhooks,
          ...(options.webhookMaxAttempts !== undefined ? { maxAttempts: options.webhookMaxAttempts } : {}),
          ...(options.webhookTimeoutMs !== undefined ? { timeoutMs: options.webhookTimeoutMs } : {}),
          ...(retryBaseMs !== undefined ? { retryDelayMs: (n: number) => (retryBaseMs * defaultRetryDelayMs(n)) / 1000 } : {}),
          log: options.quiet ? undefined : log,
        })
      : undefined
  let renderer: Renderer
  try {
    renderer =
      workers > 0
        ? new RenderPool({ size: workers, imageTimeoutMs, timeoutMs: renderTimeoutMs, logError: log })
        : new InlineRenderer({ imageTimeoutMs, timeoutMs: renderTimeoutMs, logError: log })
  } catch (error) {
    await store.close()
    releaseLock()
    if (ownDir) rmSync(dataDir, { recursive: true, force: true })
    throw error
  }
  const queue = new RenderQueue({
    store,
    renderer,
    pdfPath: (id) => files.path(id),
    urls,
    concurrency,
    outbox,
    ...(options.renderFault ? { renderFault: options.renderFault } : {}),
    logError: log,
  })
  const app = createApp({
    store,
    queue,
    files,
    urls,
    bodyLimitBytes: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    faults: rates ? { rates, seed: options.seed ?? 1 } : undefined,
    log: options.quiet ? undefined : log,
    logError: log,
  })

  let closing: Promise<void> | undefined
  return {
    app,
    store,
    apiKey,
    apiKeys: apiKeys.length > 0 ? [...apiKeys] : [apiKey],
    apiKeyCreated,
    dataDir,
    setUrl(url) {
      urls.api = url.replace(/\/+$/, '')
      if (publicBaseUrl === undefined) urls.public = urls.api
    },
    async resume() {
      const n = await queue.resume()
      await outbox?.resume()
      return n
    },
    idle: () => queue.idle(),
    close() {
      closing ??= (async () => {
        await queue.close()
        await renderer.close()
        await outbox?.close()
        await store.close()
        releaseLock()
        if (ownDir) rmSync(dataDir, { recursive: true, force: true })
      })()
      return closing
    },
  }
}

/**
 * Starts a local Craftkit on `host:port`: the documented `/v1` API over PGlite in `dataDir`, rendering with an
 * in-process queue. Renders left unfinished by a previous process on the same `dataDir` are picked up again.
 *
 * @example
 * const emu = await startEmulator({ apiKeys: ['ck_test_local'] })
 * await fetch(`${emu.url}/v1/templates`, { headers: { authorization: `Bearer ${emu.apiKey}` } })
 * await emu.close()
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emulator = await createEmulator(options)
  const host = options.host ?? '127.0.0.1'
  let server: Server
  try {
    server = createAdaptorServer({ fetch: emulator.app.fetch }) as Server
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject)
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject)
        resolveListen()
      })
    })
  } catch (error) {
    await emulator.close()
    const code = (error as { code?: string }).code
    if (code === 'EADDRINUSE') {
      throw new GalleyError('port_in_use', `Port ${options.port ?? 0} on ${host} is already in use`, {
        hint: 'Stop the other server or pass another port (--port 0 picks a free one).',
      })
    }
    throw new GalleyError('listen_failed', `Could not listen on ${host}:${options.port ?? 0}: ${(error as Error).message}`)
  }
  // A server error after listening (rare: EMFILE and the like) must not crash the host process.
  server.on('error', (error) => (options.log ?? stderrLog)(`server error: ${error.message}`))
  const { port } = server.address() as AddressInfo
  const url = `http://${urlHost(host)}:${port}`
  emulator.setUrl(url)
  await emulator.resume()

  let closing: Promise<void> | undefined
  return {
    url,
    apiKey: emulator.apiKey,
    apiKeys: emulator.apiKeys,
    apiKeyCreated: emulator.apiKeyCreated,
    dataDir: emulator.dataDir,
    idle: () => emulator.idle(),
    close() {
      closing ??= (async () => {
        await new Promise<void>((done) => {
          server.close(() => done())
          server.closeIdleConnections()
          // Requests in flight get a moment to finish; then every connection is dropped.
          setTimeout(() => server.closeAllConnections(), 1000).unref()
        })
        await emulator.close()
      })()
      return closing
    },
  }
}

/**
 * One project per given key; with none, the key stored in `<dataDir>/api-key`, or a new one written there (0600).
 */
async function seedProjects(store: Store, dataDir: string, apiKeys: string[]): Promise<{ apiKey: string; apiKeyCreated: boolean }> {
  if (apiKeys.length > 0) {
    for (const key of apiKeys) await store.ensureProjectForKey(key)
    return { apiKey: apiKeys[0]!, apiKeyCreated: false }
  }
  const file = join(dataDir, API_KEY_FILE)
  const stored = existsSync(file) ? readFileSync(file, 'utf8').trim() : ''
  let apiKey = stored
  let apiKeyCreated = false
  if (!API_KEY_PATTERN.test(stored)) {
    apiKey = generateApiKey()
    apiKeyCreated = true
    const tmp = `${file}.${process.pid}.tmp`
    writeFileSync(tmp, `${apiKey}\n`, { mode: 0o600 })
    renameSync(tmp, file)
  }
  await store.ensureProjectForKey(apiKey)
  return { apiKey, apiKeyCreated }
}

/** The host part of a URL that reaches `host`: wildcard addresses become loopback, IPv6 gets brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1'
  if (host === '::') return '[::1]'
  return host.includes(':') ? `[${host}]` : host
}

function redact(key: string): string {
  return key.length <= 8 ? '…' : `${key.slice(0, 8)}…`
}

/**
 * Two emulators on one data folder would corrupt the database, so the folder holds `emulator.pid` while open.
 * A lock whose process is gone (a killed emulator) is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, 'emulator.pid')
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, 'utf8').trim())
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new GalleyError('data_dir_in_use', `Another emulator (pid ${pid}) is using ${dataDir}`, {
        hint: 'Stop it, or point the other commands at it with CRAFTKIT_BASE_URL, or use another --data folder.',
      })
    }
    if (pid === process.pid) {
      throw new GalleyError('data_dir_in_use', `An emulator in this process is already using ${dataDir}`, {
        hint: 'Close it first, or use another data folder.',
      })
    }
  }
  writeFileSync(file, `${process.pid}\n`)
  return () => rmSync(file, { force: true })
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM'
  }
}
