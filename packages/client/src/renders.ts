import { CraftkitError } from './errors.ts'
import { request, sleep, type HttpContext } from './http.ts'
import type { CreatedRender, Render, RenderRequestBody } from './types.ts'

/** Per-call options of `renders.create`. */
export interface RenderCreateOptions {
  /**
   * Sent as the `Idempotency-Key` header (it wins over `body.jobId`). With a key (here or as `jobId`) a repeat
   * returns the first render instead of queueing another, so the client retries the POST after transient failures.
   */
  idempotencyKey?: string
  signal?: AbortSignal
}

/** What `renders.wait` reports after each poll that found the render unfinished. */
export interface PollEvent {
  /** Polls (GETs) made so far: 0 when `wait` was given a render object and has not polled yet. */
  attempt: number
  /** The render as the last poll (or the caller) gave it. */
  render: Render
  /** The wait before the next poll: 250 ms doubling to a 5 s cap (less when the deadline is nearer). */
  delayMs: number
}

/** Options of `renders.wait`. */
export interface WaitOptions {
  /**
   * Deadline of the whole wait; past it the wait rejects with code `wait_timeout`.
   * @default 30000
   */
  timeoutMs?: number
  /** Aborting rejects the wait with code `aborted` (the render itself goes on: Craftkit has no cancellation). */
  signal?: AbortSignal
  /** Called whenever the render is found unfinished, with the delay before the next poll. */
  onPoll?: (event: PollEvent) => void
  /**
   * First poll delay; it doubles after each poll.
   * @default 250
   */
  initialDelayMs?: number
  /**
   * Cap of the poll delay.
   * @default 5000
   */
  maxDelayMs?: number
}

/** Options of `renders.download`. */
export interface DownloadOptions {
  signal?: AbortSignal
}

export interface RendersApi {
  /**
   * Queues a render of the template's current (or pinned) version. Resolves with the queued render, or with the
   * earlier render of the same idempotency key (`replayed: true`, in its current state).
   */
  create(slug: string, body: RenderRequestBody, options?: RenderCreateOptions): Promise<CreatedRender>
  /** The render's current state. */
  get(id: string, options?: { signal?: AbortSignal }): Promise<Render>
  /**
   * Polls until the render finished: resolves with it when `succeeded`, rejects with code `render_failed` (its
   * `errorMessage` in the message) when `failed`, or `wait_timeout` past the deadline. A render object that is
   * already finished resolves (or rejects) without a request.
   */
  wait(idOrRender: string | Render, options?: WaitOptions): Promise<Render>
  /**
   * The PDF of a succeeded render: from its public `downloadUrl` when it has one (fetched without the API key),
   * else from the private stream `GET /v1/embed/renders/:id/download`. Checks that the bytes are a PDF.
   */
  download(idOrRender: string | Render, options?: DownloadOptions): Promise<Uint8Array>
}

/** How long the last poll may run past the wait's deadline (a slow or retried GET). */
const POLL_GRACE_MS = 2000

export function createRendersApi(ctx: HttpContext): RendersApi {
  const key = (): string | undefined => ctx.apiKey()

  const get: RendersApi['get'] = async (id, options) => {
    const res = await request<Render>(ctx, { method: 'GET', path: `/v1/renders/${enc(id)}`, safe: true, signal: options?.signal, response: 'json' })
    return res.data
  }

  const create: RendersApi['create'] = async (slug, body, options) => {
    const headers: Record<string, string> = {}
    if (options?.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey
    const keyed = options?.idempotencyKey !== undefined || (typeof body.jobId === 'string' && body.jobId !== '')
    const res = await request<Render>(ctx, {
      method: 'POST',
      path: `/v1/templates/${enc(slug)}/render`,
      body,
      headers,
      // Without an idempotency key a repeat after an ambiguous failure could queue a second render.
      safe: keyed,
      signal: options?.signal,
      response: 'json',
    })
    return { ...res.data, replayed: res.status === 200 }
  }

  const wait: RendersApi['wait'] = async (idOrRender, options = {}) => {
    const timeoutMs = options.timeoutMs ?? 30_000
    const initial = options.initialDelayMs ?? 250
    const cap = options.maxDelayMs ?? 5000
    const started = Date.now()
    const deadline = started + timeoutMs
    const id = typeof idOrRender === 'string' ? idOrRender : idOrRender.id
    const base = { method: 'GET', path: `/v1/renders/${enc(id)}` }
    let current: Render | undefined
    const timedOut = (): CraftkitError =>
      new CraftkitError({
        ...base,
        status: 0,
        code: 'wait_timeout',
        retryable: true,
        message: `Render ${id} was still ${current?.status ?? 'unread'} after ${timeoutMs} ms; wait again (renders.wait) or raise timeoutMs.`,
      })
    // One poll (with the request layer's own retries) may run past the deadline by POLL_GRACE_MS at most.
    const poll = async (): Promise<Render> => {
      const limit = AbortSignal.timeout(Math.max(0, deadline - Date.now()) + POLL_GRACE_MS)
      try {
        return await get(id, { signal: options.signal ? AbortSignal.any([options.signal, limit]) : limit })
      } catch (error) {
        if (error instanceof CraftkitError && error.code === 'aborted' && limit.aborted && !options.signal?.aborted) throw timedOut()
        throw error
      }
    }
    // An id is polled at once; a render object was just read, so the first poll comes after the first delay.
    let attempt = 0
    if (typeof idOrRender === 'string') {
      attempt++
      current = await poll()
    } else {
      current = idOrRender
    }
    let delay = initial
    for (;;) {
      if (current.status === 'succeeded') return current
      if (current.status === 'failed' || current.status === 'cancelled') {
        throw new CraftkitError({
          ...base,
          status: 0,
          code: 'render_failed',
          retryable: false,
          message: `Render ${id} ${current.status}: ${current.errorMessage ?? 'no error message'}. Retrying with the same idempotency key returns this failed render; use a new key to render again.`,
        })
      }
      const remaining = deadline - Date.now()
      if (remaining <= 0) throw timedOut()
      const next = Math.min(delay, remaining)
      options.onPoll?.({ attempt, render: current, delayMs: next })
      await sleep(next, options.signal, base, undefined, key())
      delay = Math.min(delay * 2, cap)
      attempt++
      current = await poll()
    }
  }

  const download: RendersApi['download'] = async (idOrRender, options) => {
    let render = typeof idOrRender === 'string' ? await get(idOrRender, options) : idOrRender
    if (render.status !== 'succeeded') {
      // A render object may be stale (the queued one from create): look again before refusing.
      render = await get(render.id, options)
    }
    const base = { method: 'GET', path: `/v1/renders/${enc(render.id)}` }
    if (render.status !== 'succeeded') {
      throw new CraftkitError({
        ...base,
        status: 0,
        code: 'not_ready',
        retryable: render.status === 'queued' || render.status === 'rendering',
        message: `Render ${render.id} is ${render.status}, so it has no PDF${render.errorMessage ? ` (${render.errorMessage})` : ''}; await renders.wait() first.`,
      })
    }
    let bytes: Uint8Array | undefined
    if (render.downloadUrl) {
      try {
        // The public URL may be on another host (a CDN): never send the key there.
        bytes = (await request<Uint8Array>(ctx, { method: 'GET', path: render.downloadUrl, auth: false, safe: true, signal: options?.signal, response: 'bytes' })).data
      } catch (error) {
        // A public bucket that refuses or lost the object: the private stream still has it.
        if (!(error instanceof CraftkitError) || error.status < 400 || error.status >= 500) throw error
      }
    }
    bytes ??= (
      await request<Uint8Array>(ctx, { method: 'GET', path: `/v1/embed/renders/${enc(render.id)}/download`, safe: true, signal: options?.signal, response: 'bytes' })
    ).data
    if (!isPdf(bytes)) {
      throw new CraftkitError({
        ...base,
        status: 200,
        code: 'invalid_response',
        retryable: false,
        message: `The download of render ${render.id} is not a PDF (${bytes.byteLength} bytes, no %PDF- header).`,
      })
    }
    return bytes
  }

  return { create, get, wait, download }
}

function isPdf(bytes: Uint8Array): boolean {
  // %PDF-
  return bytes.byteLength >= 5 && bytes[0] === 0x25 && bytes[1] === 0x50 && bytes[2] === 0x44 && bytes[3] === 0x46 && bytes[4] === 0x2d
}

export function enc(segment: string): string {
  return encodeURIComponent(segment)
}
