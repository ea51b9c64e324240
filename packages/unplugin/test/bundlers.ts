import { join } from 'node:path'
import { rspack, type Configuration as RspackConfiguration } from '@rspack/core'
import * as esbuild from 'esbuild'
import { rollup } from 'rollup'
import esbuildForRollup from 'rollup-plugin-esbuild'
import { build as viteBuild, type InlineConfig } from 'vite'
import webpack, { type Configuration as WebpackConfiguration, type Stats } from 'webpack'
import galleyEsbuild from '../src/esbuild.ts'
import galleyRollup from '../src/rollup.ts'
import galleyRspack from '../src/rspack.ts'
import galleyVite from '../src/vite.ts'
import galleyWebpack from '../src/webpack.ts'
import type { GalleyPluginOptions } from '../src/index.ts'

export type BundlerName = 'vite' | 'webpack' | 'rollup' | 'esbuild' | 'rspack'
export const BUNDLERS: BundlerName[] = ['vite', 'webpack', 'rollup', 'esbuild', 'rspack']

/** A production server build: resolves to the bundle's path, rejects with the bundler's error text. */
export type ServerBuild = (dir: string, options?: GalleyPluginOptions) => Promise<string>

/** Each bundler's production build of `<dir>/server.ts` through its JS API, with the plugin. */
export const buildServer: Record<BundlerName, ServerBuild> = {
  async vite(dir, options) {
    await viteBuild({
      root: dir,
      configFile: false,
      logLevel: 'silent',
      plugins: [galleyVite(options)],
      build: { ssr: 'server.ts', outDir: 'dist-vite', emptyOutDir: true, minify: false, rollupOptions: { output: { entryFileNames: 'server.mjs' } } },
    } satisfies InlineConfig)
    return join(dir, 'dist-vite/server.mjs')
  },
  async webpack(dir, options) {
    const stats = await runWebpack({
      context: dir,
      mode: 'production',
      target: 'node',
      entry: './server.ts',
      output: { path: join(dir, 'dist-webpack'), filename: 'server.cjs' },
      resolve: { extensions: ['.ts', '.mjs', '.js'] },
      module: { rules: [{ test: /\.ts$/, loader: 'esbuild-loader', options: { target: 'node20' } }] },
      optimization: { minimize: false },
      plugins: [galleyWebpack(options)],
    })
    return join(stats.compilation.outputOptions.path!, 'server.cjs')
  },
  async rspack(dir, options) {
    await runRspack({
      context: dir,
      mode: 'production',
      target: 'node',
      entry: './server.ts',
      output: { path: join(dir, 'dist-rspack'), filename: 'server.cjs' },
      resolve: { extensions: ['.ts', '.mjs', '.js'] },
      module: { rules: [{ test: /\.ts$/, loader: 'builtin:swc-loader', options: { jsc: { parser: { syntax: 'typescript' } } }, type: 'javascript/auto' }] },
      optimization: { minimize: false },
      plugins: [galleyRspack(options)],
    })
    return join(dir, 'dist-rspack/server.cjs')
  },
  async rollup(dir, options) {
    const cwd = process.cwd()
    // Rollup has no root option: the plugin takes process.cwd(), as the rollup CLI run from the project would.
    process.chdir(dir)
    try {
      const bundle = await rollup({
        input: join(dir, 'server.ts'),
        plugins: [galleyRollup(options), esbuildForRollup({ target: 'node20' })],
        external: [/^node:/, /^@galley\/client/],
        onwarn: () => {},
      })
      try {
        await bundle.write({ file: join(dir, 'dist-rollup/server.mjs'), format: 'es' })
      } finally {
        await bundle.close()
      }
    } finally {
      process.chdir(cwd)
    }
    return join(dir, 'dist-rollup/server.mjs')
  },
  async esbuild(dir, options) {
    await esbuild.build({
      absWorkingDir: dir,
      entryPoints: ['server.ts'],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: 'dist-esbuild/server.mjs',
      logLevel: 'silent',
      plugins: [galleyEsbuild(options)],
    })
    return join(dir, 'dist-esbuild/server.mjs')
  },
}

/** `compiler.run` as a promise: rejects with the compilation's errors (as the CLI would print them and exit 1). */
export function runWebpack(config: WebpackConfiguration): Promise<Stats> {
  const compiler = webpack(config)
  return new Promise((resolve, reject) => {
    compiler.run((error, stats) => {
      compiler.close(() => {
        if (error) return reject(error)
        if (!stats) return reject(new Error('webpack returned no stats'))
        if (stats.hasErrors()) return reject(new Error(stats.compilation.errors.map((e) => e.message).join('\n')))
        resolve(stats)
      })
    })
  })
}

export function runRspack(config: RspackConfiguration): Promise<void> {
  const compiler = rspack(config)
  return new Promise((resolve, reject) => {
    compiler.run((error, stats) => {
      compiler.close(() => {
        if (error) return reject(error)
        if (!stats) return reject(new Error('rspack returned no stats'))
        if (stats.hasErrors()) return reject(new Error(stats.toJson({ all: false, errors: true }).errors!.map((e) => e.message).join('\n')))
        resolve()
      })
    })
  })
}
