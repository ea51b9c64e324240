/**
 * @module The worker of `startImpactAnalysis`: loads TypeScript and parses the projects' tsconfigs and lib files
 * as soon as it starts (`warmImpactAnalysis`), while the main thread plans and compiles the data types; then, told
 * which templates change, parses the files that name them, prints the new modules from the sources and data types
 * it is sent (so that only this thread loads TypeScript), and runs one analysis.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { saveCodeCache } from './code-cache.ts'
import { generateImpactModules, ImpactSession, warmImpactAnalysis, type PrepareImpactOptions, type RunImpactFromSources } from './impact.ts'

const prepare = workerData as PrepareImpactOptions
warmImpactAnalysis(prepare)
parentPort!.on('message', async (options: RunImpactFromSources) => {
  try {
    const session = new ImpactSession({ ...prepare, focus: options.changes.map((c) => c.slug) })
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
