/**
 * @module The worker of `startImpactAnalysis`: prepares an `ImpactSession` (loads TypeScript, parses and binds the
 * consuming projects) as soon as it starts, while the main thread plans and compiles the data types; then prints
 * the new modules from the sources and data types it is sent (so that only this thread loads TypeScript) and runs
 * one analysis.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { saveCodeCache } from './code-cache.ts'
import { generateImpactModules, ImpactSession, type PrepareImpactOptions, type RunImpactFromSources } from './impact.ts'

const session = new ImpactSession(workerData as PrepareImpactOptions)
parentPort!.on('message', async (options: RunImpactFromSources) => {
  try {
    const result = session.run(await generateImpactModules(options))
    // Before the answer: the main thread terminates this worker once it has it.
    saveCodeCache()
    parentPort!.postMessage({ result })
  } catch (error) {
    const e = error as { code?: unknown; message?: unknown; hint?: unknown; stack?: unknown }
    parentPort!.postMessage({
      error: { code: typeof e?.code === 'string' ? e.code : undefined, message: String(e?.message ?? error), hint: typeof e?.hint === 'string' ? e.hint : undefined, stack: String(e?.stack ?? '') },
    })
  }
})
