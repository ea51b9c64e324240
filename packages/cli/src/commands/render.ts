import { readFileSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { GalleyError } from '@galley/core'
import type { CliContext } from '../context.ts'
import { ExitCode } from '../exit-codes.ts'
import { toPosix } from '../paths.ts'
import type { Project } from '../project.ts'
import { renderErrorMessage, renderPdf } from '../engine/render-pdf.ts'
import { loadProjectFor, parsePositiveInt, targetOptions, withTarget, type ProjectOptions } from '../publish/command-support.ts'
import { mapPool } from '../publish/pool.ts'
import type { RegisterCommand } from './registry.ts'

interface RenderOptions extends ProjectOptions {
  fixture?: string
  data?: string
  out?: string
  idempotencyKey?: string
  json?: boolean
  all?: boolean
  timeout: number
  concurrency: number
}

interface RenderJob {
  slug: string
  /** The fixture name, or undefined for --data. */
  fixture?: string
  data: unknown
  /** Absolute output path. */
  out: string
}

interface RenderResult {
  slug: string
  fixture: string | null
  file: string
  renderId?: string
  status: 'succeeded' | 'failed'
  bytes?: number
  ms: number
  error?: string
}

/** `galley render`: one render (or every fixture) through the client; waits, downloads the PDF. */
export const registerRender: RegisterCommand = (program, ctx) => {
  targetOptions(
    program
      .command('render')
      .description('render a template through the API, wait for it, and download the PDF (default out/<slug>/<fixture>.pdf)')
      .argument('[slug]', 'the template (omit with --all)')
      .option('--fixture <name>', 'render templates/<slug>/fixtures/<name>.json (default: every fixture of the template)')
      .option('--data <file>', 'render the data object in this JSON file (written to out/<slug>.pdf)')
      .option('-o, --out <file>', 'where to write the PDF (one render only)')
      .option('--idempotency-key <key>', 'Idempotency-Key of the render (one render only): a repeat returns the same render')
      .option('--all', 'render every fixture of every template to out/<slug>/<fixture>.pdf')
      .option('--timeout <ms>', 'how long to wait for each render', parsePositiveIntMs, 60_000)
      .option('--concurrency <n>', 'renders in flight at once', parsePositiveInt('--concurrency'), 4)
      .option('--json', 'print the results as JSON'),
  ).action(async (slug: string | undefined, opts: RenderOptions) => {
    const project = await loadProjectFor(opts, ctx)
    const jobs = planJobs(project, slug, opts, ctx)
    const results = await withTarget(project, opts, ctx, async (target) =>
      mapPool(jobs, opts.concurrency, async (job): Promise<RenderResult> => {
        const started = Date.now()
        const file = toPosix(relative(ctx.io.cwd, job.out)) || job.out
        const base = { slug: job.slug, fixture: job.fixture ?? null, file }
        let renderId: string | undefined
        try {
          const { pdf, ms } = await renderPdf(target.client, {
            slug: job.slug,
            data: job.data,
            out: job.out,
            timeoutMs: opts.timeout,
            ...(opts.idempotencyKey ? { idempotencyKey: opts.idempotencyKey } : {}),
            onCreated: (id) => (renderId = id),
          })
          const result: RenderResult = { ...base, ...(renderId ? { renderId } : {}), status: 'succeeded', bytes: pdf.byteLength, ms }
          if (!opts.json) ctx.out(`  ${ctx.c.green('rendered')} ${label(job)} -> ${file} (${pdf.byteLength} bytes, ${result.ms} ms)`)
          return result
        } catch (error) {
          const message = renderErrorMessage(error, target)
          if (!opts.json) ctx.error(`  ${ctx.c.red('failed  ')} ${label(job)}: ${message}`)
          return { ...base, ...(renderId ? { renderId } : {}), status: 'failed', ms: Date.now() - started, error: message }
        }
      }),
    )
    const failed = results.filter((r) => r.status === 'failed').length
    if (opts.json) ctx.io.stdout.write(`${JSON.stringify({ formatVersion: 1, results }, null, 2)}\n`)
    else ctx.out(`Rendered ${results.length - failed} of ${results.length} PDF${results.length === 1 ? '' : 's'}${failed ? `, ${failed} failed` : ''}.`)
    ctx.exitCode = failed > 0 ? ExitCode.Error : ExitCode.Ok
  })
}

function label(job: RenderJob): string {
  return job.fixture ? `${job.slug}/${job.fixture}` : job.slug
}

function planJobs(project: Project, slug: string | undefined, opts: RenderOptions, ctx: CliContext): RenderJob[] {
  const outDir = resolve(project.root, 'out')
  if (opts.all) {
    if (slug || opts.fixture || opts.data || opts.out || opts.idempotencyKey) {
      throw new GalleyError('invalid_option', '--all renders every fixture of every template; it takes no slug, --fixture, --data, -o or --idempotency-key.')
    }
    const jobs = project.sources.flatMap((s) => s.fixtures.map((f) => ({ slug: s.slug, fixture: f.name, data: f.data, out: resolve(outDir, s.slug, `${f.name}.pdf`) })))
    if (jobs.length === 0) throw new GalleyError('no_fixtures', 'No template has fixtures to render.', { hint: 'Add templates/<slug>/fixtures/<name>.json files.' })
    return jobs
  }
  if (!slug) throw new GalleyError('missing_slug', 'Name the template to render: `galley render <slug>`, or use --all.')
  if (opts.fixture && opts.data) throw new GalleyError('invalid_option', 'Use either --fixture or --data, not both.')
  const source = project.sources.find((s) => s.slug === slug)
  if (opts.data) {
    const file = resolve(ctx.io.cwd, opts.data)
    let data: unknown
    try {
      data = JSON.parse(readFileSync(file, 'utf8'))
    } catch (error) {
      throw new GalleyError('invalid_data_file', `Cannot read --data ${opts.data}: ${(error as Error).message}`, { hint: 'Pass a JSON file holding the data object.' })
    }
    return [{ slug, data, out: opts.out ? resolve(ctx.io.cwd, opts.out) : resolve(outDir, `${slug}.pdf`) }]
  }
  if (!source) {
    throw new GalleyError('unknown_template', `No source for "${slug}", so there are no fixtures to render.`, {
      hint: `Pass --data FILE to render a template that is only on the target. Sources: ${project.sources.map((s) => s.slug).join(', ') || '(none)'}.`,
    })
  }
  const fixtures = opts.fixture ? source.fixtures.filter((f) => f.name === opts.fixture) : source.fixtures
  if (opts.fixture && fixtures.length === 0) {
    throw new GalleyError('unknown_fixture', `${slug} has no fixture "${opts.fixture}".`, {
      hint: `Fixtures: ${source.fixtures.map((f) => f.name).join(', ') || '(none)'}.`,
    })
  }
  if (fixtures.length === 0) throw new GalleyError('no_fixtures', `${slug} has no fixtures.`, { hint: 'Pass --data FILE, or add a fixture.' })
  if (fixtures.length > 1 && (opts.out || opts.idempotencyKey)) {
    throw new GalleyError('invalid_option', `-o and --idempotency-key apply to one render, and ${slug} has ${fixtures.length} fixtures.`, { hint: 'Pick one with --fixture NAME.' })
  }
  return fixtures.map((f) => ({ slug, fixture: f.name, data: f.data, out: opts.out ? resolve(ctx.io.cwd, opts.out) : resolve(outDir, slug, `${f.name}.pdf`) }))
}

function parsePositiveIntMs(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new GalleyError('invalid_option', `--timeout must be a positive number of milliseconds (got "${value}").`)
  return n
}
