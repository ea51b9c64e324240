import { readFile } from 'node:fs/promises'
import { isAbsolute, relative, resolve } from 'node:path'
import { GalleyError, type Diagnostic } from '@galley/core'
// @galley/codegen loads ts-morph and json-schema-to-typescript itself on first use, so importing it costs ~2 ms.
import {
  checkGenerated,
  fetchRemoteSnapshot,
  generateModule,
  parseSnapshot,
  serializeSnapshot,
  snapshotTemplates,
  writeGenerated,
  type CheckGeneratedResult,
  type FetchSnapshotResult,
  type TemplateInput,
} from '@galley/codegen'
import type { CliContext } from '../context.ts'
import { ExitCode } from '../exit-codes.ts'
import { toPosix as posix } from '../paths.ts'
import { loadProject } from '../project.ts'
import { projectOptions } from '../publish/command-support.ts'
import type { RegisterCommand } from './registry.ts'

/** Where `--from remote` records what it read, relative to the project root, unless `--snapshot` says otherwise. */
export const DEFAULT_SNAPSHOT = 'galley.snapshot.json'
/** The output when neither `--out` nor the config names one. */
export const DEFAULT_OUTPUT = 'craftkit.gen.ts'

type Source = 'local' | 'remote' | 'snapshot'

interface GenerateFlags {
  check?: boolean
  from: string
  out?: string
  pinVersions?: boolean
  preflight?: boolean
  snapshot: string
  env?: string
  cwd?: string
  config?: string
  json?: boolean
}

/** One file to write: from `--out`, or each entry of `output` in the config. */
interface OutputTarget {
  file: string
  preflight: boolean
  clientModule: string | undefined
}

interface OutputReport {
  file: string
  status: 'written' | 'unchanged' | 'up-to-date' | 'stale' | 'missing'
  summary?: string
  diff?: string
}

export const registerGenerate: RegisterCommand = (program, ctx) => {
  const command = program
    .command('generate')
    .description('write the typed render<Template>() module from the templates; --check compares without writing')
    .option('--check', 'compare with the file(s) on disk without writing; exit 1 and show what differs when stale')
    .option('--from <source>', 'manifests from: local (template sources), remote (what the target has published), snapshot (the last remote read, offline)', 'local')
    .option('--out <file>', 'write this file instead of the config\'s outputs')
    .option('--pin-versions', 'pin each render function to the version it was generated from (--from remote or snapshot)')
    .option('--preflight', 'embed manifests so that render functions can validate data locally ({ preflight: true })')
    .option('--snapshot <file>', 'the snapshot file that --from remote writes and --from snapshot reads', DEFAULT_SNAPSHOT)
    .option('--env <name>', 'the environment --from remote reads (default: CRAFTKIT_BASE_URL + CRAFTKIT_API_KEY, else the embedded emulator)')

  projectOptions(command).option('--json', 'print a JSON report on stdout').action(async (flags: GenerateFlags) => {
    ctx.exitCode = await runGenerate(flags, ctx)
  })
}

async function runGenerate(flags: GenerateFlags, ctx: CliContext): Promise<number> {
  const from = parseSource(flags.from)
  if (flags.pinVersions && from === 'local') {
    throw new GalleyError('generate-pin-local', '--pin-versions needs published versions, which local sources do not have.', {
      hint: 'Use --from remote (reads the target and writes a snapshot) or --from snapshot (reads that snapshot offline).',
    })
  }
  const cwd = resolve(ctx.io.cwd, flags.cwd ?? '.')
  const project = await loadProject({ cwd, configPath: flags.config })
  const root = project.root
  const templatesDir = posix(relative(root, resolve(root, String(project.config.templates ?? 'templates')))) || '.'
  const snapshotFile = resolve(root, flags.snapshot)

  let templates: TemplateInput[]
  let snapshotWritten: boolean | undefined
  let skipped: { slug: string; reason: string }[] = []
  if (from === 'local') {
    templates = localTemplates(project, root)
  } else if (from === 'remote') {
    // Only --from remote needs a target (which may start the embedded emulator): load it only then.
    const { resolveTarget } = await import('../target.ts')
    const target = await resolveTarget(project, { env: flags.env, io: ctx.io })
    let result: FetchSnapshotResult
    try {
      result = await fetchRemoteSnapshot(target.client, { target: target.name })
    } catch (error) {
      throw new GalleyError('generate-remote-failed', `Could not read the published templates of ${target.name}: ${(error as Error).message}`, {
        hint: `Check that the target is reachable, or build offline from the last snapshot with --from snapshot (${posix(relative(root, snapshotFile))}).`,
        cause: error,
      })
    } finally {
      await target.close()
    }
    skipped = result.skipped
    // --check writes nothing, the snapshot included.
    if (!flags.check) snapshotWritten = (await writeGenerated(snapshotFile, serializeSnapshot(result.snapshot))).written
    templates = snapshotTemplates(result.snapshot, { templatesDir, pinVersions: flags.pinVersions === true })
  } else {
    let text: string
    try {
      text = await readFile(snapshotFile, 'utf8')
    } catch (error) {
      throw new GalleyError('snapshot-missing', `There is no snapshot at ${posix(relative(root, snapshotFile))} to generate from.`, {
        hint: 'Write one with `galley generate --from remote` (and commit it to build offline), or pass --snapshot FILE.',
        cause: error,
      })
    }
    templates = snapshotTemplates(parseSnapshot(text, posix(relative(root, snapshotFile))), { templatesDir, pinVersions: flags.pinVersions === true })
  }

  const outputs = resolveOutputs(flags, project.config.output, root)
  // Generate every distinct variant first: a failure here leaves every file untouched.
  const contents = new Map<string, string>()
  for (const o of outputs) {
    const key = JSON.stringify([o.preflight, o.clientModule])
    if (!contents.has(key)) contents.set(key, await generateModule(templates, { preflight: o.preflight, clientModule: o.clientModule }))
  }
  const reports: OutputReport[] = []
  for (const o of outputs) {
    const content = contents.get(JSON.stringify([o.preflight, o.clientModule]))!
    const shown = posix(relative(root, o.file))
    if (flags.check) {
      const result: CheckGeneratedResult = await checkGenerated(o.file, content)
      reports.push({
        file: shown,
        status: result.upToDate ? 'up-to-date' : result.reason === 'missing' ? 'missing' : 'stale',
        ...(result.summary === undefined ? {} : { summary: result.summary }),
        ...(result.diff === undefined ? {} : { diff: result.diff.replaceAll(o.file, shown) }),
      })
    } else {
      const result = await writeGenerated(o.file, content)
      reports.push({ file: shown, status: result.written ? 'written' : 'unchanged' })
    }
  }

  const stale = reports.filter((r) => r.status === 'stale' || r.status === 'missing')
  if (flags.json) {
    const report = {
      from,
      templates: templates.length,
      outputs: reports,
      ...(from === 'remote' ? { snapshot: { file: posix(relative(root, snapshotFile)), written: snapshotWritten ?? false } } : {}),
      ...(skipped.length > 0 ? { skipped } : {}),
      ok: stale.length === 0,
    }
    ctx.out(JSON.stringify(report, null, 2))
  } else {
    printReport(ctx, { from, count: templates.length, reports, skipped, snapshot: from === 'remote' && !flags.check ? { file: posix(relative(root, snapshotFile)), written: snapshotWritten ?? false } : undefined })
  }
  return stale.length > 0 ? ExitCode.Error : ExitCode.Ok
}

function printReport(
  ctx: CliContext,
  r: { from: Source; count: number; reports: OutputReport[]; skipped: { slug: string; reason: string }[]; snapshot: { file: string; written: boolean } | undefined },
): void {
  const { c } = ctx
  const templates = `${r.count} template${r.count === 1 ? '' : 's'}`
  for (const s of r.skipped) ctx.error(`${c.yellow('warning')} skipped ${s.slug}: ${s.reason}`)
  if (r.snapshot) ctx.out(`${r.snapshot.written ? 'wrote' : 'unchanged'} ${r.snapshot.file} (snapshot of the published templates)`)
  for (const report of r.reports) {
    switch (report.status) {
      case 'written':
        ctx.out(`${c.green('wrote')} ${report.file} (${templates} from ${r.from})`)
        break
      case 'unchanged':
        ctx.out(`${c.dim('unchanged')} ${report.file} (${templates} from ${r.from})`)
        break
      case 'up-to-date':
        ctx.out(`${c.green('up to date')} ${report.file} (${templates} from ${r.from})`)
        break
      case 'missing':
        ctx.error(`${c.red('missing')} ${report.file}: it has not been generated yet`)
        break
      case 'stale':
        ctx.error(`${c.red('stale')} ${report.file}: ${report.summary}`)
        if (report.diff) ctx.error(colorDiff(ctx, report.diff))
        break
    }
  }
  if (r.reports.some((x) => x.status === 'stale' || x.status === 'missing')) {
    ctx.error(`hint: run \`galley generate${r.from === 'local' ? '' : ` --from ${r.from}`}\` and commit the result.`)
  }
}

function colorDiff(ctx: CliContext, diff: string): string {
  const { c } = ctx
  return diff
    .split('\n')
    .map((l) => (l.startsWith('+') && !l.startsWith('+++') ? c.green(l) : l.startsWith('-') && !l.startsWith('---') ? c.red(l) : l.startsWith('@@') ? c.cyan(l) : l))
    .join('\n')
}

function parseSource(value: string): Source {
  if (value === 'local' || value === 'remote' || value === 'snapshot') return value
  throw new GalleyError('generate-invalid-from', `--from ${JSON.stringify(value)} is not a source.`, { hint: 'Use --from local, --from remote or --from snapshot.' })
}

/** The outputs: `--out`, else the config's `output` (a path, or a list of paths or `{ path, preflight?, clientModule? }`). */
function resolveOutputs(flags: GenerateFlags, configured: unknown, root: string): OutputTarget[] {
  const preflight = flags.preflight === true
  if (flags.out) return [{ file: resolve(root, flags.out), preflight, clientModule: undefined }]
  const entries = configured === undefined || configured === null ? [DEFAULT_OUTPUT] : Array.isArray(configured) ? configured : [configured]
  const outputs = entries.map((entry, i): OutputTarget => {
    if (typeof entry === 'string') return { file: resolve(root, entry), preflight, clientModule: undefined }
    if (entry && typeof entry === 'object') {
      const o = entry as { path?: unknown; file?: unknown; preflight?: unknown; clientModule?: unknown }
      const path = typeof o.path === 'string' ? o.path : typeof o.file === 'string' ? o.file : null
      if (path !== null) {
        return {
          file: isAbsolute(path) ? path : resolve(root, path),
          preflight: preflight || o.preflight === true,
          clientModule: typeof o.clientModule === 'string' ? o.clientModule : undefined,
        }
      }
    }
    throw new GalleyError('config-invalid-output', `output[${i}] in the config is neither a path nor { path }.`, {
      hint: "Set output to 'src/craftkit.gen.ts', or to a list such as ['src/craftkit.gen.ts', { path: 'api/craftkit.gen.ts', preflight: true }].",
    })
  })
  const seen = new Set<string>()
  for (const o of outputs) {
    if (seen.has(o.file)) throw new GalleyError('config-invalid-output', `The output ${posix(relative(root, o.file))} is listed twice in the config.`)
    seen.add(o.file)
  }
  return outputs
}

/** Local sources as generator input; any error in a source stops generation (its types would be wrong). */
function localTemplates(project: Awaited<ReturnType<typeof loadProject>>, root: string): TemplateInput[] {
  const errors: Diagnostic[] = []
  const templates: TemplateInput[] = []
  for (const source of project.sources) {
    const own = source.diagnostics.filter((d) => d.severity === 'error')
    errors.push(...own)
    if (own.length > 0 || !source.template) continue
    templates.push({
      slug: source.template.slug,
      name: source.template.name,
      description: source.template.description ?? null,
      manifest: source.template.manifest,
      sourcePath: posix(isAbsolute(source.file) ? relative(root, source.file) : source.file),
    })
  }
  if (errors.length > 0) {
    throw new GalleyError('generate-source-errors', `${errors.length} error${errors.length === 1 ? '' : 's'} in the template sources; nothing was generated.`, {
      diagnostics: errors,
      hint: 'Fix them (`galley lint` shows each with its code frame), then generate again.',
    })
  }
  return templates
}
