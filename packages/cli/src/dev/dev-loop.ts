/**
 * @module The `galley dev` state machine: a full pass at start, then per saved change only what it touched
 * (lint, publish to the embedded emulator, generate, render fixtures to `out/<slug>/<fixture>.pdf`). Every step
 * goes through the engine (GenerateSession, publishChanged, renderPdf); this module only decides what to redo
 * and keeps `DevState` current. It prints nothing: steps are reported as events.
 */
import { rm, rmdir } from 'node:fs/promises'
import { dirname, join, relative, resolve } from 'node:path'
import type { Diagnostic, Manifest, TemplateSource } from '@galley/core'
import { publishChanged } from '../engine/publish-local.ts'
import { renderErrorMessage, renderPdf } from '../engine/render-pdf.ts'
import type { GenerateSession, SessionRun } from '../engine/session.ts'
import { changedTemplates, type ChangeBatch } from '../engine/watch.ts'
import { toPosix } from '../paths.ts'
import type { Project } from '../project.ts'
import { mapPool } from '../publish/pool.ts'
import { loadState } from '../publish/state.ts'
import type { Target } from '../target.ts'
import { lintState, toDevDiagnostic, type DevFixture, type DevState, type DevTemplate } from './state.ts'

/** One status line: `✓ render invoice/minimal 230 ms`. */
export interface DevStep {
  ok: boolean
  step: 'lint' | 'publish' | 'generate' | 'render' | 'remove'
  /** What the step was about: a slug, `slug/fixture`, a file, or `4 templates, 8 fixtures`. */
  subject: string
  /** After the subject: `v3`, `unchanged`, `1 error`, or the error of a failed step. */
  detail?: string
  ms: number
}

export type DevEvent =
  | { type: 'step'; step: DevStep }
  /** Findings to print with their code frames (errors and warnings of what was just linted). */
  | { type: 'diagnostics'; diagnostics: Diagnostic[] }
  /** A pass ended; `ok` is false when a template has errors or a step failed. */
  | { type: 'idle'; ok: boolean }

export interface DevLoopOptions {
  session: GenerateSession
  /** The embedded emulator (`galley dev` never takes another target). */
  target: Target
  state: DevState
  onEvent: (event: DevEvent) => void
  /** Renders in flight at once. @default 3 */
  renderConcurrency?: number
}

/** The edited data of the page, rendered but not saved. */
export interface DataRenderResult {
  pdf: Uint8Array
  renderId: string
  ms: number
}

export class DevLoop {
  readonly session: GenerateSession
  readonly target: Target
  readonly state: DevState
  /** `<root>/out`. */
  readonly outDir: string
  /** The sources as of the last pass. */
  project: Project | undefined
  private readonly emit: (event: DevEvent) => void
  private readonly concurrency: number
  private chain: Promise<unknown> = Promise.resolve()

  constructor(options: DevLoopOptions) {
    this.session = options.session
    this.target = options.target
    this.state = options.state
    this.emit = options.onEvent
    this.concurrency = options.renderConcurrency ?? 3
    this.outDir = resolve(options.session.root, 'out')
  }

  /** The first pass: lint everything, publish what changed, generate, render every fixture. */
  initial(): Promise<void> {
    return this.exclusive(() => this.pass(undefined))
  }

  /** The watcher's callback: redo what `batch` touched. A newer change aborts `signal`; the watcher then re-runs. */
  onBatch(batch: ChangeBatch, signal: AbortSignal): Promise<void> {
    return this.exclusive(() => this.pass(batch, signal))
  }

  /** The manifest of a template as its source says now (for the page's data editor), or undefined. */
  manifest(slug: string): Manifest | undefined {
    return this.project?.sources.find((s) => s.slug === slug)?.template?.manifest
  }

  /** Renders data from the page's editor (the published version of `slug`); the PDF is not written to out/. */
  async renderData(slug: string, data: unknown): Promise<DataRenderResult> {
    const { pdf, renderId, ms } = await renderPdf(this.target.client, { slug, data, pollDelayMs: 100 })
    return { pdf, renderId, ms }
  }

  /** The words for a failed render or publish, without the key. */
  describeError(error: unknown): string {
    return renderErrorMessage(error, this.target)
  }

  /** Where the PDF of a fixture lives. */
  pdfFile(slug: string, fixture: string): string {
    return join(this.outDir, slug, `${fixture}.pdf`)
  }

  /** Runs one pass at a time: the first pass and the watcher's runs never overlap. */
  private exclusive(fn: () => Promise<void>): Promise<void> {
    const next = this.chain.then(fn, fn)
    this.chain = next.catch(() => {})
    return next
  }

  private step(step: DevStep): void {
    this.state.addLog(step.ok, formatStep(step))
    this.emit({ type: 'step', step })
  }

  private async pass(batch: ChangeBatch | undefined, signal?: AbortSignal): Promise<void> {
    const state = this.state
    const full = batch === undefined
    if (!full) {
      state.phase = 'working'
      state.changed()
    }
    try {
      await this.passSteps(batch, signal)
      const ok = ![...state.templates.values()].some((t) => t.lint === 'errors' || t.publish.status === 'failed' || t.fixtures.some((f) => f.status === 'failed'))
      this.emit({ type: 'idle', ok })
    } finally {
      state.phase = 'ready'
      state.changed()
    }
  }

  private async passSteps(batch: ChangeBatch | undefined, signal?: AbortSignal): Promise<void> {
    const state = this.state
    const root = this.session.root
    const full = batch === undefined
    const changed = batch ? changedTemplates(batch) : undefined
    const run: SessionRun = await this.session.run({ ...(signal ? { signal } : {}), ...(changed ? { changed } : {}) })
    this.project = run.project
    const sources = run.project.sources
    const bySlug = new Map(sources.map((s) => [s.slug, s]))

    // Findings per template folder; the rest (none expected with a loaded config) are project-wide.
    const owned = new Map<string, Diagnostic[]>(sources.map((s) => [s.slug, []]))
    const global: Diagnostic[] = []
    for (const d of run.diagnostics) {
      const owner = sources.find((s) => d.file === s.file || d.file.startsWith(`${toPosix(dirname(s.file))}/`))
      if (owner) owned.get(owner.slug)!.push(d)
      else global.push(d)
    }
    state.diagnostics = global.map(toDevDiagnostic)

    // Templates that are gone: drop them and their PDFs.
    for (const slug of [...state.templates.keys()]) {
      if (bySlug.has(slug)) continue
      const started = performance.now()
      const gone = state.templates.get(slug)!
      await Promise.all(gone.fixtures.map((f) => rm(this.pdfFile(slug, f.name), { force: true })))
      await rmdir(join(this.outDir, slug)).catch(() => {})
      state.templates.delete(slug)
      this.step({ ok: true, step: 'remove', subject: slug, detail: 'template deleted', ms: performance.now() - started })
    }

    // What this pass redoes: every template at start; after a save, the templates whose template.yaml or layout
    // changed (or that are new, or whose errors are gone), and only the changed fixtures of the others.
    const changedFiles = new Set((batch?.changes ?? []).filter((c) => c.event === 'add' || c.event === 'change').map((c) => toPosix(relative(root, c.path))))
    const templateTouched = new Set<string>()
    const fixtureTouched = new Map<string, Set<string>>()
    for (const source of sources) {
      const previous = state.templates.get(source.slug)
      const errors = (owned.get(source.slug) ?? []).some((d) => d.severity === 'error')
      const touchedByBatch = batch?.changes.some((c) => c.slug === source.slug && c.kind !== 'fixture') ?? false
      const recovered = previous !== undefined && !errors && (previous.lint === 'errors' || previous.publish.status === 'failed' || previous.publish.status === 'skipped')
      if (full || !previous || touchedByBatch || recovered) {
        templateTouched.add(source.slug)
        continue
      }
      const names = new Set<string>()
      for (const f of source.fixtures) if (changedFiles.has(f.file) || !previous.fixtures.some((p) => p.name === f.name)) names.add(f.name)
      const fixtureChanged = batch?.changes.some((c) => c.slug === source.slug && c.kind === 'fixture') ?? false
      if (names.size > 0 || fixtureChanged) fixtureTouched.set(source.slug, names)
    }

    // Lint: the state of every template (another template's edit can change a finding), printed for the touched.
    for (const source of sources) this.updateTemplate(source, owned.get(source.slug) ?? [])
    const lintMs = run.timings.load + run.timings.lint
    if (full) {
      const fixtures = sources.reduce((n, s) => n + s.fixtures.length, 0)
      this.step({ ok: run.errors.length === 0, step: 'lint', subject: `${plural(sources.length, 'template')}, ${plural(fixtures, 'fixture')}`, ...countDetail(run.diagnostics), ms: lintMs })
      if (run.diagnostics.length > 0) this.emit({ type: 'diagnostics', diagnostics: run.diagnostics })
    } else {
      const linted = [...new Set([...templateTouched, ...fixtureTouched.keys()])].sort()
      const shown: Diagnostic[] = [...global]
      for (const slug of linted) {
        const diagnostics = owned.get(slug) ?? []
        shown.push(...diagnostics)
        this.step({ ok: !diagnostics.some((d) => d.severity === 'error'), step: 'lint', subject: slug, ...countDetail(diagnostics), ms: lintMs })
      }
      if (shown.length > 0) this.emit({ type: 'diagnostics', diagnostics: shown })
    }
    state.changed()

    // Generate: the session wrote the module (or kept it, on errors anywhere).
    if (run.errors.length > 0) {
      state.generated = { files: this.session.outputs.map((o) => o.shown), status: 'skipped', error: `${plural(run.errors.length, 'error')} in the sources; the previous module is kept` }
      this.step({ ok: false, step: 'generate', subject: this.session.outputs.map((o) => o.shown).join(', '), detail: `skipped: ${plural(run.errors.length, 'error')}, kept the previous module`, ms: run.timings.generate })
    } else {
      const written = run.outputs.some((o) => o.status === 'written')
      state.generated = { files: run.outputs.map((o) => o.shown), status: written ? 'written' : 'unchanged', error: null }
      if (full || written || templateTouched.size > 0) {
        for (const o of run.outputs) this.step({ ok: true, step: 'generate', subject: o.shown, ...(o.status === 'written' ? {} : { detail: 'unchanged' }), ms: run.timings.generate })
      }
    }
    signal?.throwIfAborted()

    // Publish the touched templates without errors; the others keep their last published version.
    const hasErrors = (slug: string) => (owned.get(slug) ?? []).some((d) => d.severity === 'error')
    // A pdf-overlay source (written by `galley pull`) cannot be created through the API, so it is never published.
    const overlay = (slug: string) => bySlug.get(slug)!.template?.templateType === 'pdf-overlay'
    const publishable = [...templateTouched].filter((slug) => !hasErrors(slug) && bySlug.get(slug)!.template !== undefined && !overlay(slug))
    for (const slug of templateTouched) {
      if (publishable.includes(slug)) continue
      this.markBlocked(slug, 'skipped', overlay(slug) ? 'pdf-overlay templates cannot be published through the API' : 'the template has errors: fix them and save')
    }
    const publishedOk = new Set<string>()
    if (publishable.length > 0) {
      const started = performance.now()
      try {
        const clean = sources.filter((s) => publishable.includes(s.slug))
        const result = await publishChanged(clean, this.target, { root, slugs: publishable })
        const records = loadState(root, this.target.id, this.target.name).templates
        for (const slug of publishable) {
          const template = state.templates.get(slug)!
          const r = result.results.find((x) => x.slug === slug)
          if (r && r.outcome === 'failed') {
            template.publish = { status: 'failed', version: template.publish.version, error: r.error ?? 'publish failed' }
            this.markBlocked(slug, 'failed', `publish failed: ${r.error ?? 'unknown error'}`)
            this.step({ ok: false, step: 'publish', subject: slug, detail: r.error ?? 'failed', ms: r.ms })
            continue
          }
          const version = r?.versionNumber ?? records[slug]?.versionNumber ?? null
          template.publish = { status: r ? 'published' : 'unchanged', version, error: null }
          publishedOk.add(slug)
          this.step({ ok: true, step: 'publish', subject: slug, detail: r ? `v${version}` : `unchanged${version ? ` (v${version})` : ''}`, ms: r ? r.ms : performance.now() - started })
        }
      } catch (error) {
        const message = this.describeError(error)
        for (const slug of publishable) {
          state.templates.get(slug)!.publish = { status: 'failed', version: state.templates.get(slug)!.publish.version, error: message }
          this.markBlocked(slug, 'failed', `publish failed: ${message}`)
          this.step({ ok: false, step: 'publish', subject: slug, detail: message, ms: performance.now() - started })
        }
      }
      state.changed()
    }
    signal?.throwIfAborted()

    // Render: every fixture of a republished template; only the saved fixtures of the others.
    const jobs: { slug: string; fixture: DevFixture; data: unknown }[] = []
    const queue = (source: TemplateSource, names: Iterable<string>) => {
      const template = state.templates.get(source.slug)!
      for (const name of names) {
        const fixture = template.fixtures.find((f) => f.name === name)
        const data = source.fixtures.find((f) => f.name === name)?.data
        if (!fixture || data === undefined) continue
        const own = (owned.get(source.slug) ?? []).find((d) => d.file === fixture.file && d.severity === 'error')
        if (own) {
          Object.assign(fixture, { status: 'failed', error: `${own.code}: ${own.message}`, stale: fixture.pdf !== null })
          continue
        }
        fixture.status = 'rendering'
        jobs.push({ slug: source.slug, fixture, data })
      }
    }
    for (const slug of publishedOk) queue(bySlug.get(slug)!, bySlug.get(slug)!.fixtures.map((f) => f.name))
    for (const [slug, names] of fixtureTouched) {
      const template = state.templates.get(slug)!
      // A fixture of a template that cannot publish (errors, failed publish) would render the old version.
      if (template.lint === 'errors' || template.publish.status === 'failed' || template.publish.status === 'skipped' || template.publish.status === 'pending') {
        for (const name of names) {
          const f = template.fixtures.find((x) => x.name === name)
          if (f) Object.assign(f, { status: 'failed', error: template.publish.error ?? 'the template has errors: fix them and save', stale: f.pdf !== null })
        }
        continue
      }
      queue(bySlug.get(slug)!, names)
    }
    if (jobs.length > 0) state.changed()
    await mapPool(jobs, this.concurrency, async (job) => {
      if (signal?.aborted) return
      const out = this.pdfFile(job.slug, job.fixture.name)
      try {
        const { renderId, ms } = await renderPdf(this.target.client, { slug: job.slug, data: job.data, out, pollDelayMs: 100, ...(signal ? { signal } : {}) })
        Object.assign(job.fixture, {
          status: 'succeeded',
          version: job.fixture.version + 1,
          renderId,
          ms,
          error: null,
          stale: false,
          updatedAt: new Date().toISOString(),
        })
        job.fixture.pdf = pdfUrl(job.slug, job.fixture.name, job.fixture.version)
        this.step({ ok: true, step: 'render', subject: `${job.slug}/${job.fixture.name}`, ms })
      } catch (error) {
        if (signal?.aborted) {
          job.fixture.status = 'pending'
          return
        }
        const message = this.describeError(error)
        Object.assign(job.fixture, { status: 'failed', error: message, stale: job.fixture.pdf !== null, updatedAt: new Date().toISOString() })
        this.step({ ok: false, step: 'render', subject: `${job.slug}/${job.fixture.name}`, detail: message, ms: 0 })
      }
      state.changed()
    })
    signal?.throwIfAborted()
  }

  /** Brings a template's entry up to date with its source and findings; drops fixtures whose file is gone. */
  private updateTemplate(source: TemplateSource, diagnostics: Diagnostic[]): void {
    const state = this.state
    const previous = state.templates.get(source.slug)
    const devDiagnostics = diagnostics.map(toDevDiagnostic)
    const template: DevTemplate = previous ?? {
      slug: source.slug,
      name: null,
      file: source.file,
      lint: 'ok',
      diagnostics: [],
      publish: { status: 'pending', version: null, error: null },
      fixtures: [],
    }
    template.name = source.template?.name ?? previous?.name ?? null
    template.file = source.file
    template.diagnostics = devDiagnostics
    template.lint = lintState(devDiagnostics)
    // A fixture that no longer parses keeps its entry (with its error); one whose file is gone leaves.
    const fixturesDir = `${toPosix(dirname(source.file))}/fixtures/`
    const broken = new Set(diagnostics.filter((d) => d.severity === 'error' && d.file.startsWith(fixturesDir) && d.file.endsWith('.json')).map((d) => d.file.slice(fixturesDir.length, -'.json'.length)))
    const names = new Set([...source.fixtures.map((f) => f.name), ...broken])
    const kept: DevFixture[] = []
    for (const name of [...names].sort()) {
      const existing = template.fixtures.find((f) => f.name === name)
      const file = `${fixturesDir}${name}.json`
      const fixture: DevFixture = existing ?? {
        name,
        file,
        status: 'pending',
        pdf: null,
        out: toPosix(relative(this.session.root, this.pdfFile(source.slug, name))),
        error: null,
        version: 0,
        renderId: null,
        ms: null,
        stale: false,
        updatedAt: null,
      }
      if (broken.has(name)) {
        const d = diagnostics.find((x) => x.file === file && x.severity === 'error')!
        Object.assign(fixture, { status: 'failed', error: `${d.code}: ${d.message}`, stale: fixture.pdf !== null })
      }
      kept.push(fixture)
    }
    for (const gone of template.fixtures.filter((f) => !names.has(f.name))) {
      void rm(this.pdfFile(source.slug, gone.name), { force: true })
      this.step({ ok: true, step: 'remove', subject: `${source.slug}/${gone.name}`, detail: 'fixture deleted', ms: 0 })
    }
    template.fixtures = kept
    state.templates.set(source.slug, template)
  }

  /** A template that was not (re)published this pass: its fixtures' PDFs show an older version. */
  private markBlocked(slug: string, status: 'skipped' | 'failed', reason: string): void {
    const template = this.state.templates.get(slug)
    if (!template) return
    if (status === 'skipped') template.publish = { ...template.publish, status: 'skipped', error: reason }
    for (const f of template.fixtures) {
      f.stale = f.pdf !== null
      f.error = reason
      if (f.pdf === null) f.status = 'failed'
    }
  }
}

/** The preview server's URL of a fixture's PDF; `v` changes with every render, so the page knows to reload. */
export function pdfUrl(slug: string, fixture: string, version: number): string {
  return `/pdf/${encodeURIComponent(slug)}/${encodeURIComponent(fixture)}.pdf?v=${version}`
}

export function formatStep(step: DevStep): string {
  const ms = `${Math.round(step.ms)} ms`
  if (!step.ok) return `✗ ${step.step} ${step.subject}${step.detail ? `: ${step.detail}` : ''} (${ms})`
  return `✓ ${step.step} ${step.subject}${step.detail ? ` ${step.detail}` : ''} ${ms}`
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

function countDetail(diagnostics: readonly Diagnostic[]): { detail?: string } {
  const errors = diagnostics.filter((d) => d.severity === 'error').length
  const warnings = diagnostics.length - errors
  const parts = [errors ? plural(errors, 'error') : '', warnings ? plural(warnings, 'warning') : ''].filter(Boolean)
  return parts.length ? { detail: parts.join(', ') } : {}
}
