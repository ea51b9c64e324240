import { relative, resolve } from 'node:path'
import { GalleyError, type Diagnostic, type TemplateSource } from '@galley/core'
// @galley/codegen loads ts-morph and json-schema-to-typescript itself on first use, so importing it costs ~2 ms.
import { fetchRemoteSnapshot, serializeSnapshot, snapshotTemplates, writeGenerated, type FetchSnapshotResult, type TemplateInput } from '@galley/codegen'
import type { CliContext } from '../context.ts'
import { DEFAULT_SNAPSHOT, GenerateSession, type SessionRun } from '../engine/session.ts'
import { changedTemplates, watchTemplates } from '../engine/watch.ts'
import { writeOutputs, type OutputReport } from '../engine/write-outputs.ts'
import { ExitCode } from '../exit-codes.ts'
import { toPosix as posix } from '../paths.ts'
import { projectOptions } from '../publish/command-support.ts'
import { prettyDiagnostics } from '../report/index.ts'
import type { RegisterCommand } from './registry.ts'

type Source = 'local' | 'remote' | 'snapshot'

interface GenerateFlags {
  check?: boolean
  watch?: boolean
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


export const registerGenerate: RegisterCommand = (program, ctx) => {
  const command = program
    .command('generate')
    .description('write the typed render<Template>() module from the templates; --check compares without writing')
    .option('--check', 'compare with the file(s) on disk without writing; exit 1 and show what differs when stale')
    .option('--watch', 'generate, then regenerate on every change to the templates (new, changed, deleted) until Ctrl+C')
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
  if (flags.watch && (flags.check || from === 'remote')) {
    throw new GalleyError('invalid_option', `--watch regenerates from the local sources or a snapshot; it does not combine with ${flags.check ? '--check' : '--from remote'}.`)
  }
  const cwd = resolve(ctx.io.cwd, flags.cwd ?? '.')
  const session = await GenerateSession.create({
    cwd,
    config: flags.config,
    out: flags.out,
    preflight: flags.preflight === true,
    from: from === 'remote' ? 'snapshot' : from,
    snapshot: flags.snapshot,
    pinVersions: flags.pinVersions === true,
  })
  if (flags.watch) return watchAndGenerate(session, ctx, flags.json === true)
  const root = session.root
  const snapshotFile = resolve(root, flags.snapshot)

  let templates: TemplateInput[]
  let snapshotWritten: boolean | undefined
  let skipped: { slug: string; reason: string }[] = []
  const project = await session.loadProject()
  if (from === 'remote') {
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
    const templatesDir = posix(relative(root, session.templatesDir)) || '.'
    templates = snapshotTemplates(result.snapshot, { templatesDir, pinVersions: flags.pinVersions === true })
  } else {
    if (from === 'local') throwOnSourceErrors(project.sources)
    templates = await session.templateInputs(project)
  }

  const reports = await writeOutputs(templates, session.outputs, { check: flags.check === true, cacheOwner: session })
  const stale = reports.filter((r) => r.status === 'stale' || r.status === 'missing')
  if (flags.json) {
    const report = {
      from,
      templates: templates.length,
      outputs: reports.map(({ file: _file, shown, ...r }) => ({ file: shown, ...r })),
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

/**
 * `generate --watch`: one run now, then one per change (the plugin's watcher and engine, no bundler), like
 * TanStack's `tsr watch`. A bad edit is printed and the watch goes on; it ends on SIGINT/SIGTERM.
 */
async function watchAndGenerate(session: GenerateSession, ctx: CliContext, json: boolean): Promise<number> {
  const { c } = ctx
  const report = (run: SessionRun, trigger: string) => {
    const ms = `${Math.round(run.timings.total)} ms`
    if (json) {
      ctx.out(JSON.stringify({ trigger, ok: run.errors.length === 0, diagnostics: run.diagnostics, outputs: run.outputs.map(({ file: _f, shown, ...r }) => ({ file: shown, ...r })), ms: Math.round(run.timings.total) }))
      return
    }
    if (run.errors.length > 0) {
      ctx.error(prettyDiagnostics(run.errors, session.root, ctx.color))
      ctx.error(`${c.red('✗')} ${trigger}: ${run.errors.length} error${run.errors.length === 1 ? '' : 's'}; kept the previous module (${ms}). Waiting for the next save.`)
      return
    }
    for (const o of run.outputs) ctx.out(`${o.status === 'written' ? c.green('✓ wrote') : c.dim('✓ unchanged')} ${o.shown} (${run.templates} template${run.templates === 1 ? '' : 's'}, ${trigger}, ${ms})`)
  }
  report(await session.run({ lint: false }), 'start')
  const watcher = watchTemplates(
    session.templatesDir,
    async (batch, signal) => {
      const changed = changedTemplates(batch)
      const run = await session.run({ lint: false, signal, ...(changed ? { changed } : {}) })
      report(run, batch.slugs.length > 0 ? batch.slugs.join(', ') : 'change')
    },
    { onError: (error) => ctx.error(`${c.red('error')} ${error instanceof GalleyError ? error.format() : (error as Error).message}`) },
  )
  await watcher.ready
  if (!json) ctx.out(c.dim(`Watching ${posix(relative(session.root, session.templatesDir)) || '.'} for changes (Ctrl+C to stop).`))
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  await watcher.close()
  return ExitCode.Ok
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
        ctx.out(`${c.green('wrote')} ${report.shown} (${templates} from ${r.from})`)
        break
      case 'unchanged':
        ctx.out(`${c.dim('unchanged')} ${report.shown} (${templates} from ${r.from})`)
        break
      case 'up-to-date':
        ctx.out(`${c.green('up to date')} ${report.shown} (${templates} from ${r.from})`)
        break
      case 'missing':
        ctx.error(`${c.red('missing')} ${report.shown}: it has not been generated yet`)
        break
      case 'stale':
        ctx.error(`${c.red('stale')} ${report.shown}: ${report.summary}`)
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

/** Local sources as generator input: any error in a source stops generation (its types would be wrong). */
function throwOnSourceErrors(sources: readonly TemplateSource[]): void {
  const errors: Diagnostic[] = sources.flatMap((s) => s.diagnostics.filter((d) => d.severity === 'error'))
  if (errors.length > 0) {
    throw new GalleyError('generate-source-errors', `${errors.length} error${errors.length === 1 ? '' : 's'} in the template sources; nothing was generated.`, {
      diagnostics: errors,
      hint: 'Fix them (`galley lint` shows each with its code frame), then generate again.',
    })
  }
}
