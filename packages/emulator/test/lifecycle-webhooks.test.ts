import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEmulator, type RunningEmulator } from '../src/index.ts'
import { apiFor, startLocalServer, waitForRender, type Api } from './utils.ts'

// The queue -> dispatcher wiring: one signed delivery per finished render (the dispatcher's retries and
// signing details are covered by webhook.test.ts).
const SECRET = 'whsec_lifecycle'
let receiver: Awaited<ReturnType<typeof startLocalServer>>
let emu: RunningEmulator
let api: Api
beforeAll(async () => {
  receiver = await startLocalServer((_req, res) => res.writeHead(204).end())
  emu = await startEmulator({
    apiKeys: ['ck_test_webhookWiring'],
    webhooks: [{ url: `${receiver.url}/hooks`, secret: SECRET }],
    publicBaseUrl: 'https://files.example.test/',
    quiet: true,
  })
  api = apiFor(emu, 'ck_test_webhookWiring')
  await api.request('PUT', '/v1/templates/hooked', {
    name: 'Hooked',
    manifest: { variables: [{ key: 'logo', label: 'Logo', dataType: 'image' }], loops: [] },
  })
})
afterAll(async () => {
  await emu.close()
  await receiver.close()
})

const deliveries = (renderId: string) => receiver.requests.filter((r) => JSON.parse(r.body).renderId === renderId)

describe('render webhooks', () => {
  it('render.succeeded with the public downloadUrl, signed with the subscription secret', async () => {
    const r = await api.request('POST', '/v1/templates/hooked/render', { data: {} })
    const done = await waitForRender(api, r.body.id)
    expect(done.downloadUrl).toBe(`https://files.example.test/files/renders/${r.body.id}.pdf`)
    await expect.poll(() => deliveries(r.body.id).length, { timeout: 20_000 }).toBe(1)
    const [delivery] = deliveries(r.body.id)
    const payload = JSON.parse(delivery!.body)
    const template = await api.request('GET', '/v1/templates/hooked')
    expect(payload).toEqual({
      event: 'render.succeeded',
      renderId: r.body.id,
      templateId: template.body.id,
      status: 'succeeded',
      downloadUrl: done.downloadUrl,
      errorMessage: null,
      createdAt: done.createdAt,
      completedAt: done.completedAt,
    })
    expect(delivery!.headers['x-craftkit-event']).toBe('render.succeeded')
    expect(delivery!.headers['x-craftkit-signature']).toBe(createHmac('sha256', SECRET).update(delivery!.body).digest('hex'))
  })

  it('render.failed with the errorMessage and no downloadUrl', async () => {
    const r = await api.request('POST', '/v1/templates/hooked/render', { data: { logo: 'http://127.0.0.1:9/x.png' } })
    const done = await waitForRender(api, r.body.id)
    expect(done.status).toBe('failed')
    await expect.poll(() => deliveries(r.body.id).length, { timeout: 20_000 }).toBe(1)
    const payload = JSON.parse(deliveries(r.body.id)[0]!.body)
    expect(payload).toMatchObject({ event: 'render.failed', status: 'failed', downloadUrl: null, errorMessage: done.errorMessage })
  })
})
