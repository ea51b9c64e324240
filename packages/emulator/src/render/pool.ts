import { Worker } from 'node:worker_threads'
import { GalleyError } from '@galley/core'
import type { Renderer, RenderTask } from '../queue.ts'
import { workerFile } from '../worker-file.ts'
import { performRenderTask, type RenderTaskResult } from './task.ts'

export interface RenderPoolOptions {
  /** Worker threads; each renders one task at a time. */
  size: number
  imageTimeoutMs: number
  /** A render still running after this long fails, and its worker is terminated and replaced. */
  timeoutMs: number
  logError: (line: string) => void
}

interface Slot {
  worker: Worker
  /** The worker has loaded its modules: its start-up does not count against a render's time limit. */
  ready: boolean
  /** Versions this worker has been sent (`versionKey`): later tasks send only their data. */
  known: Set<string>
  task?: { id: number; task: RenderTask; resolve: (message: string | null) => void; timer?: NodeJS.Timeout }
}

/** The render worker's file (`dist/render-worker.mjs`). */
export function renderWorkerFile(): URL {
  try {
    return workerFile('render-worker.mjs')
  } catch (error) {
    throw new GalleyError('emulator_render_worker', (error as Error).message, {
      hint: 'Build @galley/emulator (pnpm --filter @galley/emulator build), or pass renderWorkers: 0 to render on the main thread.',
    })
  }
}

/**
 * A pool of render workers (`worker_threads`), started on demand up to `size`. A task that throws fails with a
 * message; a worker that crashes or a task that runs past `timeoutMs` fails that task, and the worker is replaced
 * (terminated, a new one started on the next task). The main thread never runs pdfkit.
 */
export class RenderPool implements Renderer {
  private readonly options: RenderPoolOptions
  private readonly file: URL
  private readonly slots: Slot[] = []
  private readonly waiting: { task: RenderTask; resolve: (message: string | null) => void }[] = []
  private nextId = 1
  private closed = false

  constructor(options: RenderPoolOptions) {
    this.options = options
    this.file = renderWorkerFile()
  }

  render(task: RenderTask): Promise<string | null> {
    if (this.closed) return Promise.resolve('The emulator is shutting down')
    return new Promise((resolve) => {
      this.waiting.push({ task, resolve })
      this.dispatch()
    })
  }

  /** Terminates every worker (the queue has already waited for its renders). */
  async close(): Promise<void> {
    this.closed = true
    for (const w of this.waiting.splice(0)) w.resolve('The emulator is shutting down')
    await Promise.allSettled(this.slots.splice(0).map((s) => this.retire(s, 'The emulator is shutting down')))
  }

  private dispatch(): void {
    while (this.waiting.length > 0) {
      let slot = this.slots.find((s) => s.task === undefined)
      if (!slot && this.slots.length < this.options.size) {
        slot = this.spawn()
        this.slots.push(slot)
      }
      if (!slot) return
      const { task, resolve } = this.waiting.shift()!
      slot.task = { id: this.nextId++, task, resolve }
      if (slot.ready) this.start(slot)
    }
  }

  /** Sends the slot's task to its worker and starts the time limit. */
  private start(slot: Slot): void {
    const current = slot.task
    if (!current || current.timer) return
    const id = current.id
    current.timer = setTimeout(() => {
      if (slot.task?.id !== id) return
      this.replace(slot, `The render did not finish within ${this.options.timeoutMs} ms`)
    }, this.options.timeoutMs)
    const { task } = current
    const cached = slot.known.has(task.versionKey)
    slot.known.add(task.versionKey)
    // A version's manifest and layout cross to a worker once; later renders of it send only their data.
    const sent = cached ? { ...task, input: { data: task.input.data } } : task
    slot.worker.postMessage({ id, task: sent, cached, imageTimeoutMs: this.options.imageTimeoutMs })
  }

  private spawn(): Slot {
    const worker = new Worker(this.file, { name: 'galley-render' })
    const slot: Slot = { worker, ready: false, known: new Set() }
    worker.unref()
    worker.on('message', (msg: ({ id: number } & RenderTaskResult) | { ready: true }) => {
      if (slot.worker !== worker) return
      if (!('id' in msg)) {
        slot.ready = true
        this.start(slot)
        return
      }
      if (slot.task?.id !== msg.id) return
      const { resolve, timer, task } = slot.task
      clearTimeout(timer)
      slot.task = undefined
      if (msg.unexpected) {
        this.options.logError(`render ${task.renderId}: ${msg.unexpected.stack}`)
        // It threw something unexpected: start from a clean worker.
        void this.retire(slot)
        this.slots.splice(this.slots.indexOf(slot), 1)
      }
      resolve(msg.errorMessage)
      this.dispatch()
    })
    worker.on('error', (error) => {
      if (slot.worker !== worker) return
      this.options.logError(`render worker crashed: ${error.stack ?? error.message}`)
      this.replace(slot, `The renderer crashed: ${error.message}`)
    })
    worker.on('exit', (code) => {
      if (slot.worker !== worker || this.closed) return
      this.replace(slot, `The renderer stopped unexpectedly (exit code ${code})`)
    })
    return slot
  }

  /** Fails the slot's task with `message`, terminates its worker and frees the place for a new one. */
  private replace(slot: Slot, message: string): void {
    const index = this.slots.indexOf(slot)
    if (index < 0) return
    this.slots.splice(index, 1)
    void this.retire(slot, message)
    this.dispatch()
  }

  private async retire(slot: Slot, message?: string): Promise<void> {
    const { worker, task } = slot
    slot.task = undefined
    // Detach first: the messages and exit of a retired worker no longer concern the pool.
    slot.worker = undefined as unknown as Worker
    if (task) {
      clearTimeout(task.timer)
      task.resolve(message ?? 'The emulator is shutting down')
    }
    worker.removeAllListeners('message')
    worker.on('error', () => {})
    await worker.terminate().catch(() => undefined)
  }
}

/**
 * The in-process renderer (`renderWorkers: 0`): pdfkit on the main thread, as before the pool. A render past
 * `timeoutMs` fails, but its work cannot be stopped.
 */
export class InlineRenderer implements Renderer {
  constructor(private readonly options: { imageTimeoutMs: number; timeoutMs: number; logError: (line: string) => void }) {}

  async render(task: RenderTask): Promise<string | null> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<RenderTaskResult>((resolve) => {
      timer = setTimeout(() => resolve({ errorMessage: `The render did not finish within ${this.options.timeoutMs} ms` }), this.options.timeoutMs)
    })
    try {
      const result = await Promise.race([performRenderTask(task, this.options.imageTimeoutMs, true), timeout])
      if (result.unexpected) this.options.logError(`render ${task.renderId}: ${result.unexpected.stack}`)
      return result.errorMessage
    } finally {
      clearTimeout(timer)
    }
  }

  async close(): Promise<void> {}
}
