import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Manifest } from '@galley/core'
import { afterAll, describe, expect, it } from 'vitest'
import { analyzeImpact, generateModule, type TemplateInput } from '../src/index.ts'

// The analysis builds its program from the files that use the generated module and what they import, leaving
// the imports of those imported files unresolved until a use depends on them (src/impact.ts, `deepen`). These
// cases put what the data is made of two and three imports away from the call: a partial program that did not
// notice would see the checker's error type there, skip it, and report nothing.

const dir = mkdtempSync(join(tmpdir(), 'galley-impact-frontier-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const manifest = (withEmail: boolean): Manifest => ({
  variables: [
    { key: 'ref', label: 'Reference', dataType: 'text', required: true },
    { key: 'customer.name', label: 'Name', dataType: 'text', required: true },
    ...(withEmail ? [{ key: 'customer.email', label: 'Email', dataType: 'text' as const }] : []),
  ],
  loops: [],
})
const template = (withEmail: boolean): TemplateInput => ({ slug: 'invoice', name: 'Invoice', manifest: manifest(withEmail), sourcePath: 'templates/invoice/template.yaml' })

/** The call every case checks: `renderInvoice` imported from `module`, with data built in order.ts. */
const sendFrom = (module: string) => `import { renderInvoice } from '${module}'
import { toData, type Order } from './order'

export const send = (order: Order) => renderInvoice(toData(order))
`
/** What each case must report at that call: the template drops `customer.email`, which the data still sends. */
const EMAIL_STRIPPED = 'send.ts:4:39 `customer.email` is no longer declared: the server would strip it'

function write(files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
}

// The generated module imports its runtime from `clientModule`: a stand-in with the same types, so that the
// project compiles without @galley/client installed beside it.
const CLIENT = `export interface TemplateDescriptor<D> { slug: string; manifestHash: string; versionNumber: number | null; manifest?: unknown; __data?: D }
export interface RenderTemplateOptions { idempotencyKey?: string }
export interface QueuedRender { id: string }
export declare function renderTemplate<D>(descriptor: TemplateDescriptor<D>, data: D, options?: RenderTemplateOptions): Promise<QueuedRender>
`

async function analyze(): Promise<{ messages: string[]; programFiles: number; checkedFiles: number }> {
  const options = { clientModule: './client' }
  write({ 'gen.ts': await generateModule([template(true)], options) })
  const next = await generateModule([template(false)], options)
  const result = await analyzeImpact({
    projects: [join(dir, 'tsconfig.json')],
    modules: [{ file: join(dir, 'gen.ts'), text: next }],
    changes: [{ slug: 'invoice', action: 'update' }],
    root: dir,
  })
  return {
    messages: result.callSites.map((s) => `${s.file}:${s.line}:${s.column} ${s.message}`),
    programFiles: result.projects[0]!.programFiles,
    checkedFiles: result.projects[0]!.checkedFiles,
  }
}

describe('impact analysis past the files that call the generated module', { timeout: 60_000 }, () => {
  write({
    'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022'], types: [], noEmit: true }, include: ['*.ts'] }),
    'client.ts': CLIENT,
  })

  it('finds a stripped key whose type is declared two imports away, through `extends`', async () => {
    write({
      'send.ts': sendFrom('./gen'),
      'order.ts': `import type { Party } from './party'

export interface Order extends Party {
  ref: string
}

export function toData(order: Order) {
  return { ref: order.ref, customer: order.customer }
}
`,
      'party.ts': `import type { Contact } from './contact'

export interface Party {
  customer: Contact
}
`,
      'contact.ts': `export interface Contact {
  name: string
  email: string
}
`,
      'unrelated.ts': `import { helper } from './deep'
export const unrelated = helper()
`,
      'deep.ts': `export const helper = () => 1\n`,
    })
    const { messages, programFiles } = await analyze()
    expect(messages).toEqual([EMAIL_STRIPPED])
    // send.ts, gen.ts, client.ts, order.ts, party.ts and contact.ts: `unrelated.ts` and `deep.ts` reach no call.
    expect(programFiles).toBe(6)
  })

  it('stops at the first level when what the call sends is declared there', async () => {
    write({
      'send.ts': sendFrom('./gen'),
      'order.ts': `import { describeParty, type Party } from './party'

export interface Order {
  ref: string
  customer: { name: string; email: string }
  party?: Party
}

export function toData(order: Order) {
  return { ref: order.ref, customer: order.customer }
}

export const label = (order: Order) => (order.party ? describeParty(order.party) : order.ref)
`,
      'party.ts': `import type { Contact } from './contact'

export interface Party {
  customer: Contact
}

export const describeParty = (p: Party) => p.customer.name
`,
    })
    const { messages, programFiles } = await analyze()
    expect(messages).toEqual([EMAIL_STRIPPED])
    // send.ts, gen.ts, client.ts and order.ts: party.ts is imported by order.ts, on the frontier, and nothing sent
    // comes from it.
    expect(programFiles).toBe(4)
  })

  it('finds a use that reaches the module through a file that names no template (export * from a barrel)', async () => {
    write({
      'send.ts': sendFrom('./api'),
      'api.ts': `export * from './gen'\n`,
      'order.ts': `export interface Order {
  ref: string
  customer: { name: string; email: string }
}

export function toData(order: Order) {
  return { ref: order.ref, customer: order.customer }
}
`,
    })
    const { messages } = await analyze()
    expect(messages).toEqual([EMAIL_STRIPPED])
  })

  it('checks only the files that name the changed template; a module specifier naming a `render` folder does not count', async () => {
    write({
      'main.ts': `import { send } from './send'
import { helper } from './render-helpers'

export const main = () => (helper() ? send : undefined)
`,
      'render-helpers.ts': `export const helper = () => true\n`,
    })
    const { messages, checkedFiles } = await analyze()
    expect(messages).toEqual([EMAIL_STRIPPED])
    // send.ts names renderInvoice; main.ts reaches the module through it but names no template.
    expect(checkedFiles).toBe(1)
  })
})
