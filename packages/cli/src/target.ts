/**
 * @module Where a command talks to (DESIGN §5): `--env NAME`, else `CRAFTKIT_BASE_URL` + `CRAFTKIT_API_KEY`,
 * else the embedded emulator started in-process with its data under `<root>/.galley/emulator`.
 */
import { createHash, randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createClient, type CraftkitClient } from '@galley/client'
import { GalleyError } from '@galley/core'
import type { CliIo } from './context.ts'
import type { Project } from './project.ts'

/** The Craftkit deployment a command works against. The API key stays inside `client`; it is never exposed. */
export interface Target {
  /** `'embedded emulator'`, the `--env` name, or `'CRAFTKIT_BASE_URL'`. */
  name: string
  baseUrl: string
  /**
   * A client with the CLI's retry policy ({@link CLI_RETRY}): the one retry loop of every command. GETs and keyed
   * renders are retried by it; a PUT only through `put(…, { beforeResend })`, which `galley publish` uses to
   * re-read before each resend; DELETE and keyless render POSTs are not retried.
   */
  client: CraftkitClient
  /** True for the in-process emulator. */
  embedded: boolean
  /**
   * A stable id for this target (no secrets): `embedded`, `env-<name>-<hash>` or `url-<hash>`, where the hash
   * covers the base URL and a hash of the key, so two projects on one host get separate publish records.
   */
  id: string
  /** Stops the embedded emulator; a no-op for remote targets. */
  close(): Promise<void>
}

export interface ResolveTargetOptions {
  /** `--env NAME`: an entry of the config's `environments`. */
  env?: string | undefined
  io: CliIo
  /**
   * Refuse `ck_live_` keys (production, billable): set by flows that write freely, such as `galley dev`.
   * @default false
   */
  refuseLiveKeys?: boolean
}

export const EMBEDDED_TARGET_NAME = 'embedded emulator'

/**
 * The retry policy of every client a command builds: up to 10 retries, 250 ms doubling to 4 s with jitter (at
 * most ~32 s of waits). It is the only retry loop: nothing in the CLI wraps a client call in retries of its own,
 * so a read is at most 11 requests. Ten retries because `galley publish` must converge under the emulator's
 * `--faults 503:0.2,reset:0.1,latency:0.2` (30% of requests fail): 0.3^11 ≈ 2e-6 per request.
 */
export const CLI_RETRY = { retries: 10, minDelayMs: 250, maxDelayMs: 4000 } as const

/**
 * Timeout of one attempt of one request, in ms: `GALLEY_HTTP_TIMEOUT_MS`, else 30 s (the client's default).
 * A PUT that times out may still commit; `galley publish` re-reads before sending it again, and reads back after.
 */
export function cliTimeoutMs(env: Record<string, string | undefined>): number {
  const raw = env.GALLEY_HTTP_TIMEOUT_MS
  if (raw === undefined || raw === '') return 30_000
  const ms = Number(raw)
  if (!Number.isInteger(ms) || ms < 1) {
    throw new GalleyError('invalid_option', `GALLEY_HTTP_TIMEOUT_MS must be a positive whole number of milliseconds (got ${JSON.stringify(raw)}).`)
  }
  return ms
}

function cliClient(apiKey: string, baseUrl: string, env: Record<string, string | undefined>): CraftkitClient {
  return createClient({ apiKey, baseUrl, userAgent: 'galley-cli', retry: CLI_RETRY, timeoutMs: cliTimeoutMs(env) })
}

/**
 * Picks the target of a command, in DESIGN §5's order, and builds its client.
 *
 * @example
 * const target = await resolveTarget(project, { env: opts.env, io: ctx.io })
 * try { await target.client.templates.list() } finally { await target.close() }
 */
export async function resolveTarget(project: Project, options: ResolveTargetOptions): Promise<Target> {
  const env = options.io.env
  if (options.env !== undefined) {
    const environments = project.config.environments
    const entry = environments[options.env]
    if (!entry) {
      const known = Object.keys(environments)
      throw new GalleyError('unknown_environment', `No environment "${options.env}" in ${configName(project)}.`, {
        hint: known.length
          ? `Use one of: ${known.join(', ')}.`
          : 'Add it under `environments: { name: { baseUrl, apiKeyEnv } }` in galley.config.ts.',
      })
    }
    const apiKey = env[entry.apiKeyEnv]
    if (!apiKey) {
      throw new GalleyError('missing_api_key', `Environment "${options.env}" reads its API key from $${entry.apiKeyEnv}, which is not set.`, {
        hint: `Set ${entry.apiKeyEnv} to the project key of ${entry.baseUrl} (a CI secret); it is never printed.`,
      })
    }
    checkKey(apiKey, `$${entry.apiKeyEnv}`, options)
    return remoteTarget(options.env, entry.baseUrl, apiKey, `env-${safeId(options.env)}-${targetHash(entry.baseUrl, apiKey)}`, env)
  }
  const baseUrl = env.CRAFTKIT_BASE_URL
  const apiKey = env.CRAFTKIT_API_KEY
  if (baseUrl) {
    if (!apiKey) {
      throw new GalleyError('missing_api_key', 'CRAFTKIT_BASE_URL is set but CRAFTKIT_API_KEY is not.', {
        hint: 'Set CRAFTKIT_API_KEY to the project key of that deployment, or unset CRAFTKIT_BASE_URL to use the embedded emulator.',
      })
    }
    checkKey(apiKey, '$CRAFTKIT_API_KEY', options)
    return remoteTarget('CRAFTKIT_BASE_URL', baseUrl, apiKey, `url-${targetHash(baseUrl, apiKey)}`, env)
  }
  if (apiKey) {
    // Conservative: a key alone could mean production (the client's default host) or be left over in the shell
    // for an app. Publishing to production by accident is worse than asking.
    throw new GalleyError('ambiguous_target', 'CRAFTKIT_API_KEY is set but CRAFTKIT_BASE_URL is not, so the target is ambiguous.', {
      hint: 'Set CRAFTKIT_BASE_URL (e.g. https://api.craftkit.dev), use --env NAME, or unset CRAFTKIT_API_KEY to use the embedded emulator.',
    })
  }
  return embeddedTarget(project)
}

function remoteTarget(name: string, baseUrl: string, apiKey: string, id: string, env: Record<string, string | undefined>): Target {
  const client = cliClient(apiKey, baseUrl, env)
  return { name, baseUrl, client, embedded: false, id, close: async () => {} }
}

async function embeddedTarget(project: Project): Promise<Target> {
  const { apiKey: _key, ...target } = await startEmbeddedEmulator(project.root)
  return target
}

/** The embedded emulator as a target, with its (`ck_test_`) key, for flows that hand it to an app in dev. */
export interface EmbeddedTarget extends Target {
  /** The emulator's own `ck_test_` key (never a `ck_live_` key): the plugin gives it to server code in dev. */
  apiKey: string
}

/**
 * Starts the embedded emulator of the project at `root` (data and key in `<root>/.galley/emulator/`). The key file
 * is created once (0600); a `ck_live_` key there is refused.
 */
export async function startEmbeddedEmulator(root: string, options: { port?: number; host?: string } = {}): Promise<EmbeddedTarget> {
  const dataDir = join(root, '.galley', 'emulator')
  const apiKey = loadOrCreateEmulatorKey(dataDir)
  // Loaded here, not at the top: the emulator (hono, PGlite) takes ~0.2-0.3 s to import, which commands that
  // never start it (lint, generate, remote targets) should not pay.
  const { startEmulator } = await import('@galley/emulator')
  const emulator = await startEmulator({ port: options.port ?? 0, ...(options.host ? { host: options.host } : {}), dataDir, apiKeys: [apiKey], quiet: true })
  const client = cliClient(apiKey, emulator.url, process.env)
  let closed: Promise<void> | undefined
  return {
    name: EMBEDDED_TARGET_NAME,
    baseUrl: emulator.url,
    client,
    embedded: true,
    id: 'embedded',
    apiKey,
    close: () => (closed ??= emulator.close()),
  }
}

/** The key file of the embedded emulator, `<dataDir>/api-key`: created once (0600), then passed as `apiKeys` on every start. */
function loadOrCreateEmulatorKey(dataDir: string): string {
  const file = join(dataDir, 'api-key')
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim()
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600)
    if (key.startsWith('ck_live_')) {
      throw new GalleyError('live_key_refused', `${file} holds a ck_live_ key; the embedded emulator only takes test keys.`, {
        hint: 'Delete that file (a new ck_test_ key is generated), and keep production keys in the environment only.',
      })
    }
    if (/^ck_test_[A-Za-z0-9_-]{16,}$/.test(key)) return key
    throw new GalleyError('invalid_emulator_key', `${file} does not hold a ck_test_ key.`, {
      hint: 'Delete the file; the next command generates a new key.',
    })
  }
  mkdirSync(dataDir, { recursive: true })
  const key = `ck_test_${randomBytes(24).toString('base64url')}`
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, `${key}\n`, { mode: 0o600 })
  renameSync(tmp, file)
  return key
}

function checkKey(apiKey: string, where: string, options: ResolveTargetOptions): void {
  if (options.refuseLiveKeys && apiKey.startsWith('ck_live_')) {
    throw new GalleyError('live_key_refused', `${where} holds a ck_live_ (production) key, which this command never uses.`, {
      hint: 'Use a ck_test_ key, or unset the variable to work against the embedded emulator.',
    })
  }
}

function configName(project: Project): string {
  return project.config.configFile ? (project.config.configFile.split(/[\\/]/).pop() ?? 'the config') : 'the config (none found)'
}

function targetHash(baseUrl: string, apiKey: string): string {
  const keyHash = createHash('sha256').update(apiKey).digest('hex')
  return createHash('sha256').update(`${baseUrl.replace(/\/+$/, '')}\n${keyHash}`).digest('hex').slice(0, 12)
}

function safeId(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_')
}
