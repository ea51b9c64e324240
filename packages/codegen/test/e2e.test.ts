import { mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createClient } from '@galley/client'
import { startEmulator } from '@galley/emulator'
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateModule } from '../src/index.ts'
import { loadRepoTemplates, REPO } from './utils.ts'

// End to end, nothing mocked: generate from the repo's templates, publish them to a real emulator over HTTP,
// render through the generated function, and read the text back out of the PDF.
let emulator: Awaited<ReturnType<typeof startEmulator>>
const out = join(import.meta.dirname, '.tmp', `e2e-${process.pid}`)
const tmpRoot = join(import.meta.dirname, '.tmp')

const savedEnv = { baseUrl: process.env.CRAFTKIT_BASE_URL, apiKey: process.env.CRAFTKIT_API_KEY }

beforeAll(async () => {
  emulator = await startEmulator({ quiet: true })
  // As in a user's server: the generated functions' default client reads these.
  process.env.CRAFTKIT_BASE_URL = emulator.url
  process.env.CRAFTKIT_API_KEY = emulator.apiKey
})
afterAll(async () => {
  await emulator?.close()
  await rm(out, { recursive: true, force: true })
  await rmdir(tmpRoot).catch(() => {}) // only when no other run left files in it
  for (const [name, value] of [['CRAFTKIT_BASE_URL', savedEnv.baseUrl], ['CRAFTKIT_API_KEY', savedEnv.apiKey]] as const) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
})

async function pdfText(bytes: Uint8Array): Promise<string> {
  const doc = await getDocument({ data: bytes, useSystemFonts: false }).promise
  const parts: string[] = []
  for (let p = 1; p <= doc.numPages; p++) {
    const content = await (await doc.getPage(p)).getTextContent()
    parts.push(content.items.map((i) => ('str' in i ? i.str : '')).join(' '))
  }
  await doc.destroy()
  return parts.join('\n')
}

describe('a generated render function against the emulator', () => {
  it('renders the checkout fixture of charter-handover to a PDF that contains BK-12345', async () => {
    const { inputs, bodies } = await loadRepoTemplates()
    // The module lives inside this package, so its `@galley/client` import resolves as in a user's project.
    await mkdir(out, { recursive: true })
    const file = join(out, 'craftkit.gen.ts')
    await writeFile(file, await generateModule(inputs, { cache: false }))

    const client = createClient({ baseUrl: emulator.url, apiKey: emulator.apiKey })
    for (const [slug, body] of bodies) await client.templates.put(slug, body)

    const generated = await import(file)
    const checkout = JSON.parse(await readFile(join(REPO, 'templates/charter-handover/fixtures/checkout.json'), 'utf8'))
    const data = 'data' in checkout ? checkout.data : checkout
    const idempotencyKey = `codegen-e2e-${process.pid}`
    const queued = await generated.renderCharterHandover(data, { idempotencyKey })
    expect(queued.status).toBe('queued')
    const done = await queued.wait()
    expect(done.status).toBe('succeeded')
    const pdf = await client.renders.download(done)
    expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe('%PDF-')
    expect(await pdfText(pdf)).toContain('BK-12345')

    // The same idempotency key replays the render instead of queueing another.
    const replay = await generated.renderCharterHandover(data, { idempotencyKey })
    expect(replay.id).toBe(done.id)

    // `date` fields are typed `string | Date`: a Date goes over the wire as JSON and renders as that date.
    const withDate = await generated.renderCharterHandover({ ...data, handover: { ...data.handover, date: new Date('2026-06-04T00:00:00Z') } })
    const dated = await withDate.wait()
    expect(dated.status).toBe('succeeded')
    expect(await pdfText(await client.renders.download(dated))).toContain('BK-12345')
  })
})
