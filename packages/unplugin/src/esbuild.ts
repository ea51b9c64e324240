/** @module `@galley/unplugin/esbuild`: the Galley plugin for esbuild. */
import { createEsbuildPlugin, type UnpluginInstance } from 'unplugin'
import { unpluginFactory } from './core/plugin.ts'
import type { GalleyPluginOptions } from './options.ts'

/** The Galley plugin for esbuild: `galley(options?)`. */
const galley: UnpluginInstance<GalleyPluginOptions | undefined, false>['esbuild'] = createEsbuildPlugin(unpluginFactory) as UnpluginInstance<GalleyPluginOptions | undefined, false>['esbuild']
export default galley
