import { renameSync, writeFileSync } from 'node:fs'
import type { RenderTask } from '../queue.ts'
import { RenderFailure, renderDocument } from './index.ts'

/** What a render attempt produced: `errorMessage` null on success; `unexpected` when it was not a RenderFailure. */
export interface RenderTaskResult {
  errorMessage: string | null
  /** The renderer threw something other than a RenderFailure (a bug or an injected fault): its state is suspect. */
  unexpected?: { stack: string }
}

/**
 * Renders one task and writes its PDF (temp file + rename): the body of a render worker, and of the in-process
 * renderer (`renderWorkers: 0`). Injected faults (tests only): `throw` throws from the renderer, `crash` throws
 * outside any handler (the worker dies), `hang` blocks the thread for good (only a terminate ends it), or, on the
 * main thread, never settles.
 */
export async function performRenderTask(task: RenderTask, imageTimeoutMs: number, onMainThread: boolean): Promise<RenderTaskResult> {
  try {
    if (task.fault === 'throw') throw new Error('injected fault: the renderer threw')
    if (task.fault === 'crash') {
      if (onMainThread) throw new Error('injected fault: the renderer crashed')
      setImmediate(() => {
        throw new Error('injected fault: the render worker crashed')
      })
      return await new Promise<never>(() => {})
    }
    if (task.fault === 'hang') {
      if (onMainThread) return await new Promise<never>(() => {})
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)
    }
    const pdf = await renderDocument(task.input, { imageTimeoutMs })
    const tmp = `${task.path}.tmp-${process.pid}-${task.renderId}`
    writeFileSync(tmp, pdf)
    renameSync(tmp, task.path)
    return { errorMessage: null }
  } catch (error) {
    if (error instanceof RenderFailure) return { errorMessage: error.message }
    const e = error instanceof Error ? error : new Error(String(error))
    return { errorMessage: `Render failed: ${e.message}`, unexpected: { stack: e.stack ?? e.message } }
  }
}
