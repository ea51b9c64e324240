import { RenderFailure, renderDocument } from './render/index.ts'
import type { RenderWebhookPayload, WebhookDispatcher } from './webhooks/index.ts'
import { downloadUrl, type BaseUrls } from './serialize.ts'
import type { PdfFiles } from './storage/files.ts'
import type { RenderRow, Store } from './storage/store.ts'

export interface RenderQueueOptions {
  store: Store
  files: PdfFiles
  urls: BaseUrls
  concurrency: number
  imageTimeoutMs: number
  webhooks: WebhookDispatcher | undefined
  logError: (line: string) => void
}

/**
 * The in-process render queue: ids in memory, state in the database. A render is claimed (`queued` ->
 * `rendering`) in a transaction, rendered with at most `concurrency` in flight, its PDF written, then finished
 * (`succeeded` | `failed`) and announced to the webhooks. Ids still queued when the process stops stay `queued` in
 * the database and are enqueued again by {@link RenderQueue.resume} on the next start.
 */
export class RenderQueue {
  private readonly options: RenderQueueOptions
  private readonly pending: string[] = []
  private readonly inFlight = new Set<Promise<void>>()
  private idleWaiters: (() => void)[] = []
  private closed = false

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
    this.pump()
  }

  /** Resolves when nothing is queued or rendering. */
  idle(): Promise<void> {
    if (this.pending.length === 0 && this.inFlight.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** Stops taking work and waits for the renders in flight; queued ones stay queued in the database. */
  async close(): Promise<void> {
    this.closed = true
    this.pending.length = 0
    await Promise.allSettled([...this.inFlight])
    this.notifyIdle()
  }

  private pump(): void {
    while (!this.closed && this.inFlight.size < this.options.concurrency && this.pending.length > 0) {
      const id = this.pending.shift()!
      const run = this.run(id)
        .catch((error: unknown) => {
          if (!this.closed) this.options.logError(`render ${id}: ${describe(error)}`)
        })
        .finally(() => {
          this.inFlight.delete(run)
          this.pump()
          this.notifyIdle()
        })
      this.inFlight.add(run)
    }
  }

  private notifyIdle(): void {
    if (this.pending.length > 0 || this.inFlight.size > 0) return
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const w of waiters) w()
  }

  private async run(id: string): Promise<void> {
    const { store, files } = this.options
    const startedAt = new Date()
    const job = await store.claimRender(id, startedAt)
    if (!job) return
    const { template, version, render } = job
    let errorMessage: string | null = null
    try {
      const pdf = await renderDocument(
        {
          name: version.name,
          manifest: version.manifest,
          pageConfig: version.page_config,
          layout: version.layout,
          templateType: template.template_type,
          data: render.data,
        },
        { imageTimeoutMs: this.options.imageTimeoutMs },
      )
      files.write(id, pdf)
    } catch (error) {
      errorMessage = error instanceof RenderFailure ? error.message : `Render failed: ${describe(error)}`
      if (!(error instanceof RenderFailure)) this.options.logError(`render ${id}: ${describe(error, true)}`)
    }
    const completedAt = new Date()
    const finished = await store.finishRender(id, {
      status: errorMessage === null ? 'succeeded' : 'failed',
      errorMessage,
      completedAt,
      durationMs: completedAt.getTime() - startedAt.getTime(),
    })
    if (finished) this.options.webhooks?.dispatch(webhookPayload(finished, template.id, this.options.urls))
  }
}

function webhookPayload(r: RenderRow, templateId: string, urls: BaseUrls): RenderWebhookPayload {
  const succeeded = r.status === 'succeeded'
  return {
    event: succeeded ? 'render.succeeded' : 'render.failed',
    renderId: r.id,
    templateId,
    status: succeeded ? 'succeeded' : 'failed',
    downloadUrl: downloadUrl(r, urls),
    errorMessage: r.error_message,
    createdAt: new Date(r.created_at).toISOString(),
    completedAt: new Date(r.completed_at!).toISOString(),
  }
}

function describe(error: unknown, stack = false): string {
  if (error instanceof Error) return stack && error.stack ? error.stack : error.message
  return String(error)
}
