/**
 * @module The worker of `startImpactAnalysis`: prepares an `ImpactSession` (loads TypeScript, parses and binds the
 * consuming projects) as soon as it starts, while the main thread plans and generates; then runs one analysis.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { ImpactSession, type PrepareImpactOptions, type RunImpactOptions } from './impact.ts'

const session = new ImpactSession(workerData as PrepareImpactOptions)
parentPort!.on('message', (options: RunImpactOptions) => {
  try {
    parentPort!.postMessage({ result: session.run(options) })
  } catch (error) {
    const e = error as { code?: unknown; message?: unknown; hint?: unknown; stack?: unknown }
    parentPort!.postMessage({
      error: { code: typeof e?.code === 'string' ? e.code : undefined, message: String(e?.message ?? error), hint: typeof e?.hint === 'string' ? e.hint : undefined, stack: String(e?.stack ?? '') },
    })
  }
})
