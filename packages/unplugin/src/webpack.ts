/** @module `@galley/unplugin/webpack`: the Galley plugin for webpack. */
import { createWebpackPlugin, type UnpluginInstance } from 'unplugin'
import { unpluginFactory } from './core/plugin.ts'
import type { GalleyPluginOptions } from './options.ts'

/** The Galley plugin for webpack: `galley(options?)`. */
const galley: UnpluginInstance<GalleyPluginOptions | undefined, false>['webpack'] = createWebpackPlugin(unpluginFactory) as UnpluginInstance<GalleyPluginOptions | undefined, false>['webpack']
export default galley
