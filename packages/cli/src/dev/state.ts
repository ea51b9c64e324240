/**
 * @module What `galley dev` knows about the project at any moment, and what `GET /api/state` and the page's
 * server-sent events carry: each template's lint findings, publish state and fixtures with their renders.
 */
import type { Diagnostic } from '@galley/core'

export type RenderStatus = 'pending' | 'rendering' | 'succeeded' | 'failed'

/** A diagnostic as the page and `/api/state` see it: the rule id as `code` and as `ruleId`. */
export interface DevDiagnostic {
  code: string
  ruleId: string
  severity: 'error' | 'warning'
  file: string
  line: number
  column: number
  message: string
  hint?: string
}

export interface DevFixture {
  name: string
  /** Posix path of the fixture file, relative to the project root. */
  file: string
  status: RenderStatus
  /** URL of the last good PDF on the preview server (changes with every render), or null before the first. */
  pdf: string | null
  /** Posix path of that PDF under the project root: `out/<slug>/<fixture>.pdf`. */
  out: string
  /** Why the last render failed (or was not attempted). */
  error: string | null
  /** Counts successful renders: the page reloads a PDF when it moves. */
  version: number
  renderId: string | null
  ms: number | null
  /** True while the PDF shown predates the current sources (the template has errors, or a render failed). */
  stale: boolean
  updatedAt: string | null
}

export interface DevTemplate {
  slug: string
  name: string | null
  /** Posix path of template.yaml, relative to the project root. */
  file: string
  lint: 'ok' | 'warnings' | 'errors'
  diagnostics: DevDiagnostic[]
  publish: { status: 'pending' | 'published' | 'unchanged' | 'failed' | 'skipped'; version: number | null; error: string | null }
  fixtures: DevFixture[]
}

export interface DevGenerated {
  files: string[]
  status: 'pending' | 'written' | 'unchanged' | 'skipped' | 'failed'
  error: string | null
}

/** The whole state, as `GET /api/state` returns it. */
export interface DevStateSnapshot {
  formatVersion: 1
  /** `starting` until the first full pass is done, then `ready`, and `working` while a change is handled. */
  phase: 'starting' | 'ready' | 'working'
  /** Bumped on every change: clients can tell an old snapshot from a new one. */
  revision: number
  templatesDir: string
  generated: DevGenerated
  /** Diagnostics that belong to no template folder (e.g. a config problem). */
  diagnostics: DevDiagnostic[]
  templates: DevTemplate[]
  /** The last status lines, newest last. */
  log: DevLogLine[]
}

export interface DevLogLine {
  ok: boolean
  text: string
  at: string
}

const LOG_LINES = 50

/** The mutable state with change notification (coalesced by the server, which sends whole snapshots). */
export class DevState {
  phase: DevStateSnapshot['phase'] = 'starting'
  revision = 0
  generated: DevGenerated = { files: [], status: 'pending', error: null }
  diagnostics: DevDiagnostic[] = []
  readonly templates = new Map<string, DevTemplate>()
  readonly log: DevLogLine[] = []
  private readonly listeners = new Set<() => void>()

  constructor(readonly templatesDir: string) {}

  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Marks a change: bump the revision and tell the listeners. */
  changed(): void {
    this.revision++
    for (const listener of this.listeners) listener()
  }

  addLog(ok: boolean, text: string): void {
    this.log.push({ ok, text, at: new Date().toISOString() })
    if (this.log.length > LOG_LINES) this.log.splice(0, this.log.length - LOG_LINES)
  }

  fixture(slug: string, name: string): DevFixture | undefined {
    return this.templates.get(slug)?.fixtures.find((f) => f.name === name)
  }

  snapshot(): DevStateSnapshot {
    return {
      formatVersion: 1,
      phase: this.phase,
      revision: this.revision,
      templatesDir: this.templatesDir,
      generated: this.generated,
      diagnostics: this.diagnostics,
      templates: [...this.templates.values()].sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0)),
      log: this.log,
    }
  }
}

export function toDevDiagnostic(d: Diagnostic): DevDiagnostic {
  return {
    code: d.code,
    ruleId: d.code,
    severity: d.severity,
    file: d.file,
    line: d.line,
    column: d.column,
    message: d.message,
    ...(d.hint ? { hint: d.hint } : {}),
  }
}

export function lintState(diagnostics: readonly DevDiagnostic[]): DevTemplate['lint'] {
  return diagnostics.some((d) => d.severity === 'error') ? 'errors' : diagnostics.length > 0 ? 'warnings' : 'ok'
}
