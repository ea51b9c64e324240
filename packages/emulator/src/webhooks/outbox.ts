/**
 * @module The durable webhook outbox: deliveries are rows of `webhook_deliveries`, written by the transaction that
 * makes a render terminal (`Store.finishRenders`). This module attempts them, retries with backoff and records
 * each outcome (`delivered`, `abandoned`, or `pending` with the next attempt time). A restart, even after SIGKILL,
 * picks up the pending rows with their original delivery id. The promise is at least once: a delivery whose
 * attempt reached the receiver just before a crash, but whose outcome was not recorded, is sent again with the
 * same `x-craftkit-delivery-id`, so receivers dedupe on it.
 */
import type { DeliveryRow, Store } from '../storage/store.ts'
import { defaultRetryDelayMs, postWebhook, safeUrl } from './index.ts'

export interface WebhookOutboxOptions {
  store: Store
  /** Subscriptions, matched to outbox rows by url (the first secret of a url wins). */
  subscriptions: { url: string; secret: string }[]
  /** Attempts per delivery before it is abandoned. @default 6 */
  maxAttempts?: number
  /** Delay before attempt `attempt + 1`, after attempt `attempt` (1-based) failed. @default 1 s, 2 s, 4 s, 8 s, 16 s */
  retryDelayMs?: (attempt: number) => number
  /** Per-attempt timeout. @default 15000 */
  timeoutMs?: number
  /** Attempts in flight at once. @default 16 */
  maxInFlight?: number
  /** @default globalThis.fetch */
  fetch?: typeof fetch
  /** One line per attempt outcome. @default no logging */
  log?: (line: string) => void
}

/** How long attempt outcomes wait to be written together. */
const RECORD_BATCH_MS = 20

type AttemptRecord = Parameters<Store['recordDeliveryAttempts']>[0][number]

export class WebhookOutbox {
  private readonly store: Store
  private readonly secrets = new Map<string, string>()
  private readonly maxAttempts: number
  private readonly retryDelayMs: (attempt: number) => number
  private readonly timeoutMs: number
  private readonly maxInFlight: number
  private readonly doFetch: typeof fetch | undefined
  private readonly log: (line: string) => void
  /** Due now, waiting for an in-flight slot. */
  private ready: DeliveryRow[] = []
  /** Waiting for their next attempt time. */
  private readonly timers = new Map<string, NodeJS.Timeout>()
  private readonly inFlight = new Map<string, Promise<void>>()
  private readonly closing = new AbortController()
  private writes: AttemptRecord[] = []
  private flushing: Promise<void> | undefined
  private idleWaiters: (() => void)[] = []

  constructor(options: WebhookOutboxOptions) {
    this.store = options.store
    for (const s of options.subscriptions) if (!this.secrets.has(s.url)) this.secrets.set(s.url, s.secret)
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 6)
    this.retryDelayMs = options.retryDelayMs ?? defaultRetryDelayMs
    this.timeoutMs = options.timeoutMs ?? 15_000
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 16)
    this.doFetch = options.fetch
    this.log = options.log ?? (() => {})
  }

  /** The subscription urls that get deliveries (the rows `Store.finishRenders` writes). */
  get urls(): string[] {
    return [...this.secrets.keys()]
  }

  /** Schedules the deliveries a previous process left pending (after a restart or a crash); returns how many. */
  async resume(): Promise<number> {
    if (this.secrets.size === 0) return 0
    const rows = await this.store.pendingDeliveries(this.urls)
    for (const row of rows) this.schedule(row)
    return rows.length
  }

  /** Schedules rows just committed by `Store.finishRenders`. */
  add(rows: DeliveryRow[]): void {
    for (const row of rows) if (this.secrets.has(row.subscription_url)) this.schedule(row)
  }

  /** Resolves when no delivery is in flight, due or waiting for a retry, and every outcome is recorded. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /**
   * Stops: aborts attempts in flight (their outcome is not recorded, so they are attempted again, with the same
   * delivery id, by the next process on this data folder), cancels timers, and waits for recorded outcomes to be
   * written. Pending rows stay pending in the database.
   */
  async close(): Promise<void> {
    this.closing.abort()
    for (const t of this.timers.values()) clearTimeout(t)
    this.timers.clear()
    this.ready = []
    await Promise.allSettled([...this.inFlight.values()])
    await this.flushing
    this.settle()
  }

  private schedule(row: DeliveryRow): void {
    if (this.closing.signal.aborted || this.inFlight.has(row.id) || this.timers.has(row.id)) return
    const wait = new Date(row.next_attempt_at).getTime() - Date.now()
    if (wait <= 0) {
      this.ready.push(row)
      this.pump()
      return
    }
    this.timers.set(
      row.id,
      setTimeout(() => {
        this.timers.delete(row.id)
        this.ready.push(row)
        this.pump()
      }, wait),
    )
  }

  private pump(): void {
    while (!this.closing.signal.aborted && this.inFlight.size < this.maxInFlight && this.ready.length > 0) {
      const row = this.ready.shift()!
      const run = this.attempt(row)
        .catch((err: unknown) => {
          this.log(`webhook ${row.event} ${row.id}: unexpected error ${(err as Error).message}`)
          return undefined
        })
        .then((retry) => {
          this.inFlight.delete(row.id)
          if (retry) this.schedule(retry)
          this.pump()
          this.settle()
        })
      this.inFlight.set(row.id, run)
    }
  }

  /** One attempt and its recorded outcome; returns the row to attempt again later, if any. */
  private async attempt(row: DeliveryRow): Promise<DeliveryRow | undefined> {
    const secret = this.secrets.get(row.subscription_url)
    if (secret === undefined) return undefined
    const n = row.attempts + 1
    const target = safeUrl(row.subscription_url)
    const failure = await postWebhook({
      url: row.subscription_url,
      secret,
      event: row.event,
      rawBody: row.body,
      deliveryId: row.id,
      timeoutMs: this.timeoutMs,
      ...(this.doFetch ? { fetch: this.doFetch } : {}),
      signal: this.closing.signal,
    })
    // Closing: the outcome is unknown to us, so the row stays as it was and the next start attempts it again.
    if (this.closing.signal.aborted) return undefined
    const at = new Date()
    if (failure === null) {
      this.record({ id: row.id, status: 'delivered', attempts: n, nextAttemptAt: at, lastError: null, at })
      this.log(`webhook ${row.event} ${row.id} -> ${target}: delivered (attempt ${n})`)
      return undefined
    }
    if (n >= this.maxAttempts) {
      this.record({ id: row.id, status: 'abandoned', attempts: n, nextAttemptAt: at, lastError: failure, at })
      this.log(`webhook ${row.event} ${row.id} -> ${target}: abandoned after ${n} attempts (last: ${failure})`)
      return undefined
    }
    const delay = this.retryDelayMs(n)
    const nextAttemptAt = new Date(at.getTime() + Math.max(0, delay))
    this.record({ id: row.id, status: 'pending', attempts: n, nextAttemptAt, lastError: failure, at })
    this.log(`webhook ${row.event} ${row.id} -> ${target}: attempt ${n} failed (${failure}), retrying in ${delay} ms`)
    return { ...row, attempts: n, next_attempt_at: nextAttemptAt, last_error: failure }
  }

  /** Outcomes are written in batches: one UPDATE for all that arrived while the previous write ran. */
  private record(update: AttemptRecord): void {
    this.writes.push(update)
    this.flushing ??= (async () => {
      // A short wait gathers the outcomes of concurrent deliveries into one UPDATE. Losing it to a crash only
      // means those deliveries are sent again, with the same id (at least once).
      await new Promise((resolve) => setTimeout(resolve, RECORD_BATCH_MS))
      try {
        while (this.writes.length > 0) {
          const batch = this.writes
          this.writes = []
          try {
            await this.store.recordDeliveryAttempts(batch)
          } catch (err) {
            this.log(`webhook outbox: could not record ${batch.length} attempt(s): ${(err as Error).message}`)
          }
        }
      } finally {
        this.flushing = undefined
        this.settle()
      }
    })()
  }

  private isIdle(): boolean {
    return this.ready.length === 0 && this.timers.size === 0 && this.inFlight.size === 0 && this.flushing === undefined
  }

  private settle(): void {
    if (!this.isIdle()) return
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const w of waiters) w()
  }
}
