/**
 * @module The render worker (a `worker_threads` entry, built to `dist/render-worker.mjs`): runs pdfkit off the
 * server's event loop. One task at a time: `{ id, task, imageTimeoutMs }` in, `{ id, errorMessage, unexpected? }`
 * out. The PDF is written here, so only a short message crosses back to the main thread.
 */
import { parentPort } from 'node:worker_threads'
import type { RenderTask } from './queue.ts'
import { performRenderTask } from './render/task.ts'

if (!parentPort) throw new Error('render-worker.mjs runs as a worker thread of @galley/emulator')
const port = parentPort
port.on('message', (msg: { id: number; task: RenderTask; imageTimeoutMs: number }) => {
  void performRenderTask(msg.task, msg.imageTimeoutMs, false).then((result) => port.postMessage({ id: msg.id, ...result }))
})
port.postMessage({ ready: true })
