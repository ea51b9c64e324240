/**
 * @module The render worker (a `worker_threads` entry, built to `dist/render-worker.mjs`): runs pdfkit off the
 * server's event loop. One task at a time: `{ id, task, imageTimeoutMs }` in, `{ id, errorMessage, unexpected? }`
 * out. The PDF is written here, so only a short message crosses back to the main thread.
 */
import { parentPort } from 'node:worker_threads'
import type { RenderTask } from './queue.ts'
import type { RenderDocumentInput } from './render/index.ts'
import { performRenderTask } from './render/task.ts'

if (!parentPort) throw new Error('render-worker.mjs runs as a worker thread of @galley/emulator')
const port = parentPort
/** Versions already received (by `versionKey`): the pool sends a version's content once per worker. */
const versions = new Map<string, RenderDocumentInput>()
port.on('message', (msg: { id: number; task: RenderTask; cached: boolean; imageTimeoutMs: number }) => {
  const { task } = msg
  let input = task.input
  if (msg.cached) {
    const version = versions.get(task.versionKey)
    if (!version) {
      port.postMessage({ id: msg.id, errorMessage: 'Render failed: the render worker lost its template version' })
      return
    }
    input = { ...version, data: task.input.data }
  } else {
    versions.set(task.versionKey, { ...input, data: {} })
  }
  void performRenderTask({ ...task, input }, msg.imageTimeoutMs, false).then((result) => port.postMessage({ id: msg.id, ...result }))
})
port.postMessage({ ready: true })
