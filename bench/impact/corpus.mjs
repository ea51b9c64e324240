// The bench/impact corpus: a Galley project of 20 templates and a consuming TypeScript app of 300 files that calls
// the generated module 100 times (5 call sites per template, 2 per calling file), with its own tsconfig.
//
//   app/src/domain/m001…m248.ts  domain code (interfaces, a class, functions), each importing one or two earlier
//                                files; none reaches the generated module
//   app/src/render/r01…r50.ts    50 calling files: 2 calls each (one with a literal, one with a variable built by a
//                                function in a domain file), plus as much ordinary code as a domain file
//   app/src/render/index.ts      imports the 50 callers (reaches the generated module through them)
//   app/src/main.ts              the entry: imports render/index.ts and a few domain files
//   app/src/craftkit.gen.ts      written by `galley generate` (not counted in the 300)
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { orderTemplate } from '../order-template.mjs'

export const TEMPLATES = 20
export const DOMAIN_FILES = 248
export const CALLER_FILES = 50

export const slugOf = (t) => `t-${String(t).padStart(2, '0')}`
const pascal = (t) => `T${String(t).padStart(2, '0')}`
const pad = (i) => String(i).padStart(3, '0')

/** The source of template `t`; `change` adds a required variable (what the bench changes in one template). */
export function templateText(t, change = false) {
  return orderTemplate({
    slug: slugOf(t),
    name: `Template ${t}`,
    orderLabel: `Order ${t}`,
    header: [`description: Bench template ${t}.`, 'pageConfig: { format: A4, margin: 15mm }'],
    customer: [...(change ? ['  customer.ref: { label: Customer reference, dataType: text, required: true }'] : []), '  customer.email: { label: Email, dataType: email }'],
    more: [`  note${t}:       { label: Note, dataType: longtext }`],
  })
}

function domainFile(i) {
  const deps = [Math.floor(i / 2), i - 1].filter((j, k, a) => j >= 1 && j < i && a.indexOf(j) === k)
  const imports = deps.map((j) => `import { type Entity${pad(j)}, describe${pad(j)} } from './m${pad(j)}'`)
  const parentType = deps.length ? `Entity${pad(deps[0])}` : 'never'
  return `${imports.join('\n')}

export interface Entity${pad(i)} {
  id: string
  name: string
  createdAt: Date
  tags: string[]
  amount: number
  parent?: ${parentType}
}

export type Status${pad(i)} = 'draft' | 'open' | 'closed' | 'archived'

export class Repo${pad(i)} {
  private readonly items = new Map<string, Entity${pad(i)}>()
  add(entity: Entity${pad(i)}): this {
    this.items.set(entity.id, entity)
    return this
  }
  find(predicate: (entity: Entity${pad(i)}) => boolean): Entity${pad(i)}[] {
    return [...this.items.values()].filter(predicate)
  }
  byTag(tag: string): Entity${pad(i)}[] {
    return this.find((e) => e.tags.includes(tag))
  }
  total(): number {
    return this.find(() => true).reduce((sum, e) => sum + e.amount, 0)
  }
}

export function describe${pad(i)}(entity: Entity${pad(i)}, status: Status${pad(i)} = 'open'): string {
  const tags = entity.tags.map((t) => t.toUpperCase()).join(', ')
  const parent = entity.parent ? ${deps.length ? `describe${pad(deps[0])}(entity.parent)` : "''"} : 'none'
  return \`\${entity.name} [\${status}] \${tags} (\${entity.createdAt.toISOString()}) parent: \${parent}\`
}

export function summarize${pad(i)}(list: readonly Entity${pad(i)}[]): Record<Status${pad(i)}, number> {
  const out: Record<Status${pad(i)}, number> = { draft: 0, open: 0, closed: 0, archived: 0 }
  for (const e of list) out[e.amount > 100 ? 'open' : e.tags.length > 2 ? 'closed' : 'draft']++
  return out
}

export function orderData${pad(i)}(entity: Entity${pad(i)}) {
  return {
    order: { number: entity.id, date: entity.createdAt },
    customer: { name: entity.name, email: \`\${entity.id}@example.com\` as string },
    total: entity.amount,
    items: entity.tags.map((sku) => ({ sku, quantity: 1 })),
  }
}
${deps.length > 1 ? `\nexport const related${pad(i)} = (e: Entity${pad(deps[1])}) => describe${pad(deps[1])}(e)\n` : ''}`
}

function callerFile(k) {
  const a = ((2 * (k - 1)) % TEMPLATES) + 1
  const b = ((2 * (k - 1) + 1) % TEMPLATES) + 1
  const d = ((k * 37) % DOMAIN_FILES) + 1
  return `import { render${pascal(a)}, render${pascal(b)} } from '../craftkit.gen'
import { type Entity${pad(d)}, describe${pad(d)}, orderData${pad(d)}, Repo${pad(d)} } from '../domain/m${pad(d)}'

export interface Job${k} {
  entity: Entity${pad(d)}
  attempts: number
  key: string
}

/** A literal argument. */
export async function sendA${k}(job: Job${k}) {
  return render${pascal(a)}(
    {
      order: { number: job.entity.id, date: job.entity.createdAt },
      customer: { name: job.entity.name },
      total: job.entity.amount,
      items: job.entity.tags.map((sku) => ({ sku, quantity: job.attempts })),
    },
    { idempotencyKey: \`\${job.key}-a\` },
  )
}

/** A variable built in another file. */
export async function sendB${k}(job: Job${k}) {
  const data = orderData${pad(d)}(job.entity)
  return render${pascal(b)}(data, { idempotencyKey: \`\${job.key}-b\` })
}

export function plan${k}(repo: Repo${pad(d)}, tag: string): Job${k}[] {
  return repo.byTag(tag).map((entity, i) => ({ entity, attempts: i + 1, key: \`\${entity.id}-\${describe${pad(d)}(entity).length}\` }))
}
`
}

/** Writes the corpus into `dir` (emptied first); `clientPackage` is linked as the app's @galley/client. */
export function writeCorpus(dir, clientPackage) {
  rmSync(dir, { recursive: true, force: true })
  const write = (file, text) => {
    mkdirSync(dirname(join(dir, file)), { recursive: true })
    writeFileSync(join(dir, file), text)
  }
  write('galley.config.json', `${JSON.stringify({ output: 'app/src/craftkit.gen.ts', impact: { projects: ['app/tsconfig.json'] } }, null, 2)}\n`)
  for (let t = 1; t <= TEMPLATES; t++) write(`templates/${slugOf(t)}/template.yaml`, templateText(t))
  write(
    'app/tsconfig.json',
    `${JSON.stringify(
      { compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022'], types: [], strict: true, noEmit: true, skipLibCheck: true }, include: ['src'] },
      null,
      2,
    )}\n`,
  )
  for (let i = 1; i <= DOMAIN_FILES; i++) write(`app/src/domain/m${pad(i)}.ts`, domainFile(i))
  for (let k = 1; k <= CALLER_FILES; k++) write(`app/src/render/r${String(k).padStart(2, '0')}.ts`, callerFile(k))
  write('app/src/render/index.ts', Array.from({ length: CALLER_FILES }, (_, k) => `export * from './r${String(k + 1).padStart(2, '0')}'`).join('\n') + '\n')
  write(
    'app/src/main.ts',
    `import { sendA1, sendB1 } from './render/index'\nimport { Repo001 } from './domain/m001'\nimport { summarize${pad(DOMAIN_FILES)} } from './domain/m${pad(DOMAIN_FILES)}'\n\nexport async function main(): Promise<number> {\n  const repo = new Repo001()\n  const e = { id: 'x', name: 'y', createdAt: new Date(), tags: [], amount: 1 }\n  repo.add(e)\n  await sendA1({ entity: e, attempts: 1, key: 'k' })\n  await sendB1({ entity: e, attempts: 1, key: 'k' })\n  return Object.keys(summarize${pad(DOMAIN_FILES)}([])).length\n}\n`,
  )
  mkdirSync(join(dir, 'app/node_modules/@galley'), { recursive: true })
  symlinkSync(clientPackage, join(dir, 'app/node_modules/@galley/client'), 'dir')
  return DOMAIN_FILES + CALLER_FILES + 2
}
