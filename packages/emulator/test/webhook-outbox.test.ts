import { spawn, type ChildProcess } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, describe, expect, it } from 'vitest'
import { apiFor, appEmulator, startLocalServer, waitForRender } from './utils.ts'

// The durable outbox: deliveries are database rows, so a SIGKILL while they wait for a retry loses none. These
// run the built package (dist) in a child process, so the kill is real.
const SCRIPT = new URL('./fixtures/run-emulator.mjs', import.meta.url).pathname
const KEY = 'ck_test_outboxSuite1'
const SECRET = 'whsec_outbox_test'
const children: ChildProcess[] = []
const dataDir = mkdtempSync(join(tmpdir(), 'galley-emu-outbox-'))
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  rmSync(dataDir, { recursive: true, force: true })
})

async function spawnEmulator(options: Record<string, unknown>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [SCRIPT, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] })
  children.push(child)
  const lines = createInterface({ input: child.stdout! })
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve)
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code} before listening`)))
  })
  return { child, url: (JSON.parse(first) as { url: string }).url }
}

interface Seen {
  deliveryId: string
  renderId: string
  event: string
  signed: boolean
  status: number
  phase: 'before' | 'after'
}

describe('webhook outbox', () => {
  it('SIGKILL while deliveries wait for a retry: after a restart each arrives, signed, with its original delivery id', async () => {
    let phase: 'before' | 'after' = 'before'
    const seen: Seen[] = []
    const receiver = await startLocalServer((req, res, body) => {
      // Before the kill every delivery is refused, so each one is waiting for a retry when the process dies.
      const status = phase === 'before' ? 500 : 204
      const payload = JSON.parse(body) as { renderId: string; event: string }
      seen.push({
        deliveryId: String(req.headers['x-craftkit-delivery-id']),
        renderId: payload.renderId,
        event: String(req.headers['x-craftkit-event']),
        signed: req.headers['x-craftkit-signature'] === createHmac('sha256', SECRET).update(body).digest('hex'),
        status,
        phase,
      })
      res.writeHead(status).end()
    })
    try {
      const options = {
        dataDir,
        apiKeys: [KEY],
        webhooks: [{ url: `${receiver.url}/hooks?token=t`, secret: SECRET }],
        // 1.5 s, 3 s, 6 s, ...: the first retry is still waiting when the kill comes.
        webhookRetryDelayMs: 1500,
      }
      const first = await spawnEmulator(options)
      const api = apiFor({ url: first.url }, KEY)
      const manifest = {
        variables: [
          { key: 'n', label: 'Number', dataType: 'number' },
          { key: 'logo', label: 'Logo', dataType: 'image' },
        ],
        loops: [],
      }
      expect((await api.request('PUT', '/v1/templates/outbox', { name: 'Outbox', manifest })).status).toBe(201)
      const ids: string[] = []
      for (let i = 0; i < 6; i++) {
        const r = await api.request('POST', '/v1/templates/outbox/render', { data: { n: i } })
        expect(r.status).toBe(202)
        ids.push(r.body.id)
      }
      // A failed render gets its render.failed delivery through the same outbox.
      const bad = await api.request('POST', '/v1/templates/outbox/render', { data: { n: 7, logo: 'http://127.0.0.1:9/x.png' } })
      ids.push(bad.body.id)
      const statuses = await Promise.all(ids.map(async (id) => (await waitForRender(api, id)).status))
      expect(statuses).toEqual([...Array(6).fill('succeeded'), 'failed'])
      const eventOf = (id: string) => (id === bad.body.id ? 'render.failed' : 'render.succeeded')
      // Every render's delivery has been attempted (and refused) at least once.
      await expect.poll(() => new Set(seen.map((s) => s.renderId)).size, { timeout: 30_000, interval: 100 }).toBe(ids.length)
      const idsBefore = new Map(seen.map((s) => [s.renderId, s.deliveryId]))

      first.child.kill('SIGKILL')
      await new Promise((resolve) => first.child.once('exit', resolve))
      expect(first.child.signalCode).toBe('SIGKILL')
      expect(seen.every((s) => s.status === 500)).toBe(true)
      phase = 'after'

      const second = await spawnEmulator(options)
      // Every delivery arrives once accepted, signed, with the id it had before the kill.
      await expect
        .poll(() => new Set(seen.filter((s) => s.status === 204).map((s) => s.renderId)).size, { timeout: 40_000, interval: 100 })
        .toBe(ids.length)
      for (const id of ids) {
        const forRender = seen.filter((s) => s.renderId === id)
        expect(new Set(forRender.map((s) => s.deliveryId))).toEqual(new Set([idsBefore.get(id)]))
        expect(forRender.every((s) => s.signed && s.event === eventOf(id))).toBe(true)
        expect(forRender.filter((s) => s.phase === 'after' && s.status === 204).length).toBe(1)
      }
      // No render has two delivery ids, and the ids are distinct UUIDs per render.
      const allIds = [...new Set(seen.map((s) => s.deliveryId))]
      expect(allIds).toHaveLength(ids.length)
      for (const d of allIds) expect(d).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
      // Nothing is re-sent once delivered.
      const acked = seen.length
      await new Promise((resolve) => setTimeout(resolve, 2000))
      expect(seen.length).toBe(acked)

      second.child.kill('SIGTERM')
      await new Promise((resolve) => second.child.once('exit', resolve))
      expect(second.child.exitCode).toBe(0)
    } finally {
      await receiver.close()
    }
  })

  it('marks deliveries delivered, or abandoned after the last attempt, in the database', async () => {
    let refuse = true
    const receiver = await startLocalServer((_req, res) => res.writeHead(refuse ? 503 : 200).end())
    const { emu, api } = await appEmulator({
      webhooks: [{ url: `${receiver.url}/h`, secret: SECRET }],
      webhookRetryDelayMs: 20,
      webhookMaxAttempts: 3,
    })
    try {
      await api.request('PUT', '/v1/templates/t', { name: 'T', manifest: { variables: [], loops: [] } })
      const a = await api.request('POST', '/v1/templates/t/render', { data: {} })
      await waitForRender(api, a.body.id)
      await expect.poll(async () => (await emu.store.deliveriesForRender(a.body.id))[0]?.status, { timeout: 10_000 }).toBe('abandoned')
      const [abandoned] = await emu.store.deliveriesForRender(a.body.id)
      expect(abandoned).toMatchObject({ attempts: 3, last_error: 'HTTP 503', event: 'render.succeeded' })
      expect(receiver.requests.filter((r) => r.headers['x-craftkit-delivery-id'] === abandoned!.id)).toHaveLength(3)

      refuse = false
      const b = await api.request('POST', '/v1/templates/t/render', { data: {} })
      await waitForRender(api, b.body.id)
      await expect.poll(async () => (await emu.store.deliveriesForRender(b.body.id))[0]?.status, { timeout: 10_000 }).toBe('delivered')
      const [delivered] = await emu.store.deliveriesForRender(b.body.id)
      expect(delivered).toMatchObject({ attempts: 1, last_error: null })
      expect(JSON.parse(delivered!.body)).toMatchObject({ renderId: b.body.id, status: 'succeeded' })
    } finally {
      await emu.close()
      await receiver.close()
    }
  })
})
