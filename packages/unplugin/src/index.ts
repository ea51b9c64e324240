/**
 * @module `@galley/unplugin`: keeps `craftkit.gen.ts` fresh at build time and in dev, fails builds on lint errors,
 * and keeps the Craftkit API key out of browser bundles. One plugin for vite, webpack, rollup, esbuild and rspack.
 *
 * @example
 * // vite.config.ts
 * import galley from '@galley/unplugin/vite'
 * export default defineConfig({ plugins: [galley({ dev: { emulator: true } })] })
 */
import { createUnplugin, type UnpluginInstance } from 'unplugin'
import { unpluginFactory } from './core/plugin.ts'
import type { GalleyPluginOptions } from './options.ts'

export { unpluginFactory, PLUGIN_NAME } from './core/plugin.ts'
export { resolveOptions } from './options.ts'
export type { GalleyPluginOptions, ResolvedGalleyPluginOptions } from './options.ts'

/** The plugin for every bundler: `galley.vite()`, `galley.webpack()`, `galley.rollup()`, `galley.esbuild()`, `galley.rspack()`. */
export const galley: UnpluginInstance<GalleyPluginOptions | undefined, false> = createUnplugin(unpluginFactory)

export default galley
