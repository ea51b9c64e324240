import { startEmulator, type RunningEmulator } from '@galley/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient, type CraftkitClient } from '../src/index.ts'
// A module exactly as `galley generate --pin-versions --preflight` writes it (codegen's fixture). Its
// `@galley/client` import resolves to this package's build, as in a user's project.
import * as generated from '../../codegen/test/fixtures/pinned-preflight/expected/craftkit.gen.ts'

let emulator: RunningEmulator
let client: CraftkitClient
const bodies: string[] = []

beforeAll(async () => {
  emulator = await startEmulator({ quiet: true })
  client = createClient({
    baseUrl: emulator.url,
    apiKey: emulator.apiKey,
    fetch: (input, init) => {
      if (typeof init?.body === 'string') bodies.push(init.body)
      return fetch(input, init)
    },
  })
  // The module pins receipt to version 3 and letter to 12: publish that many versions.
  for (let v = 1; v <= 3; v++) await client.templates.put('receipt', { name: 'Receipt', manifest: generated.receiptDescriptor.manifest! })
  for (let v = 1; v <= 12; v++) await client.templates.put('letter', { name: 'Letter', manifest: generated.letterDescriptor.manifest! })
})
afterAll(async () => {
  await emulator?.close()
})

const receipt = { customer: { name: 'Jane Doe', email: 'jane@example.com' }, total: 42, lines: [{ sku: 'A-1', qty: 2 }] }

describe('a generated module, run against the emulator', () => {
  it('renderReceipt sends the pinned version, waits and downloads', async () => {
    const queued = await generated.renderReceipt(receipt, { client, idempotencyKey: `gen-${process.pid}` })
    expect(JSON.parse(bodies.at(-1)!)).toEqual({ data: receipt, options: { versionNumber: 3 } })
    const done = await queued.wait()
    expect(done.status).toBe('succeeded')
    const pdf = await queued.download()
    expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe('%PDF-')
    const replay = await generated.renderReceipt(receipt, { client, idempotencyKey: `gen-${process.pid}` })
    expect(replay).toMatchObject({ id: done.id, replayed: true })
  })

  it('render(slug, data) with preflight: valid data passes, a typo is caught before sending', async () => {
    expect((await generated.render('letter', { body: 'Dear Jane' }, { client, preflight: true })).status).toBe('queued')
    const before = bodies.length
    const typo = { ...receipt, customer: { name: 'Jane', emial: 'jane@example.com' } } as unknown as typeof receipt
    const error = (await generated.renderReceipt(typo, { client, preflight: true }).catch((e: unknown) => e)) as { code: string; issues: { fieldErrors: Record<string, string[]> } }
    expect(error.code).toBe('preflight_failed')
    expect(Object.keys(error.issues.fieldErrors)).toEqual(['customer.emial'])
    expect(bodies.length).toBe(before)
  })
})
