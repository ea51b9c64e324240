/** @module `@galley/unplugin/rollup`: the Galley plugin for Rollup. */
import { createRollupPlugin, type UnpluginInstance } from 'unplugin'
import { unpluginFactory } from './core/plugin.ts'
import type { GalleyPluginOptions } from './options.ts'

/** The Galley plugin for Rollup: `galley(options?)`. */
const galley: UnpluginInstance<GalleyPluginOptions | undefined, false>['rollup'] = createRollupPlugin(unpluginFactory) as UnpluginInstance<GalleyPluginOptions | undefined, false>['rollup']
export default galley
