/** @module `@galley/unplugin/rspack`: the Galley plugin for Rspack. */
import { createRspackPlugin, type UnpluginInstance } from 'unplugin'
import { unpluginFactory } from './core/plugin.ts'
import type { GalleyPluginOptions } from './options.ts'

/** The Galley plugin for Rspack: `galley(options?)`. */
const galley: UnpluginInstance<GalleyPluginOptions | undefined, false>['rspack'] = createRspackPlugin(unpluginFactory) as UnpluginInstance<GalleyPluginOptions | undefined, false>['rspack']
export default galley
