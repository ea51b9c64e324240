import type { HotPayload, Plugin, ViteDevServer } from 'vite'
import type { GalleyContext, GenerateResult } from './context.ts'
import { firstLocation } from './messages.ts'

/**
 * Vite's dev server: the first generation before any request, the plugin's own watcher, and what each result
 * does to the server. Errors go to the terminal (`logger.error`) and to the browser's error overlay; the server
 * stays up. After a write, the generated module and its importers are invalidated in every environment's module
 * graph (client and SSR), and the browser reloads.
 */
export function viteDevHooks(ctx: GalleyContext): Pick<Plugin, 'configureServer' | 'closeServer'> {
  return {
    async configureServer(server) {
      if (ctx.options.dev.emulator) await ctx.startEmulator()
      const first = await ctx.generate()
      report(server, ctx, first)
      const onError = (text: string) => server.config.logger.error(text, { timestamp: true })
      if (first.ok) await ctx.publish(first.sources, undefined, onError)
      let failed = !first.ok
      await ctx.startWatching((result) => {
        report(server, ctx, result)
        // A recovery reloads even when the bytes did not change, to clear the overlay.
        if (result.ok && (result.written.length > 0 || failed)) reload(server, result.written)
        failed = !result.ok
      }, onError)
      server.httpServer?.once('close', () => void ctx.close())
    },
    async closeServer() {
      await ctx.close()
    },
  }
}

function report(server: ViteDevServer, ctx: GalleyContext, result: GenerateResult): void {
  const logger = server.config.logger
  if (result.warnings) logger.warn(result.warnings, { timestamp: true })
  if (!result.failure) return
  logger.error(result.failure, { timestamp: true })
  const loc = firstLocation(result.errors, ctx.root)
  const err = {
    message: result.failure,
    stack: '',
    plugin: 'galley',
    ...(loc ? { id: loc.file, loc } : {}),
  }
  hot(server).send({ type: 'error', err })
}

function reload(server: ViteDevServer, written: string[]): void {
  const timestamp = Date.now()
  for (const environment of Object.values(server.environments)) {
    const seen = new Set<never>()
    for (const file of written) {
      for (const mod of environment.moduleGraph.getModulesByFile(file) ?? []) {
        // Invalidates the importers too (up to an HMR boundary), so the next SSR load re-runs them.
        environment.moduleGraph.invalidateModule(mod, seen as Set<typeof mod>, timestamp, true)
      }
    }
  }
  // The generated module is plain data and functions with no HMR boundary: reload the page (this also clears
  // an error overlay left by an earlier failure).
  hot(server).send({ type: 'full-reload', path: '*' })
}

function hot(server: ViteDevServer): { send: (payload: HotPayload) => void } {
  return server.environments?.client?.hot ?? server.ws
}
