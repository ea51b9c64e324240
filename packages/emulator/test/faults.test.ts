import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { GalleyError } from '@galley/core'
import { MAX_LATENCY_MS, parseFaults, startEmulator } from '../src/index.ts'
import { createPrng } from '../src/prng.ts'
import { apiFor, SIMPLE_MANIFEST } from './utils.ts'

const KEY = 'ck_test_faultSuite'
const dirs: string[] = []
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'galley-emu-faults-'))
  dirs.push(dir)
  return dir
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})
const body = { name: 'Faulty', manifest: SIMPLE_MANIFEST }

describe('fault injection', () => {
  it('parses the spec and names a bad part', () => {
    expect(parseFaults('503:0.2,reset:0.1,latency:0.2')).toEqual({ unavailable: 0.2, reset: 0.1, latency: 0.2 })
    expect(parseFaults('')).toEqual({ unavailable: 0, reset: 0, latency: 0 })
    for (const bad of ['504:0.1', '503:2', 'reset', 'latency:-1', '503:0.1;reset:0.1']) {
      expect(() => parseFaults(bad)).toThrow(GalleyError)
    }
  })

  it('503 queue_unavailable happens before any write; /health is never faulted', async () => {
    const dataDir = freshDir()
    const faulty = await startEmulator({ dataDir, apiKeys: [KEY], faults: '503:1', quiet: true })
    const api = apiFor(faulty, KEY)
    const r = await api.request('PUT', '/v1/templates/faulty', body)
    expect(r.status).toBe(503)
    expect(r.body.error.code).toBe('queue_unavailable')
    expect((await fetch(`${faulty.url}/health`)).status).toBe(200)
    await faulty.close()

    const clean = await startEmulator({ dataDir, apiKeys: [KEY], quiet: true })
    expect((await apiFor(clean, KEY).request('GET', '/v1/templates/faulty')).status).toBe(404)
    await clean.close()
  })

  it('reset drops the connection after the write committed; the server keeps the change and keeps serving', async () => {
    const dataDir = freshDir()
    const lines: string[] = []
    const faulty = await startEmulator({ dataDir, apiKeys: [KEY], faults: 'reset:1', log: (l) => lines.push(l) })
    const api = apiFor(faulty, KEY)
    await expect(api.request('PUT', '/v1/templates/faulty', body)).rejects.toThrow(/fetch failed/)
    await expect(api.request('PUT', '/v1/templates/faulty', body)).rejects.toThrow(/fetch failed/)
    expect((await fetch(`${faulty.url}/health`)).status).toBe(200)
    expect(lines.filter((l) => /^PUT \/v1\/templates\/faulty reset \d+ms$/.test(l))).toHaveLength(2)
    await faulty.close()

    const clean = await startEmulator({ dataDir, apiKeys: [KEY], quiet: true })
    const got = await apiFor(clean, KEY).request('GET', '/v1/templates/faulty')
    expect(got.status).toBe(200)
    expect(got.body.currentVersionNumber).toBe(2)
    await clean.close()
  })

  it('latency spikes delay requests without failing them', async () => {
    // The delays the schedule draws for seed 3: four draws per request, the fourth scaled to MAX_LATENCY_MS.
    const random = createPrng(3)
    const delays = [0, 1].map(() => {
      for (let i = 0; i < 3; i++) random()
      return Math.round(random() * MAX_LATENCY_MS)
    })
    expect(Math.min(...delays)).toBeGreaterThan(100)
    const emu = await startEmulator({ apiKeys: [KEY], faults: 'latency:1', seed: 3, quiet: true })
    const api = apiFor(emu, KEY)
    const timed = async (run: () => Promise<{ status: number }>) => {
      const start = performance.now()
      const { status } = await run()
      return { status, ms: performance.now() - start }
    }
    const put = await timed(() => api.request('PUT', '/v1/templates/slow', body))
    const get = await timed(() => api.request('GET', '/v1/templates/slow'))
    expect(put.status).toBe(201)
    expect(get.status).toBe(200)
    // Timers may fire up to a millisecond early.
    expect(put.ms).toBeGreaterThanOrEqual(delays[0]! - 1)
    expect(get.ms).toBeGreaterThanOrEqual(delays[1]! - 1)
    await emu.close()
  })

  it('the schedule depends only on the seed', async () => {
    const statuses = async (seed: number) => {
      const emu = await startEmulator({ apiKeys: [KEY], faults: '503:0.5', seed, quiet: true })
      const api = apiFor(emu, KEY)
      const out: number[] = []
      for (let i = 0; i < 16; i++) out.push((await api.request('GET', '/v1/templates')).status)
      await emu.close()
      return out
    }
    const a = await statuses(42)
    expect(await statuses(42)).toEqual(a)
    expect(a).toContain(503)
    expect(a).toContain(200)
    expect(await statuses(7)).not.toEqual(a)
  })
})
