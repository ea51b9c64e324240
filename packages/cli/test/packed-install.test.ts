/**
 * The published packages work outside this workspace: `pnpm pack` each of them (after `pnpm build`: turbo's test
 * task depends on build), `npm install` the tarballs into a fresh project under os.tmpdir() (no pnpm, no
 * workspace links, npm's hoisting), then a newcomer's path through the installed `galley` bin: init, lint,
 * publish, generate, a strict type-check of an app calling the generated `renderSiteInspection()`, and a run of
 * that app against `galley emulator` that gets a PDF back.
 *
 * Slow on purpose: `npm install` of the tarballs and their dependencies (ts-morph, PGlite, pdfkit, …) takes ~20 s
 * with a warm npm cache and minutes with a cold one, so the install hook gets 10 minutes. The tests of this file
 * run in order and share the installed project (installing once per test would multiply that cost).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot } from './publish-utils.ts'

const PACKAGES = ['core', 'client', 'codegen', 'emulator', 'cli', 'unplugin'] as const
const INSTALL_TIMEOUT_MS = 600_000

interface Run {
  code: number
  stdout: string
  stderr: string
}

/** The environment of the child processes: none of pnpm's npm_* settings, no Craftkit target, no colours. */
function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(npm_|pnpm_|CRAFTKIT_|GITHUB_|FORCE_COLOR$|NODE_OPTIONS$|VITEST|TURBO_)/i.test(k)) continue
    env[k] = v
  }
  return { ...env, NO_COLOR: '1', CI: 'true', ...extra }
}

function run(cmd: string, args: string[], cwd: string, extra: Record<string, string> = {}, timeout = 300_000): Promise<Run> {
  return new Promise((resolveRun) => {
    execFile(cmd, args, { cwd, env: childEnv(extra), timeout, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
      resolveRun({ code, stdout, stderr })
    })
  })
}

const show = (r: Run) => `exit ${r.code}\n${r.stdout}\n${r.stderr}`

let tmp: string
let packs: string
let app: string
const tarballs: Record<string, string> = {}
let emulator: ChildProcess | undefined

/** `npx --no galley …`: the installed bin, never one fetched from the registry. */
const npxGalley = (args: string[], extra?: Record<string, string>) => run('npx', ['--no', '--', 'galley', ...args], app, extra)

/** Waits for a package's dist (another build may be rewriting it just now: tsdown cleans dist first). */
async function waitForDist(pkg: string): Promise<void> {
  const entry = join(repoRoot, 'packages', pkg, 'dist', 'index.mjs')
  for (let i = 0; i < 60 && !existsSync(entry); i++) await new Promise((r) => setTimeout(r, 1000))
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`pnpm build\` first`)
}

beforeAll(async () => {
  tmp = realpathSync(mkdtempSync(join(tmpdir(), 'galley-packed-')))
  packs = join(tmp, 'packs')
  app = join(tmp, 'app')
  mkdirSync(packs)
  mkdirSync(app)
  for (const pkg of PACKAGES) {
    await waitForDist(pkg)
    const r = await run('pnpm', ['pack', '--pack-destination', packs], join(repoRoot, 'packages', pkg))
    expect(r.code, show(r)).toBe(0)
    const file = readdirSync(packs).find((f) => f.startsWith(`galley-${pkg}-`) && f.endsWith('.tgz'))
    expect(file, `the tarball of @galley/${pkg}`).toBeDefined()
    tarballs[pkg] = join(packs, file!)
  }
  let r = await run('npm', ['init', '-y'], app)
  expect(r.code, show(r)).toBe(0)
  r = await run('npm', ['pkg', 'set', 'type=module'], app)
  expect(r.code, show(r)).toBe(0)
  r = await run(
    'npm',
    ['install', ...PACKAGES.map((p) => tarballs[p]!), 'typescript@6.0.3', '@types/node@20', '--prefer-offline', '--no-audit', '--no-fund'],
    app,
    {},
    INSTALL_TIMEOUT_MS,
  )
  expect(r.code, show(r)).toBe(0)
}, INSTALL_TIMEOUT_MS + 120_000)

afterAll(async () => {
  if (emulator && emulator.exitCode === null && emulator.signalCode === null) {
    const exited = new Promise((r) => emulator!.once('exit', r))
    emulator.kill('SIGTERM') // its own pid: node running the installed bin, no npx/sh in between
    const timer = setTimeout(() => emulator!.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true })
}, 60_000)

/** The installed package.json of @galley/<pkg>. */
function installed(pkg: string): { dir: string; json: Record<string, any> } {
  const dir = join(app, 'node_modules', '@galley', pkg)
  return { dir, json: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }
}

/** Every file an `exports` map points at (conditions flattened). */
function exportTargets(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports]
  if (exports && typeof exports === 'object') return Object.values(exports).flatMap(exportTargets)
  return []
}

describe('the packed packages, installed with npm outside the workspace', { timeout: 600_000 }, () => {
  it('have no workspace: ranges, and every exports/types/bin/main path exists in the tarball', () => {
    for (const pkg of PACKAGES) {
      const { dir, json } = installed(pkg)
      expect(json.name).toBe(`@galley/${pkg}`)
      expect(JSON.stringify(json), `@galley/${pkg}`).not.toContain('workspace:')
      const paths = [...exportTargets(json.exports), ...Object.values(json.bin ?? {}), json.main, json.types].filter((p): p is string => typeof p === 'string')
      expect(paths.length).toBeGreaterThan(0)
      for (const p of paths) expect(existsSync(join(dir, p)), `@galley/${pkg}: ${p}`).toBe(true)
      // Each entry has its types next to it.
      for (const [sub, target] of Object.entries(json.exports as Record<string, unknown>)) {
        if (typeof target === 'object' && target && 'import' in target) expect((target as { types?: string }).types, `@galley/${pkg} ${sub} types`).toBeDefined()
      }
      // Declared dependencies of ours point at the packed versions.
      for (const [dep, range] of Object.entries({ ...json.dependencies, ...json.peerDependencies } as Record<string, string>)) {
        if (dep.startsWith('@galley/')) expect(range, `${pkg} -> ${dep}`).toMatch(/^\^?0\.1\.0$/)
      }
    }
    expect(existsSync(join(app, 'node_modules', '.bin', 'galley'))).toBe(true)
    expect(existsSync(join(installed('core').dir, 'template.schema.json'))).toBe(true)
    expect(existsSync(join(installed('cli').dir, 'assets', 'preview', 'index.html'))).toBe(true)
    expect(existsSync(join(installed('cli').dir, 'plan.schema.json'))).toBe(true)
  })

  it('import from every exported entry at run time, and import only what they declare', async () => {
    const specifiers = PACKAGES.flatMap((pkg) =>
      Object.keys(installed(pkg).json.exports as Record<string, unknown>).map((sub) => `@galley/${pkg}${sub === '.' ? '' : sub.slice(1)}`),
    )
    const script = [
      'const out = {}',
      `for (const s of ${JSON.stringify(specifiers)}) {`,
      "  if (s.endsWith('.json')) { out[s] = (await import('node:fs')).existsSync(new URL(import.meta.resolve(s))) ? 'file' : 'missing'; continue }",
      '  out[s] = Object.keys(await import(s)).length',
      '}',
      'console.log(JSON.stringify(out))',
    ].join('\n')
    writeFileSync(join(app, 'import-all.mjs'), script)
    const r = await run(process.execPath, ['import-all.mjs'], app)
    expect(r.code, show(r)).toBe(0)
    const loaded = JSON.parse(r.stdout) as Record<string, number | string>
    expect(Object.keys(loaded).sort()).toEqual([...specifiers].sort())
    for (const [s, v] of Object.entries(loaded)) expect(v === 'file' || (typeof v === 'number' && v > 0), `${s}: ${v}`).toBe(true)

    // npm hoists everything to the top of node_modules, so an undeclared import would still resolve here and then
    // break under pnpm or Yarn PnP: check each package's built code against its own dependencies.
    const importPattern = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|^import\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|require(?:\.resolve)?\(\s*[`"']([^`"'$]+)|import\.meta\.resolve\(\s*["']([^"']+)["']/gm
    for (const pkg of PACKAGES) {
      const { dir, json } = installed(pkg)
      const declared = new Set([json.name, ...Object.keys(json.dependencies ?? {}), ...Object.keys(json.peerDependencies ?? {})])
      const files = readdirSync(join(dir, 'dist'))
        .filter((f) => f.endsWith('.mjs'))
        .map((f) => join(dir, 'dist', f))
      for (const bin of Object.values(json.bin ?? {}) as string[]) files.push(join(dir, bin))
      for (const file of files) {
        for (const m of readFileSync(file, 'utf8').matchAll(importPattern)) {
          const spec = m.slice(1).find((s) => s !== undefined)!
          if (spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0]!)) continue
          const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!
          expect(declared.has(name), `@galley/${pkg} ${relative(dir, file)} imports ${spec}, which its package.json does not declare`).toBe(true)
        }
      }
    }
  })

  it('npx galley init, lint, publish, generate; the generated module type-checks under strict in an app', async () => {
    const init = await npxGalley(['init', '--yes'])
    expect(init.code, show(init)).toBe(0)
    const template = join(app, 'templates', 'site-inspection', 'template.yaml')
    const schemaRef = /\$schema=(\S+)/.exec(readFileSync(template, 'utf8'))![1]!
    expect(existsSync(resolve(dirname(template), schemaRef)), `the template's $schema ${schemaRef}`).toBe(true)
    expect(JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')).scripts).toMatchObject({ 'templates:lint': 'galley lint' })

    const lint = await npxGalley(['lint'])
    expect(lint.code, show(lint)).toBe(0)
    expect(lint.stdout).toContain('1 template, 1 fixture: no problems')
    const publish = await npxGalley(['publish']) // the embedded emulator: no key, nothing running
    expect(publish.code, show(publish)).toBe(0)
    expect(publish.stdout).toMatch(/Published: 1 created, 0 updated, 0 deleted, 0 unchanged \(1 write\)/)
    const render = await npxGalley(['render', '--all']) // the third step init suggests
    expect(render.code, show(render)).toBe(0)
    expect(readFileSync(join(app, 'out', 'site-inspection', 'sample.pdf')).subarray(0, 5).toString('latin1')).toBe('%PDF-')
    const generate = await npxGalley(['generate'])
    expect(generate.code, show(generate)).toBe(0)
    expect(readFileSync(join(app, 'craftkit.gen.ts'), 'utf8')).toContain('export function renderSiteInspection(data: SiteInspectionData')

    writeFileSync(
      join(app, 'app.ts'),
      [
        "import { writeFileSync } from 'node:fs'",
        "import { CraftkitError } from '@galley/client'",
        "import { renderSiteInspection, type SiteInspectionData } from './craftkit.gen.js'",
        '',
        'const data: SiteInspectionData = {',
        "  site: { name: 'North Pier' },",
        "  inspection: { date: '2026-06-04' },",
        "  inspector: { name: 'Jane Doe' },",
        "  areas: [{ area: 'Deck', condition: 'good' }, { area: 'Railings', condition: 'worn', notes: 'Repaint before the season.' }],",
        '}',
        'try {',
        "  const queued = await renderSiteInspection(data, { idempotencyKey: 'packed-install-north-pier' })",
        '  const done = await queued.wait()',
        '  const pdf: Uint8Array = await queued.download()',
        "  writeFileSync('out.pdf', pdf)",
        '  console.log(`render ${done.id} ${done.status} ${pdf.byteLength} bytes`)',
        '} catch (error) {',
        '  if (error instanceof CraftkitError) console.error(`render failed: ${error.code}`)',
        '  throw error',
        '}',
        '',
      ].join('\n'),
    )
    // A misspelt key must not type-check (the types are real, not `any`).
    writeFileSync(
      join(app, 'typo.ts'),
      "import { renderSiteInspection } from './craftkit.gen.js'\nawait renderSiteInspection({ site: { nmae: 'x' }, inspection: { date: '2026-06-04' }, inspector: { name: 'J' } })\n",
    )
    const tsconfig = (include: string[]) => ({
      compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, types: ['node'], outDir: 'build', skipLibCheck: false },
      include,
    })
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(tsconfig(['app.ts', 'craftkit.gen.ts', 'galley.config.ts']), null, 2))
    writeFileSync(join(app, 'tsconfig.typo.json'), JSON.stringify(tsconfig(['typo.ts']), null, 2))

    const check = await run('npx', ['--no', '--', 'tsc', '--noEmit', '--strict', '-p', '.'], app)
    expect(check.code, show(check)).toBe(0)
    const typo = await run('npx', ['--no', '--', 'tsc', '--noEmit', '--strict', '-p', 'tsconfig.typo.json'], app)
    expect(typo.code).not.toBe(0)
    expect(typo.stdout).toMatch(/typo\.ts\(2,\d+\): error TS2353: Object literal may only specify known properties, and 'nmae' does not exist/)
    // Every exported entry has types that resolve (a missing .d.mts would be TS7016 here). Errors inside
    // third-party declarations (PGlite's Emscripten globals, unplugin's optional bundler peers) are theirs: with
    // skipLibCheck off they would show up in any project, so only errors in our files or our packages count.
    const entries = PACKAGES.flatMap((pkg) =>
      Object.keys(installed(pkg).json.exports as Record<string, unknown>)
        .filter((sub) => !sub.endsWith('.json'))
        .map((sub) => `@galley/${pkg}${sub === '.' ? '' : sub.slice(1)}`),
    )
    writeFileSync(join(app, 'entries.ts'), `${entries.map((e, i) => `import * as m${i} from '${e}'`).join('\n')}\nexport const all = [${entries.map((_, i) => `m${i}`).join(', ')}]\n`)
    writeFileSync(join(app, 'tsconfig.entries.json'), JSON.stringify(tsconfig(['entries.ts']), null, 2))
    const types = await run('npx', ['--no', '--', 'tsc', '--noEmit', '-p', 'tsconfig.entries.json'], app)
    const ours = types.stdout.split('\n').filter((l) => /^(entries\.ts|node_modules\/@galley\/)/.test(l))
    expect(ours, types.stdout).toEqual([])
    // Node 20 cannot strip types: compile app.ts (and the module) to build/.
    const emit = await run('npx', ['--no', '--', 'tsc', '-p', '.'], app)
    expect(emit.code, show(emit)).toBe(0)
    expect(existsSync(join(app, 'build', 'app.js'))).toBe(true)
  })

  it('galley emulator serves the app: publish to it with CRAFTKIT_*, and the compiled app renders a PDF', async () => {
    // The installed bin run by node itself (not through npx, which adds npm and sh processes in between), so that
    // the pid we stop is the emulator's. --dotenv and not --env-file: Node 20 takes --env-file as its own flag.
    const child = spawn(process.execPath, [join(app, 'node_modules', '.bin', 'galley'), 'emulator', '--port', '0', '--dotenv', '.env', '--data', '.galley/served'], {
      cwd: app,
      env: childEnv(),
    })
    emulator = child
    let out = ''
    let err = ''
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()))
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()))
    await new Promise<void>((ready, fail) => {
      const check = () => {
        if (/listening on http:\/\/\S+/.test(out) && out.includes('Ctrl+C')) ready()
      }
      child.stdout!.on('data', check)
      child.once('exit', (code) => fail(new Error(`galley emulator exited with ${code}: ${out}${err}`)))
    })
    const dotenv = Object.fromEntries(
      readFileSync(join(app, '.env'), 'utf8')
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    ) as Record<string, string>
    expect(Object.keys(dotenv).sort()).toEqual(['CRAFTKIT_API_KEY', 'CRAFTKIT_BASE_URL'])
    expect(dotenv.CRAFTKIT_API_KEY).toBe(readFileSync(join(app, '.galley', 'served', 'api-key'), 'utf8').trim())
    expect(statSync(join(app, '.env')).mode & 0o777).toBe(0o600)

    const publish = await npxGalley(['publish'], dotenv)
    expect(publish.code, show(publish)).toBe(0)
    expect(publish.stdout).toContain(`Publishing to CRAFTKIT_BASE_URL (${dotenv.CRAFTKIT_BASE_URL})`)
    expect(publish.stdout).toMatch(/created site-inspection v1/)
    expect(publish.stdout + publish.stderr).not.toContain(dotenv.CRAFTKIT_API_KEY)

    const rendered = await run(process.execPath, ['build/app.js'], app, dotenv)
    expect(rendered.code, show(rendered)).toBe(0)
    expect(rendered.stdout).toMatch(/^render \S+ succeeded \d+ bytes$/m)
    const pdf = readFileSync(join(app, 'out.pdf'))
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    expect(pdf.byteLength).toBeGreaterThan(5_000)
  })
})
