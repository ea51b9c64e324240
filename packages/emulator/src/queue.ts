import type { RenderDocumentInput } from './render/index.ts'
import type { RenderWebhookPayload } from './webhooks/index.ts'
import type { WebhookOutbox } from './webhooks/outbox.ts'
import { downloadUrl, type BaseUrls } from './serialize.ts'
import type { DeliveryRow, NewDelivery, RenderJob, RenderOutcome, RenderRow, Store } from './storage/store.ts'

/** A test-only way to make a render misbehave inside the renderer (see `EmulatorOptions.renderFault`). */
export type RenderFaultKind = 'throw' | 'crash' | 'hang'

/** One render for a {@link Renderer}: the document, where its PDF goes, and an optional injected fault. */
export interface RenderTask {
  renderId: string
  /** Identifies everything in `input` but `data` (version id and template type): workers cache it by this key. */
  versionKey: string
  input: RenderDocumentInput
  /** The PDF's final path (`PdfFiles.path`); the renderer writes it atomically. */
  path: string
  fault?: RenderFaultKind
}

/** Turns a task into a PDF file: resolves `null` on success, or the render's `errorMessage`. Never rejects. */
export interface Renderer {
  render(task: RenderTask): Promise<string | null>
  close(): Promise<void>
}

export interface RenderQueueOptions {
  store: Store
  renderer: Renderer
  pdfPath: (renderId: string) => string
  urls: BaseUrls
  concurrency: number
  outbox: WebhookOutbox | undefined
  renderFault?: (render: { renderId: string; templateSlug: string; data: Record<string, unknown> }) => RenderFaultKind | undefined
  logError: (line: string) => void
}

interface FinishWaiter {
  outcome: RenderOutcome
  resolve: (r: { render: RenderRow; deliveries: DeliveryRow[] } | undefined) => void
  reject: (e: unknown) => void
}

/**
 * The render queue: ids in memory, state in the database, PDFs from a {@link Renderer} (the worker pool). The
 * main thread only moves state: renders are claimed (`queued` -> `rendering`) several at once in one statement,
 * and finished (`succeeded` | `failed`, with their webhook outbox rows) several at once in one transaction, so the
 * single PGlite connection is not the bottleneck. Ids still queued when the process stops stay `queued` in the
 * database, and renders left `rendering` by a crash are queued again by {@link RenderQueue.resume}.
 */
export class RenderQueue {
  private readonly options: RenderQueueOptions
  private readonly pending: string[] = []
  private active = 0
  private readonly runs = new Set<Promise<void>>()
  private idleWaiters: (() => void)[] = []
  private finishes: FinishWaiter[] = []
  /** Claimed rows of the renders being finished, for their webhook bodies. */
  private readonly claimed = new Map<string, RenderRow>()
  private finishing: Promise<void> | undefined
  private closed = false
  private pumpScheduled = false

  constructor(options: RenderQueueOptions) {
    this.options = options
  }

  /** Picks up renders a previous process left `queued` or `rendering`. */
  async resume(): Promise<number> {
    const ids = await this.options.store.requeueUnfinished()
    for (const id of ids) this.enqueue(id)
    return ids.length
  }

  enqueue(id: string): void {
    if (this.closed) return
    this.pending.push(id)
    // Claim on the next turn of the event loop, so renders submitted together are claimed in one statement.
    if (!this.pumpScheduled) {
      this.pumpScheduled = true
      setImmediate(() => {
        this.pumpScheduled = false
        this.pump()
      })
    }
  }

  /** Resolves when nothing is queued or rendering. */
  idle(): Promise<void> {
    if (this.pending.length === 0 && this.active === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** Stops taking work and waits for the renders in flight; queued ones stay queued in the database. */
  async close(): Promise<void> {
    this.closed = true
    this.pending.length = 0
    await Promise.allSettled([...this.runs])
    await this.finishing
    this.notifyIdle()
  }

  private pump(): void {
    const free = this.options.concurrency - this.active
    if (this.closed || free <= 0 || this.pending.length === 0) return
    const ids = this.pending.splice(0, free)
    this.active += ids.length
    const run = this.claimAndRun(ids).finally(() => {
      this.runs.delete(run)
      this.pump()
      this.notifyIdle()
    })
    this.runs.add(run)
  }

  private async claimAndRun(ids: string[]): Promise<void> {
    let jobs: RenderJob[] = []
    try {
      jobs = await this.options.store.claimRenders(ids, new Date())
    } catch (error) {
      if (!this.closed) this.options.logError(`claiming ${ids.length} render(s): ${describe(error)}`)
    }
    this.active -= ids.length - jobs.length
    await Promise.all(
      jobs.map((job) =>
        this.run(job)
          .catch((error: unknown) => {
            if (!this.closed) this.options.logError(`render ${job.render.id}: ${describe(error)}`)
          })
          .finally(() => {
            this.active--
            this.pump()
            this.notifyIdle()
          }),
      ),
    )
  }

  private notifyIdle(): void {
    if (this.pending.length > 0 || this.active > 0) return
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const w of waiters) w()
  }

  private async run({ render, template, version }: RenderJob): Promise<void> {
    const startedAt = render.started_at ? new Date(render.started_at) : new Date()
    const fault = this.options.renderFault?.({ renderId: render.id, templateSlug: template.slug, data: render.data })
    const errorMessage = await this.options.renderer.render({
      renderId: render.id,
      versionKey: `${version.id}:${template.template_type}`,
      input: {
        name: version.name,
        manifest: version.manifest,
        pageConfig: version.page_config,
        layout: version.layout,
        templateType: template.template_type,
        data: render.data,
      },
      path: this.options.pdfPath(render.id),
      ...(fault ? { fault } : {}),
    })
    const completedAt = new Date()
    this.claimed.set(render.id, render)
    let finished: { render: RenderRow; deliveries: DeliveryRow[] } | undefined
    try {
      finished = await this.finish({
        id: render.id,
        status: errorMessage === null ? 'succeeded' : 'failed',
        errorMessage,
        completedAt,
        durationMs: Math.max(0, completedAt.getTime() - startedAt.getTime()),
      })
    } finally {
      this.claimed.delete(render.id)
    }
    if (finished && finished.deliveries.length > 0) this.options.outbox?.add(finished.deliveries)
  }

  /**
   * Finishes a render: outcomes that arrive while a finishing transaction runs are written together in the next
   * one (each with its outbox rows, `Store.finishRenders`).
   */
  private finish(outcome: RenderOutcome): Promise<{ render: RenderRow; deliveries: DeliveryRow[] } | undefined> {
    return new Promise((resolve, reject) => {
      this.finishes.push({ outcome, resolve, reject })
      this.finishing ??= this.flushFinishes()
    })
  }

  private async flushFinishes(): Promise<void> {
    try {
      while (this.finishes.length > 0) {
        const batch = this.finishes
        this.finishes = []
        try {
          const rows = await this.options.store.finishRenders(
            batch.map((b) => b.outcome),
            batch.flatMap((b) => this.deliveriesFor(b.outcome)),
          )
          const byId = new Map(rows.map((r) => [r.render.id, r]))
          for (const b of batch) b.resolve(byId.get(b.outcome.id))
        } catch (error) {
          for (const b of batch) b.reject(error)
        }
      }
    } finally {
      this.finishing = undefined
    }
  }

  private deliveriesFor(o: RenderOutcome): NewDelivery[] {
    const outbox = this.options.outbox
    const claimed = this.claimed.get(o.id)
    if (!outbox || !claimed) return []
    const r: RenderRow = { ...claimed, status: o.status, error_message: o.errorMessage, completed_at: o.completedAt, duration_ms: o.durationMs }
    const payload = webhookPayload(r, this.options.urls)
    const body = JSON.stringify(payload)
    return outbox.urls.map((subscriptionUrl) => ({ renderId: o.id, subscriptionUrl, event: payload.event, body }))
  }
}

function webhookPayload(r: RenderRow, urls: BaseUrls): RenderWebhookPayload {
  const succeeded = r.status === 'succeeded'
  return {
    event: succeeded ? 'render.succeeded' : 'render.failed',
    renderId: r.id,
    templateId: r.template_id,
    status: succeeded ? 'succeeded' : 'failed',
    downloadUrl: downloadUrl(r, urls),
    errorMessage: r.error_message,
    createdAt: new Date(r.created_at).toISOString(),
    completedAt: new Date(r.completed_at!).toISOString(),
  }
}

export function describe(error: unknown, stack = false): string {
  if (error instanceof Error) return stack && error.stack ? error.stack : error.message
  return String(error)
}
