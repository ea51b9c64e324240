import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEmulator, type RunningEmulator } from '../src/index.ts'
import { apiFor, waitForRender, type Api } from './utils.ts'

// Renders run in worker threads (loaded from the built dist/render-worker.mjs). Faults are injected with the
// test-only `renderFault` option: a function on the emulator's options, which no request can reach.
let emu: RunningEmulator
let api: Api
const KEY = 'ck_test_renderWorkers1'
beforeAll(async () => {
  emu = await startEmulator({
    apiKeys: [KEY],
    quiet: true,
    renderWorkers: 2,
    renderTimeoutMs: 3000,
    renderFault: ({ templateSlug, data }) =>
      templateSlug === 'faulty' && (data.mode === 'throw' || data.mode === 'crash' || data.mode === 'hang') ? data.mode : undefined,
  })
  api = apiFor(emu, KEY)
  const manifest = { variables: [{ key: 'mode', label: 'Mode', dataType: 'text' }], loops: [] }
  expect((await api.request('PUT', '/v1/templates/faulty', { name: 'Faulty', manifest })).status).toBe(201)
})
afterAll(async () => {
  await emu?.close()
})

/** Submits a render and, while it runs, polls it and renders a healthy document alongside. */
async function faultyRender(mode: string): Promise<{ failed: any; pollDuring: any; healthy: any }> {
  const r = await api.request('POST', '/v1/templates/faulty/render', { data: { mode } })
  expect(r.status).toBe(202)
  // A poll while the faulty render is still in a worker: it answers (the server's event loop is free).
  const pollDuring = await api.request('GET', `/v1/renders/${r.body.id}`)
  const ok = await api.request('POST', '/v1/templates/faulty/render', { data: { mode: 'fine' } })
  const [failed, healthy] = await Promise.all([waitForRender(api, r.body.id), waitForRender(api, ok.body.id)])
  return { failed, pollDuring, healthy }
}

describe('render workers', () => {
  it('a render that throws inside a worker fails with a message; the server keeps serving', async () => {
    const { failed, pollDuring, healthy } = await faultyRender('throw')
    expect(pollDuring.status).toBe(200)
    expect(failed).toMatchObject({ status: 'failed', errorMessage: 'Render failed: injected fault: the renderer threw', downloadUrl: null })
    expect(healthy).toMatchObject({ status: 'succeeded' })
  })

  it('a worker that crashes mid-render fails that render with a message and is replaced', async () => {
    const { failed, pollDuring, healthy } = await faultyRender('crash')
    expect(pollDuring.status).toBe(200)
    expect(failed.status).toBe('failed')
    expect(failed.errorMessage).toBe('The renderer crashed: injected fault: the render worker crashed')
    expect(healthy).toMatchObject({ status: 'succeeded' })
  })

  it('a render that hangs past renderTimeoutMs fails with a message; polls during it answer; its worker is replaced', async () => {
    const r = await api.request('POST', '/v1/templates/faulty/render', { data: { mode: 'hang' } })
    // The worker is blocked for good (Atomics.wait): wait until the render is in it, then poll it.
    await expect.poll(async () => (await api.request('GET', `/v1/renders/${r.body.id}`)).body.status, { timeout: 10_000, interval: 50 }).toBe('rendering')
    const during = await Promise.all(Array.from({ length: 5 }, () => api.request('GET', `/v1/renders/${r.body.id}`)))
    expect(during.map((p) => [p.status, p.body.status])).toEqual(Array(5).fill([200, 'rendering']))
    const failed = await waitForRender(api, r.body.id)
    expect(failed).toMatchObject({ status: 'failed', errorMessage: 'The render did not finish within 3000 ms' })
    // Both workers still render (the hung one was terminated and replaced).
    const next = await Promise.all([1, 2, 3, 4].map(() => api.request('POST', '/v1/templates/faulty/render', { data: { mode: 'fine' } })))
    const done = await Promise.all(next.map((n) => waitForRender(api, n.body.id)))
    expect(done.map((d) => [d.status, d.errorMessage])).toEqual(Array(4).fill(['succeeded', null]))
    expect((await fetch(done[0].downloadUrl)).headers.get('content-type')).toBe('application/pdf')
  })

  it('the fault hook is not reachable over HTTP: the same data without the option renders fine', async () => {
    const plain = await startEmulator({ apiKeys: [KEY], quiet: true, renderWorkers: 1 })
    try {
      const p = apiFor(plain, KEY)
      await p.request('PUT', '/v1/templates/faulty', { name: 'Faulty', manifest: { variables: [{ key: 'mode', label: 'Mode', dataType: 'text' }], loops: [] } })
      const r = await p.request('POST', '/v1/templates/faulty/render', { data: { mode: 'hang' } })
      expect((await waitForRender(p, r.body.id)).status).toBe('succeeded')
    } finally {
      await plain.close()
    }
  })
})
