import type { Compiler as WebpackCompiler } from 'webpack'
import type { Compiler as RspackCompiler } from '@rspack/core'
import type { GalleyContext } from './context.ts'

type AnyCompiler = WebpackCompiler | RspackCompiler
/** The part of a webpack or rspack compilation the plugin touches. */
export interface CompilationLike {
  errors: unknown[]
  warnings: unknown[]
  fileDependencies: { add(file: string): unknown }
  contextDependencies: { add(dir: string): unknown }
}

/**
 * webpack and rspack: the root is `compiler.context`; a watch build (`compiler.watch`, webpack-dev-server) starts
 * the plugin's own watcher on its first run and stops it (and the emulator) on `watchClose`. The watcher writes the
 * generated file; the bundler's own watch of that file (a module of the build) triggers the rebuild.
 */
export function applyWebpackLike(compiler: AnyCompiler, ctx: GalleyContext, name: string): void {
  ctx.setRoot(compiler.context)
  const logger = compiler.getInfrastructureLogger(name)
  const onError = (text: string) => logger.error(text)
  const hooks = compiler.hooks as WebpackCompiler['hooks']
  hooks.watchRun.tapPromise(name, async () => {
    if (ctx.watching) return
    if (ctx.options.dev.emulator) {
      await ctx.startEmulator()
      const first = await ctx.generate()
      if (first.ok) await ctx.publish(first.sources, undefined, onError)
    }
    await ctx.startWatching((result) => {
      if (result.failure) logger.error(result.failure)
      else if (result.written.length) logger.info(`[galley] regenerated ${result.written.map((f) => ctx.shown(f)).join(', ')}`)
    }, onError)
  })
  hooks.watchClose.tap(name, () => void ctx.close())
}

/** Fails a webpack/rspack compilation (non-zero exit from the CLI) without stopping a watch. */
export function failCompilation(compiler: AnyCompiler, compilation: CompilationLike, text: string): void {
  const ErrorClass = ('webpack' in compiler ? (compiler as WebpackCompiler).webpack.WebpackError : undefined) ?? (compiler as RspackCompiler).rspack?.WebpackError ?? Error
  const error = new ErrorClass(text)
  // webpack prints `stack` under some stats presets: keep it to the message.
  error.stack = text
  compilation.errors.push(error)
}

export function warnCompilation(compiler: AnyCompiler, compilation: CompilationLike, text: string): void {
  const ErrorClass = ('webpack' in compiler ? (compiler as WebpackCompiler).webpack.WebpackError : undefined) ?? (compiler as RspackCompiler).rspack?.WebpackError ?? Error
  const warning = new ErrorClass(text)
  warning.stack = text
  compilation.warnings.push(warning)
}
