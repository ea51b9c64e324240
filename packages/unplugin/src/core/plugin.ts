import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import type { UnpluginBuildContext, UnpluginContext, UnpluginFactory, UnpluginOptions } from 'unplugin'
import type { Compiler as WebpackCompiler } from 'webpack'
import { resolveOptions, type GalleyPluginOptions } from '../options.ts'
import { GalleyContext } from './context.ts'
import { firstLocation, MESSAGE_PREFIX } from './messages.ts'
import { guardMessage, isBrowserTarget, matchGuardedImport } from './guard.ts'
import { viteDevHooks } from './vite.ts'
import { applyWebpackLike, failCompilation, warnCompilation, type CompilationLike } from './webpack.ts'

/** The plugin's name in every bundler. */
export const PLUGIN_NAME = 'galley'

type BuildThis = UnpluginBuildContext & Partial<UnpluginContext> & { meta?: { watchMode?: boolean }; environment?: { name: string; config: { consumer?: string } } }

/**
 * The factory behind every bundler's plugin (`@galley/unplugin/vite`, `/webpack`, `/rollup`, `/esbuild`, `/rspack`):
 *
 * - build start: lint and generate through the engine (`GenerateSession.run`, the same bytes as `galley generate`),
 *   writing only when the bytes differ; a production build fails on lint errors or a failed generation;
 * - dev and watch builds: the plugin's own watcher regenerates on every change; errors are shown and the server
 *   or watch keeps running;
 * - the server-only guard: the generated module and `@galley/client` in a browser bundle are a build error;
 * - `dev.emulator`: the local emulator for dev servers and watch builds.
 */
export const unpluginFactory: UnpluginFactory<GalleyPluginOptions | undefined, false> = (rawOptions, meta) => {
  const options = resolveOptions(rawOptions)
  const ctx = new GalleyContext(options)
  const framework = meta.framework
  let viteCommand: 'serve' | 'build' | undefined
  let compiler: WebpackCompiler | undefined
  let esbuildPlatform: string | undefined

  /** Whether the current resolve happens for a browser bundle. Rollup does not say: it is never treated as one. */
  const browserBundle = (context: BuildThis, resolveOptions: unknown): string | null => {
    if (framework === 'vite') {
      const environment = context.environment
      if (environment) return environment.config.consumer === 'client' ? `Vite environment "${environment.name}"` : null
      return (resolveOptions as { ssr?: boolean } | undefined)?.ssr ? null : 'Vite client build'
    }
    if (framework === 'webpack' || framework === 'rspack') {
      const target = compiler?.options.target
      return isBrowserTarget(target) ? `${framework} target ${JSON.stringify(target ?? 'web')}` : null
    }
    if (framework === 'esbuild') return esbuildPlatform === undefined || esbuildPlatform === 'browser' ? `esbuild platform "${esbuildPlatform ?? 'browser'}"` : null
    return null
  }

  /** Lints and generates; in a production build a failure fails the build, in dev and watch it is shown. */
  async function buildStart(this: BuildThis): Promise<void> {
    const native = this.getNativeBuildContext?.()
    const compilation = native && (native.framework === 'webpack' || native.framework === 'rspack') ? (native.compilation as unknown as CompilationLike | undefined) : undefined
    // A one-off production build may take the build stamp's word that nothing changed; a watch build or a dev
    // emulator needs the engine's session anyway.
    const watchMode = this.meta?.watchMode === true || compiler?.watchMode === true
    const result = await ctx.generate(undefined, undefined, !watchMode && !options.dev.emulator)
    if (result.templatesDir !== undefined) {
      // Watch builds see template edits (rollup, webpack, rspack): the templates folder (new files too, for
      // webpack and rspack) and the generated files are dependencies of the build.
      if (compilation) compilation.contextDependencies.add(result.templatesDir)
      for (const file of result.watchFiles) this.addWatchFile(file)
      for (const file of ctx.outputFiles) this.addWatchFile(file)
    }
    if (compilation && compiler) {
      if (result.warnings) warnCompilation(compiler, compilation, result.warnings)
      if (result.failure) failCompilation(compiler, compilation, result.failure)
      return
    }
    if (result.warnings) this.warn?.(result.warnings)
    if (result.failure) {
      const loc = firstLocation(result.errors, ctx.root)
      const error = { message: result.failure, plugin: PLUGIN_NAME, ...(result.errors[0] ? { code: result.errors[0].code } : {}), ...(loc ? { id: loc.file, loc } : {}) }
      if (this.error) this.error(error)
      else throw new Error(result.failure)
    }
  }

  const plugin: UnpluginOptions = {
    name: PLUGIN_NAME,
    enforce: 'pre',

    async buildStart() {
      const context = this as BuildThis
      if (framework === 'esbuild') return // esbuild.setup's onStart does it, with errors esbuild can show
      if (framework === 'vite' && viteCommand === 'serve') return // configureServer does it, and never throws
      if (framework === 'rollup' || framework === 'vite') {
        if (context.meta?.watchMode && !ctx.watching) {
          const onError = (text: string) => context.warn?.(text)
          if (options.dev.emulator) {
            await ctx.startEmulator()
            const first = await ctx.generate()
            if (first.ok) await ctx.publish(first.sources, undefined, onError)
          }
          await ctx.startWatching((result) => {
            if (result.failure) onError(result.failure)
          }, onError)
        }
      }
      await buildStart.call(context)
    },

    resolveId(id, importer, resolveOptions) {
      if (!importer) return null
      const found = matchGuardedImport(id, importer, ctx.outputFiles)
      if (!found) return null
      const bundle = browserBundle(this as BuildThis, resolveOptions)
      if (!bundle) return null
      const message = ctx.redact(guardMessage(found, importer, bundle, (f) => ctx.shown(f)))
      // unplugin's esbuild adapter drops errors of a resolveId that returns nothing: throw, esbuild reports it.
      if (framework === 'esbuild') throw new Error(message)
      this.error({ message, plugin: PLUGIN_NAME, code: 'galley-server-only', id: importer })
      return null
    },

    vite: {
      configResolved(config) {
        ctx.setRoot(config.root)
        viteCommand = config.command
      },
      // `vite build --watch`: the plugin's watcher started at build start stops with Rollup's.
      async closeWatcher() {
        await ctx.close()
      },
      ...viteDevHooks(ctx),
    },

    rollup: {
      async closeWatcher() {
        await ctx.close()
      },
    },

    webpack(webpackCompiler) {
      compiler = webpackCompiler
      applyWebpackLike(webpackCompiler, ctx, PLUGIN_NAME)
    },

    rspack(rspackCompiler) {
      compiler = rspackCompiler as unknown as WebpackCompiler
      applyWebpackLike(rspackCompiler, ctx, PLUGIN_NAME)
    },

    esbuild: {
      setup(build) {
        ctx.setRoot(build.initialOptions.absWorkingDir ?? process.cwd())
        esbuildPlatform = build.initialOptions.platform
        // esbuild's onStart can return errors (the build fails; `context.watch()` reports them and keeps
        // watching). Its plugin API has no watch signal and no addWatchFile here: see the README.
        build.onStart(async () => {
          const result = await ctx.generate()
          const toMessage = (text: string) => {
            const loc = firstLocation(result.errors, ctx.root)
            return { text, pluginName: PLUGIN_NAME, ...(loc ? { location: { file: loc.file, line: loc.line, column: loc.column - 1 } } : {}) }
          }
          return {
            errors: result.failure ? [toMessage(result.failure)] : [],
            warnings: result.warnings ? [toMessage(result.warnings)] : [],
          }
        })
        // esbuild has no addWatchFile outside onResolve/onLoad: load the generated module here (as esbuild would,
        // with the ts loader) so that it carries the template files and folder as watch inputs, and
        // `context.watch()` rebuilds on a template edit (onStart then regenerates).
        build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
          if (!ctx.outputFiles.includes(args.path)) return undefined
          const session = await ctx.getSession()
          const sources = (await session.loadProject()).sources
          return {
            contents: await readFile(args.path, 'utf8'),
            loader: args.path.endsWith('x') ? 'tsx' : args.path.endsWith('ts') ? 'ts' : 'js',
            watchFiles: sources.map((source) => resolve(session.root, source.file)),
            watchDirs: [session.templatesDir, ...sources.map((source) => dirname(resolve(session.root, source.file)))],
          }
        })
        build.onDispose(() => void ctx.close())
      },
    },
  }
  return plugin
}

export { MESSAGE_PREFIX }
