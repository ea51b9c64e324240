import { spawn } from 'node:child_process'
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { startEmulator, type RunningEmulator } from '@galley/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The replay script against a real emulator: build it (tsc), publish the templates with the CLI, run the BUILT
// script as a child process, then count the renders the emulator made three ways: its request log (202 = new
// render, 200 = idempotent replay), the PDFs in its data folder, and the signed render.succeeded webhooks.
const EXAMPLE = resolve(import.meta.dirname, '..')
const REPO = resolve(EXAMPLE, '../..')
const CLI_BIN = join(REPO, 'packages/cli/bin/galley.mjs')
const N = 5
const apiKey = `ck_test_${randomBytes(16).toString('hex')}`
const secret = randomBytes(16).toString('hex')

let tmp: string
let emulator: RunningEmulator | undefined
let receiver: Server | undefined
const requestLog: string[] = []
const webhookRenderIds = new Set<string>()
let badSignatures = 0

/** `node <args>`, asynchronous (the emulator lives in this process and must keep answering). */
function runNode(args: string[], env: NodeJS.ProcessEnv = {}, cwd = EXAMPLE): Promise<{ status: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    const timer = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), 120_000)
    child.on('error', (e) => (output += String(e)))
    child.on('close', (status) => {
      clearTimeout(timer)
      done({ status, output })
    })
  })
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'galley-example-replay-'))
  const build = await runNode([join(EXAMPLE, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'])
  expect(build.status, build.output).toBe(0)

  // A webhook receiver that checks Craftkit's signature and collects the render ids.
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const expected = createHmac('sha256', secret).update(body).digest()
      const given = Buffer.from(String(req.headers['x-craftkit-signature'] ?? ''), 'hex')
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        badSignatures++
        res.writeHead(401).end()
        return
      }
      const payload = JSON.parse(body.toString('utf8')) as { event: string; renderId: string }
      if (payload.event === 'render.succeeded') webhookRenderIds.add(payload.renderId)
      res.writeHead(200).end()
    })
  })
  await new Promise<void>((r) => receiver!.listen(0, '127.0.0.1', r))
  const address = receiver.address()
  if (!address || typeof address !== 'object') throw new Error('no receiver port')

  emulator = await startEmulator({
    dataDir: join(tmp, 'emulator'),
    apiKeys: [apiKey],
    webhooks: [{ url: `http://127.0.0.1:${address.port}/hook`, secret }],
    log: (line) => void requestLog.push(line),
  })

  const publishCwd = join(tmp, 'publish')
  mkdirSync(publishCwd)
  writeFileSync(join(publishCwd, 'galley.config.json'), JSON.stringify({ templates: join(REPO, 'templates') }))
  const published = await runNode([CLI_BIN, 'publish', '--cwd', publishCwd], { CRAFTKIT_BASE_URL: emulator.url, CRAFTKIT_API_KEY: apiKey })
  expect(published.status, published.output).toBe(0)
})

afterAll(async () => {
  await emulator?.close()
  await new Promise((r) => (receiver ? receiver.close(r) : r(undefined)))
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

describe('examples/offline-replay', () => {
  it('keeps the committed src/craftkit.gen.ts fresh (galley generate --check)', async () => {
    const check = await runNode([CLI_BIN, 'generate', '--check', '--cwd', EXAMPLE])
    expect(check.status, check.output).toBe(0)
  })

  it(`replays a queue of ${N} sign-offs twice and the emulator makes exactly ${N} renders`, async () => {
    const outbox = join(tmp, 'outbox.json')
    const run = await runNode([join(EXAMPLE, 'dist/replay.js'), '--count', String(N), '--outbox', outbox], {
      CRAFTKIT_BASE_URL: emulator!.url,
      CRAFTKIT_API_KEY: apiKey,
    })
    expect(run.output).not.toContain(apiKey)
    expect(run.output).toContain(`RESULT sign-offs=${N} requests=${2 * N} distinct-renders=${N}`)
    expect(run.output).toContain('OK: each sign-off produced exactly one render')
    expect(run.status, run.output).toBe(0)
    expect(JSON.parse(readFileSync(outbox, 'utf8'))).toEqual([])

    // What the script says it got back...
    const scriptIds = new Set([...run.output.matchAll(/-> render ([0-9a-f-]{36}) succeeded/g)].map((m) => m[1]))
    expect(scriptIds.size).toBe(N)

    // ...and what the emulator did: N render requests created a render (202), N were replays (200)...
    await emulator!.idle()
    const renderPosts = requestLog.filter((l) => l.startsWith('POST /v1/templates/charter-handover/render '))
    expect(renderPosts.filter((l) => / 202 /.test(l))).toHaveLength(N)
    expect(renderPosts.filter((l) => / 200 /.test(l))).toHaveLength(N)
    expect(renderPosts).toHaveLength(2 * N)
    // ...N PDFs in its data folder, named by render id...
    const pdfs = readdirSync(join(tmp, 'emulator', 'renders')).filter((f) => f.endsWith('.pdf'))
    expect(new Set(pdfs.map((f) => f.replace(/\.pdf$/, '')))).toEqual(scriptIds)
    // ...and N signed render.succeeded webhooks, for the same renders.
    await expect.poll(() => webhookRenderIds.size, { timeout: 30_000 }).toBe(N)
    expect(webhookRenderIds).toEqual(scriptIds)
    expect(badSignatures).toBe(0)
  })
})
