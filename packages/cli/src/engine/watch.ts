import { relative, sep } from 'node:path'
import type { FSWatcher } from 'chokidar'

/** One file event under the templates folder. */
export interface TemplateChange {
  event: 'add' | 'change' | 'unlink' | 'addDir' | 'unlinkDir'
  /** Absolute path. */
  path: string
  /** The template folder the file belongs to (`templates/<slug>/…`), or null for a file outside one. */
  slug: string | null
  /** `template` (template.yaml), `fixture` (fixtures/*.json), `layout` (any other file of the folder), or `folder`. */
  kind: 'template' | 'fixture' | 'layout' | 'folder'
}

/** The changes one run handles: everything since the last run, in order. */
export interface ChangeBatch {
  changes: TemplateChange[]
  /** The template folders touched, sorted. */
  slugs: string[]
}

/**
 * What `GenerateSession.run({ changed })` should read again for a batch: its template folders, or undefined (read
 * everything) when a change lies outside any template folder.
 */
export function changedTemplates(batch: ChangeBatch): string[] | undefined {
  return batch.changes.some((c) => c.slug === null) ? undefined : batch.slugs
}

export interface WatchTemplatesOptions {
  /** Quiet time after the last event before a run starts (an editor's save is a few events within ~2 ms). @default 20 */
  debounceMs?: number
  /** Called when a run throws (its error is otherwise swallowed, so one bad run never ends the watch). */
  onError?: (error: unknown) => void
}

export interface TemplateWatcher {
  /** Resolves once the initial scan is done: changes after it are seen. */
  ready: Promise<void>
  /** Resolves when no run is in progress or waiting (tests and benchmarks wait on it). */
  idle(): Promise<void>
  /** Stops watching; waits for the run in progress to end. */
  close(): Promise<void>
}

/**
 * Watches a templates folder with chokidar and calls `onBatch` with what changed: new, changed and deleted
 * templates, fixtures and layouts. This is the build plugin's own watcher (webpack and rspack miss new files,
 * esbuild has no `watchChange`), and `galley dev` and `generate --watch` use it too.
 *
 * - Debounced: events within `debounceMs` of each other make one batch.
 * - Serialised: one run at a time.
 * - A newer change cancels an older run: its `signal` aborts, and its changes are handed to the next run with
 *   the new ones, so nothing is lost when a run stops early.
 */
export function watchTemplates(dir: string, onBatch: (batch: ChangeBatch, signal: AbortSignal) => Promise<void>, options: WatchTemplatesOptions = {}): TemplateWatcher {
  const debounceMs = options.debounceMs ?? 20
  let pending: TemplateChange[] = []
  let timer: NodeJS.Timeout | undefined
  let running: { batch: TemplateChange[]; controller: AbortController; done: Promise<void> } | undefined
  let closed = false
  let idleWaiters: (() => void)[] = []

  const settleIdle = () => {
    if (running || timer || pending.length > 0) return
    const waiters = idleWaiters
    idleWaiters = []
    for (const w of waiters) w()
  }

  const start = () => {
    timer = undefined
    if (closed || pending.length === 0) return settleIdle()
    if (running) {
      // Supersede: the running pass stops at its next check, and start() runs again when it has ended.
      running.controller.abort(new Error('superseded by a newer change'))
      return
    }
    const batch = pending
    pending = []
    const controller = new AbortController()
    const slugs = [...new Set(batch.map((c) => c.slug).filter((s): s is string => s !== null))].sort()
    const done = onBatch({ changes: batch, slugs }, controller.signal)
      .catch((error: unknown) => {
        if (!controller.signal.aborted) options.onError?.(error)
      })
      .finally(() => {
        // An aborted run's changes go round again with the newer ones.
        if (controller.signal.aborted) pending = [...batch, ...pending]
        running = undefined
        if (pending.length > 0 && !closed) start()
        else settleIdle()
      })
    running = { batch, controller, done }
  }

  const onEvent = (event: TemplateChange['event'], path: string) => {
    if (closed) return
    pending.push(describe(dir, event, path))
    if (timer) clearTimeout(timer)
    timer = setTimeout(start, debounceMs)
    if (running) running.controller.abort(new Error('superseded by a newer change'))
  }

  // chokidar is imported on first use: a production build (the plugin's build start) never watches, and should
  // not pay for loading it.
  const created: Promise<FSWatcher | undefined> = import('chokidar').then(({ watch }) => {
    if (closed) return undefined
    const watcher = watch(dir, {
      ignoreInitial: true,
      // Editors that save by writing a temp file and renaming it would otherwise show as unlink + add.
      atomic: true,
      ignored: (path) => {
        const name = path.slice(path.lastIndexOf(sep) + 1)
        return name === 'node_modules' || (name.startsWith('.') && path !== dir) || name.endsWith('~') || name.endsWith('.tmp') || name.endsWith('.swp')
      },
    })
    for (const event of ['add', 'change', 'unlink', 'addDir', 'unlinkDir'] as const) watcher.on(event, (path: string) => onEvent(event, path))
    watcher.on('error', (error) => options.onError?.(error))
    return watcher
  })
  const ready = created.then((watcher) => (watcher ? new Promise<void>((resolve) => watcher.once('ready', () => resolve())) : undefined))

  return {
    ready,
    idle: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve)
        settleIdle()
      }),
    close: async () => {
      closed = true
      if (timer) clearTimeout(timer)
      timer = undefined
      pending = []
      await (await created)?.close()
      await running?.done
      settleIdle()
    },
  }
}

function describe(dir: string, event: TemplateChange['event'], path: string): TemplateChange {
  const parts = relative(dir, path).split(sep)
  const slug = parts.length >= 1 && parts[0] !== '' && parts[0] !== '..' ? parts[0]! : null
  let kind: TemplateChange['kind']
  if (event === 'addDir' || event === 'unlinkDir') kind = 'folder'
  else if (parts.length === 2 && parts[1] === 'template.yaml') kind = 'template'
  else if (parts.length === 3 && parts[1] === 'fixtures' && parts[2]!.endsWith('.json')) kind = 'fixture'
  else kind = 'layout'
  return { event, path, slug: parts.length === 1 && kind !== 'folder' ? null : slug, kind }
}
