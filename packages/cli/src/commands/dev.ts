import { resolve } from 'node:path'
import { GalleyError } from '@galley/core'
import type { CliContext } from '../context.ts'
import { DevLoop, formatStep, type DevEvent } from '../dev/dev-loop.ts'
import { startPreviewServer, type PreviewServer } from '../dev/preview-server.ts'
import { DevState } from '../dev/state.ts'
import { GenerateSession } from '../engine/session.ts'
import { watchTemplates, type TemplateWatcher } from '../engine/watch.ts'
import { ExitCode } from '../exit-codes.ts'
import { toPosix } from '../paths.ts'
import { projectOptions } from '../publish/command-support.ts'
import { prettyDiagnostics } from '../report/index.ts'
import { startEmbeddedEmulator, type Target } from '../target.ts'
import type { RegisterCommand } from './registry.ts'

interface DevFlags {
  port: number
  host?: boolean | string
  cwd?: string
  config?: string
  json?: boolean
}

/** `galley dev`: the author's live loop (DESIGN §11). Runs until SIGINT/SIGTERM; a bad edit never ends it. */
export const registerDev: RegisterCommand = (program, ctx) => {
  const command = program
    .command('dev')
    .description('watch the templates: lint, publish to the embedded emulator, generate, render fixtures to out/, and serve the preview page')
    .option('--port <port>', 'the first port the preview page tries (the next free one when busy; 0: any)', parsePort, 4400)
    .option('--host [address]', 'listen on all addresses (0.0.0.0), or on this one, instead of 127.0.0.1')
  projectOptions(command)
    .option('--json', 'print one JSON object per line (steps, diagnostics, ready) instead of text')
    .action(async (flags: DevFlags) => {
      ctx.exitCode = await runDev(flags, ctx)
    })
}

async function runDev(flags: DevFlags, ctx: CliContext): Promise<number> {
  const { c } = ctx
  const json = flags.json === true
  const line = (value: object) => ctx.out(JSON.stringify(value))
  const session = await GenerateSession.create({ cwd: resolve(ctx.io.cwd, flags.cwd ?? '.'), config: flags.config })
  const root = session.root
  if (ctx.io.env.CRAFTKIT_API_KEY || ctx.io.env.CRAFTKIT_BASE_URL) {
    const note = 'galley dev always works against the embedded emulator: CRAFTKIT_BASE_URL and CRAFTKIT_API_KEY are ignored.'
    if (json) line({ type: 'note', message: note })
    else ctx.error(c.dim(note))
  }

  let ready = false
  const onEvent = (event: DevEvent) => {
    if (event.type === 'step') {
      if (json) line({ type: 'step', ...event.step, ms: Math.round(event.step.ms) })
      else if (event.step.ok) ctx.out(formatStep(event.step).replace(/^✓/, c.green('✓')))
      else ctx.error(formatStep(event.step).replace(/^✗/, c.red('✗')))
    } else if (event.type === 'idle') {
      if (json) line({ type: 'idle', ok: event.ok })
      else if (!event.ok && ready) ctx.error(c.dim('Waiting for the next save.'))
    } else if (json) {
      line({ type: 'diagnostics', diagnostics: event.diagnostics })
    } else {
      const text = prettyDiagnostics(event.diagnostics, root, ctx.color)
      if (text) (event.diagnostics.some((d) => d.severity === 'error') ? ctx.error : ctx.out)(text)
    }
  }

  let target: Target | undefined
  let server: PreviewServer | undefined
  let watcher: TemplateWatcher | undefined
  let stopRequested: (signal: string) => void = () => {}
  const stopped = new Promise<string>((done) => (stopRequested = done))
  const onSignal = (signal: NodeJS.Signals) => stopRequested(signal)
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    // Never a remote target, never a ck_live_ key: the emulator's own ck_test_ key, data in .galley/emulator.
    target = await startEmbeddedEmulator(root)
    const state = new DevState(toPosix(session.templatesDir.slice(root.length + 1)) || '.')
    const loop = new DevLoop({ session, target, state, onEvent })
    server = await startPreviewServer({ loop, port: flags.port, host: flags.host === true ? '0.0.0.0' : typeof flags.host === 'string' ? flags.host : '127.0.0.1' })
    watcher = watchTemplates(session.templatesDir, (batch, signal) => loop.onBatch(batch, signal), {
      onError: (error) => {
        const message = loop.describeError(error)
        if (json) line({ type: 'error', message })
        else ctx.error(`${c.red('✗')} ${message}. Waiting for the next save.`)
      },
    })
    await watcher.ready
    const first = loop.initial().catch((error: unknown) => {
      const message = loop.describeError(error)
      if (json) line({ type: 'error', message })
      else ctx.error(`${c.red('✗')} ${message}. Waiting for the next save.`)
    })
    const interrupted = await Promise.race([first.then(() => undefined), stopped])
    if (interrupted === undefined) {
      ready = true
      if (json) line({ type: 'ready', url: server.url, emulator: target.baseUrl })
      else {
        ctx.out('')
        ctx.out(`${c.bold('Preview:')} ${c.cyan(server.url)}`)
        ctx.out(c.dim(`Watching ${toPosix(session.templatesDir.slice(root.length + 1)) || '.'}/ — PDFs in out/. Press Ctrl+C to stop.`))
      }
      await stopped
    }
    return ExitCode.Ok
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await watcher?.close()
    await server?.close()
    await target?.close()
    if (json) line({ type: 'stopped' })
    else ctx.out(c.dim('Stopped.'))
  }
}

function parsePort(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new GalleyError('invalid_option', `--port must be a port number from 0 to 65535 (got "${value}").`)
  return n
}
