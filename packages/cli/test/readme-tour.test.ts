import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { repoRoot } from './publish-utils.ts'

// The README cannot rot (issue 9): its Get-started commands and its five-minute tour are taken from its own code
// blocks and run verbatim, line by line, in a fresh clone of this repository in a temp folder, as a newcomer
// would. It ends with PDFs under out/ and a renderCharterHandover call that type-checks.
//
// Slow by nature (a clean install and build in the clone, ~1-3 minutes on two cores): one test, generous timeout.
// `pnpm test` in the Get-started block is the one line not run here: it is this suite, and CI runs it.

const dir = mkdtempSync(join(tmpdir(), 'galley-readme-'))
const clone = join(dir, 'galley')
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Block {
  lang: string
  title: string | undefined
  code: string
}

/** The fenced code blocks of one `## section` of a markdown text. */
function blocks(markdown: string, section: string): Block[] {
  const start = markdown.indexOf(`\n## ${section}\n`)
  if (start < 0) throw new Error(`README.md has no "## ${section}" section`)
  const end = markdown.indexOf('\n## ', start + 1)
  const body = markdown.slice(start, end < 0 ? undefined : end)
  return [...body.matchAll(/^```(\w+)(?: title="([^"]+)")?\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, title: m[2], code: m[3]! }))
}

/** The commands of a sh block: one per line, comments and blank lines dropped. */
function commands(block: Block): string[] {
  return block.code
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
}

/** The environment of a newcomer's shell: none of this run's CRAFTKIT_*, npm or turbo variables. */
function newcomerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('CRAFTKIT_') || k.startsWith('npm_') || k.startsWith('TURBO_') || k.startsWith('VITEST') || k === 'NODE_OPTIONS') continue
    env[k] = v
  }
  return { ...env, TURBO_TELEMETRY_DISABLED: '1', NO_COLOR: '1' }
}

function sh(command: string, cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', command], { cwd, env: newcomerEnv(), maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` })
    })
  })
}

async function run(command: string): Promise<string> {
  const r = await sh(command, clone)
  expect(r.code, `\`${command}\` exited ${r.code}:\n${r.output.slice(-4000)}`).toBe(0)
  return r.output
}

describe('the README, run verbatim in a fresh clone', () => {
  it('gets started, then tours to PDFs under out/ and a type-checked renderCharterHandover call', async () => {
    const cloned = await sh(`git clone --quiet --no-hardlinks ${JSON.stringify(repoRoot)} ${JSON.stringify(clone)}`, dir)
    expect(cloned.code, cloned.output).toBe(0)
    const readme = readFileSync(join(clone, 'README.md'), 'utf8')

    const getStarted = blocks(readme, 'Get started').filter((b) => b.lang === 'sh')
    expect(getStarted).toHaveLength(1)
    const setup = commands(getStarted[0]!)
    expect(setup).toEqual(['corepack enable && pnpm install && pnpm run pipeline', 'pnpm test'])
    const pipeline = await run(setup[0]!)
    expect(pipeline).toMatch(/Rendered (\d+) of \1 PDFs\./)

    const tour = blocks(readme, 'Five-minute tour')
    expect(tour.map((b) => b.lang)).toEqual(['sh', 'sh', 'ts', 'sh'])
    for (const block of tour) {
      if (block.lang === 'ts') {
        expect(block.title, 'the ts block names its file with title="…"').toBeDefined()
        writeFileSync(join(clone, block.title!), block.code)
      } else {
        for (const command of commands(block)) await run(command)
      }
    }

    // Where it ends: the PDFs, the generated module, and the call that type-checks.
    const pdfs = readdirSync(join(clone, 'out'), { recursive: true }).filter((f) => String(f).endsWith('.pdf'))
    expect(pdfs.length).toBeGreaterThanOrEqual(8)
    expect(readFileSync(join(clone, 'out/charter-handover/checkout.pdf')).subarray(0, 5).toString()).toBe('%PDF-')
    expect(existsSync(join(clone, 'craftkit.gen.ts'))).toBe(true)
    const typecheck = commands(tour.at(-1)!)[0]!
    expect(typecheck).toContain('tsc --noEmit --strict')

    // The type check is real: the same call with a misspelt key fails it.
    const file = join(clone, tour.find((b) => b.lang === 'ts')!.title!)
    writeFileSync(file, readFileSync(file, 'utf8').replace("signedBy: 'Jane Doe'", "signedby: 'Jane Doe'"))
    const broken = await sh(typecheck, clone)
    expect(broken.code).not.toBe(0)
    expect(broken.output).toMatch(/signedby/)
  }, 900_000)
})
