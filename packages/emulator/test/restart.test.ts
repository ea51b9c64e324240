import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, describe, expect, it } from 'vitest'
import { apiFor, makePng, startLocalServer, waitForRender } from './utils.ts'

// These tests run the built package (dist) in a child process, so they can kill it for real.
const SCRIPT = new URL('./fixtures/run-emulator.mjs', import.meta.url).pathname
const KEY = 'ck_test_restartSuite1'
const children: ChildProcess[] = []
const dataDir = mkdtempSync(join(tmpdir(), 'galley-emu-restart-'))
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

describe('crash and restart on the same data folder', () => {
  it('SIGKILL with 100 renders queued; after a restart all 100 reach succeeded', async () => {
    // Every render needs an image from this server, which holds its answers until released: nothing can
    // finish before the kill, so the renders really are queued (or rendering) when the process dies.
    let released = false
    const held: (() => void)[] = []
    const png = makePng(8, 8)
    const images = await startLocalServer((_req, res) => {
      const answer = () => res.writeHead(200, { 'content-type': 'image/png' }).end(png)
      if (released) answer()
      else held.push(answer)
    })
    try {
      // A long image timeout: the held image requests must outlast the 200 requests below on a busy machine.
      const first = await spawnEmulator({ dataDir, apiKeys: [KEY], renderConcurrency: 2, imageTimeoutMs: 300_000 })
      const api = apiFor({ url: first.url }, KEY)
      const manifest = {
        variables: [
          { key: 'n', label: 'Number', dataType: 'number' },
          { key: 'stamp', label: 'Stamp', dataType: 'image' },
        ],
        loops: [],
      }
      expect((await api.request('PUT', '/v1/templates/crash-test', { name: 'Crash test', manifest })).status).toBe(201)
      const ids: string[] = []
      for (let i = 0; i < 100; i++) {
        const r = await api.request('POST', '/v1/templates/crash-test/render', { data: { n: i, stamp: `${images.url}/s.png` } }, {
          'idempotency-key': `crash-${i}`,
        })
        expect(r.status).toBe(202)
        ids.push(r.body.id)
      }
      const before = await Promise.all(ids.map(async (id) => (await api.request('GET', `/v1/renders/${id}`)).body.status))
      expect(before.filter((s) => s === 'succeeded' || s === 'failed')).toEqual([])
      expect(before.filter((s) => s === 'queued').length).toBeGreaterThanOrEqual(98)

      first.child.kill('SIGKILL')
      await new Promise((resolve) => first.child.once('exit', resolve))
      expect(first.child.signalCode).toBe('SIGKILL')
      released = true
      for (const answer of held.splice(0)) answer()

      const second = await spawnEmulator({ dataDir, apiKeys: [KEY], renderConcurrency: 4 })
      const api2 = apiFor({ url: second.url }, KEY)
      // Nothing lost: the template, the renders and their idempotency keys survived.
      expect((await api2.request('GET', '/v1/templates/crash-test')).body.currentVersionNumber).toBe(1)
      const replay = await api2.request('POST', '/v1/templates/crash-test/render', { data: { n: 0 } }, { 'idempotency-key': 'crash-0' })
      expect(replay).toMatchObject({ status: 200, body: { id: ids[0] } })
      const after = await Promise.all(ids.map((id) => waitForRender(api2, id, 60_000)))
      expect(after.map((r) => r.status)).toEqual(Array(100).fill('succeeded'))
      expect((await fetch(after[99].downloadUrl)).status).toBe(200)

      second.child.kill('SIGTERM')
      await new Promise((resolve) => second.child.once('exit', resolve))
      expect(second.child.exitCode).toBe(0)
    } finally {
      released = true
      for (const answer of held.splice(0)) answer()
      await images.close()
    }
  })
})
