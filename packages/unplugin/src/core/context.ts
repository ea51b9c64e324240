import { relative, resolve, sep } from 'node:path'
import type { ChangeBatch, EmbeddedTarget, GenerateSession, SessionRun, TemplateWatcher } from '@galley/cli/engine'
import { probeBuildStamp, templatesDigest, writeBuildStamp, type BuildStampProbe } from '@galley/cli/stamp'
import type { Diagnostic, TemplateSource } from '@galley/core'
import type { ResolvedGalleyPluginOptions } from '../options.ts'
import { MESSAGE_PREFIX, redact } from './messages.ts'

/** The engine and the message formatting (which loads core), imported on first use: a stamped build start needs neither. */
interface Runtime {
  engine: typeof import('@galley/cli/engine')
  errors: typeof import('./errors.ts')
}
let runtime: Promise<Runtime> | undefined
function loadRuntime(): Promise<Runtime> {
  runtime ??= Promise.all([import('@galley/cli/engine'), import('./errors.ts')]).then(([engine, errors]) => ({ engine, errors }))
  return runtime
}

/** What one generation pass came to. */
export interface GenerateResult {
  /** True when the module is up to date with the sources (written or unchanged). */
  ok: boolean
  /** The text to fail the build with (lint errors, or a thrown error), already redacted; undefined when `ok`. */
  failure: string | undefined
  /** Lint errors that stopped generation. */
  errors: Diagnostic[]
  /** Warnings (and, with `failOnLint: false`, the lint errors shown as warnings), formatted; '' when none. */
  warnings: string
  /** Absolute paths of the files this pass wrote (bytes changed). */
  written: string[]
  /** The sources that read without errors (what `dev.emulator` publishes); empty when the build stamp answered. */
  sources: TemplateSource[]
  /** The template source files (absolute), and the templates folder: what a watch build depends on. */
  watchFiles: string[]
  templatesDir: string | undefined
}

/** Receives the result of each run the plugin's own watcher starts. */
export type WatchListener = (result: GenerateResult, batch: ChangeBatch) => Promise<void> | void

/**
 * The plugin's state for one bundler instance: the engine session, the one-at-a-time queue of runs, the templates
 * watcher of dev and watch builds, and the embedded emulator of `dev.emulator`. Every step is the engine's
 * (`GenerateSession.run`, `watchTemplates`, `startEmbeddedEmulator`, `publishChanged`): this only sequences them.
 */
export class GalleyContext {
  readonly options: ResolvedGalleyPluginOptions
  /** The bundler's root (vite `config.root`, webpack `compiler.context`, esbuild `absWorkingDir`, else cwd). */
  root: string = process.cwd()
  private sessionPromise: Promise<GenerateSession> | undefined
  private session: GenerateSession | undefined
  private queue: Promise<unknown> = Promise.resolve()
  private watcher: TemplateWatcher | undefined
  private emulator: EmbeddedTarget | undefined
  private savedEnv: { baseUrl: string | undefined; apiKey: string | undefined } | undefined
  /** The outputs the build stamp vouched for, until a session exists. */
  private stampedOutputs: string[] | undefined

  constructor(options: ResolvedGalleyPluginOptions) {
    this.options = options
  }

  setRoot(root: string): void {
    if (this.sessionPromise && root !== this.root) this.sessionPromise = undefined
    this.root = root
  }

  /** The engine session (config loaded once per root). */
  getSession(): Promise<GenerateSession> {
    this.sessionPromise ??= loadRuntime().then(({ engine }) => engine.GenerateSession.create({
      cwd: this.root,
      config: this.options.config,
      templates: this.options.templates,
      output: this.options.output,
      from: this.options.from,
      pinVersions: this.options.pinVersions,
    })).then(
      (session) => (this.session = session),
      (error: unknown) => {
        // A bad config is reported each run until it is fixed, not cached.
        this.sessionPromise = undefined
        throw error
      },
    )
    return this.sessionPromise
  }

  /** The generated files, once the session exists (the guard needs them; empty before the first run). */
  get outputFiles(): string[] {
    return this.session?.outputs.map((o) => o.file) ?? this.stampedOutputs ?? []
  }

  get templatesDir(): string | undefined {
    return this.session?.templatesDir
  }

  /** A path as messages show it: relative to the root, posix. */
  shown(file: string): string {
    const rel = relative(this.root, file)
    return rel && !rel.startsWith('..') ? rel.split(sep).join('/') : file
  }

  /**
   * One pass through the engine (load, lint, generate, write when bytes differ), queued behind any pass in
   * progress. Never throws for bad sources or a failed generation: the result says so. Throws only when `signal`
   * aborts (a newer change superseded the pass). With `stamp` (a production build start), the build stamp
   * (`@galley/cli/stamp`) answers first when nothing changed since the last clean pass, without the engine.
   */
  generate(signal?: AbortSignal, changed?: readonly string[], stamp = false): Promise<GenerateResult> {
    const next = this.queue.then(() => this.generateNow(signal, changed, stamp))
    this.queue = next.catch(() => {})
    return next
  }

  private async generateNow(signal: AbortSignal | undefined, changed: readonly string[] | undefined, stamp: boolean): Promise<GenerateResult> {
    const empty = { errors: [], warnings: '', written: [], sources: [], watchFiles: [], templatesDir: undefined }
    const probe = stamp ? this.probeStamp() : undefined
    if (probe?.hit) {
      this.stampedOutputs = probe.hit.outputs
      const { warnings, sourceFiles, templatesDir } = probe.hit
      return { ...empty, ok: true, failure: undefined, warnings, watchFiles: sourceFiles, templatesDir }
    }
    const { errors: messages } = await loadRuntime()
    let session: GenerateSession
    try {
      session = await this.getSession()
    } catch (error) {
      return { ...empty, ok: false, failure: this.redact(messages.formatFailure(error)) }
    }
    // Taken before the run reads the sources: an edit while it runs must not be stamped as seen.
    const digest = probe?.file !== undefined ? templatesDigest(session.templatesDir) : undefined
    let run: SessionRun
    try {
      run = await session.run({ lint: this.options.failOnLint, ...(signal ? { signal } : {}), ...(changed ? { changed } : {}) })
    } catch (error) {
      if (signal?.aborted) throw error
      return { ...empty, ok: false, failure: this.redact(messages.formatFailure(error)) }
    }
    const sources = run.project.sources.filter((s) => s.template && !s.diagnostics.some((d) => d.severity === 'error'))
    const watchFiles = run.project.sources.map((s) => resolve(session.root, s.file))
    let warnings = run.diagnostics.filter((d) => d.severity === 'warning')
    if (!this.options.failOnLint) {
      // The run read the sources without the lint rules; show what they find as warnings, and generate anyway.
      const blocking = new Set(run.errors.map(key))
      warnings = session.lint(run.project.sources).filter((d) => !blocking.has(key(d))).map((d) => ({ ...d, severity: 'warning' as const }))
    }
    const warningText = warnings.length ? `${MESSAGE_PREFIX} ${warnings.length} warning${warnings.length === 1 ? '' : 's'} in the Craftkit templates:\n${messages.formatDiagnostics(warnings, session.root)}` : ''
    const base = { warnings: this.redact(warningText), sources, watchFiles, templatesDir: session.templatesDir }
    if (run.errors.length > 0) {
      return { ...base, ok: false, failure: this.redact(messages.formatLintFailure(run.errors, session.root)), errors: run.errors, written: [] }
    }
    if (probe && digest !== undefined) {
      writeBuildStamp(probe, { templatesDir: session.templatesDir, outputs: session.outputs.map((o) => o.file), sourceFiles: watchFiles, warnings: base.warnings, templatesDigest: digest })
    }
    return { ...base, ok: true, failure: undefined, errors: [], written: run.outputs.filter((o) => o.status === 'written').map((o) => o.file) }
  }

  /** The build stamp, for the sources and options this plugin reads (local sources only: a snapshot is not stamped). */
  private probeStamp(): BuildStampProbe | undefined {
    const { config, templates, output, from, pinVersions, failOnLint } = this.options
    if ((from !== undefined && from !== 'local') || pinVersions) return undefined
    return probeBuildStamp({ cwd: this.root, config, settings: { templates, output, failOnLint } })
  }

  /** Whether the plugin's own watcher runs (dev server or watch build). */
  get watching(): boolean {
    return this.watcher !== undefined
  }

  /**
   * Starts the plugin's own watcher on the templates folder (once): each batch of changes is one `generate()`,
   * then `listener`, then (with `dev.emulator`) a publish of what changed. The bundlers' watchers are not relied
   * on: webpack and rspack miss new files, and esbuild has no `watchChange`.
   */
  async startWatching(listener: WatchListener, onError: (text: string) => void): Promise<void> {
    if (this.watcher) return
    const session = await this.getSession()
    const { engine, errors } = await loadRuntime()
    this.watcher = engine.watchTemplates(
      session.templatesDir,
      async (batch, signal) => {
        const result = await this.generate(signal, engine.changedTemplates(batch))
        if (signal.aborted) return
        await listener(result, batch)
        if (result.ok && this.emulator) await this.publish(result.sources, batch.slugs, onError)
      },
      { onError: (error) => onError(this.redact(errors.formatFailure(error))) },
    )
    await this.watcher.ready
  }

  /** Resolves when the watcher has no run in progress or waiting. */
  async idle(): Promise<void> {
    await this.watcher?.idle()
    await this.queue
  }

  /**
   * `dev.emulator`: starts the embedded emulator (data in `<root>/.galley/emulator`) and points server code in this
   * process at it. Refuses when `CRAFTKIT_API_KEY` holds a `ck_live_` key: dev never touches production.
   */
  async startEmulator(): Promise<EmbeddedTarget> {
    if (this.emulator) return this.emulator
    if (process.env.CRAFTKIT_API_KEY?.startsWith('ck_live_')) {
      throw new Error(
        `${MESSAGE_PREFIX} dev.emulator refuses to start: CRAFTKIT_API_KEY holds a ck_live_ (production) key, and the dev server would ` +
          'otherwise override it for server code. Unset CRAFTKIT_API_KEY (and CRAFTKIT_BASE_URL) for dev, or set dev.emulator to false to use that deployment.',
      )
    }
    const session = await this.getSession()
    const target = await (await loadRuntime()).engine.startEmbeddedEmulator(session.root)
    this.emulator = target
    this.savedEnv = { baseUrl: process.env.CRAFTKIT_BASE_URL, apiKey: process.env.CRAFTKIT_API_KEY }
    process.env.CRAFTKIT_BASE_URL = target.baseUrl
    process.env.CRAFTKIT_API_KEY = target.apiKey
    return target
  }

  /** Publishes `sources` (all, or `slugs`) to the embedded emulator; problems go to `onError`, never thrown. */
  async publish(sources: TemplateSource[], slugs: readonly string[] | undefined, onError: (text: string) => void): Promise<void> {
    const target = this.emulator
    if (!target) return
    try {
      const { results } = await (await loadRuntime()).engine.publishChanged(sources, target, { root: (await this.getSession()).root, ...(slugs ? { slugs } : {}) })
      const failed = results.filter((r) => r.outcome === 'failed')
      if (failed.length) onError(this.redact(`${MESSAGE_PREFIX} publishing to the local emulator failed for ${failed.map((r) => r.slug).join(', ')}.`))
    } catch (error) {
      onError(this.redact(`${MESSAGE_PREFIX} publishing to the local emulator failed: ${error instanceof Error ? error.message : String(error)}`))
    }
  }

  /** Stops the watcher and the emulator and restores the environment (idempotent). */
  async close(): Promise<void> {
    const watcher = this.watcher
    this.watcher = undefined
    await watcher?.close()
    const emulator = this.emulator
    this.emulator = undefined
    if (emulator) {
      const saved = this.savedEnv
      this.savedEnv = undefined
      restoreEnv('CRAFTKIT_BASE_URL', saved?.baseUrl)
      restoreEnv('CRAFTKIT_API_KEY', saved?.apiKey)
      await emulator.close()
    }
  }

  redact(text: string): string {
    return redact(text, [this.emulator?.apiKey])
  }
}

function key(d: Diagnostic): string {
  return `${d.code}\0${d.file}\0${d.line}\0${d.column}`
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name]
  else process.env[name] = value
}
