/** @module `@galley/unplugin/vite`: the Galley plugin for Vite. */
import { createVitePlugin, type UnpluginInstance } from 'unplugin'
import { unpluginFactory } from './core/plugin.ts'
import type { GalleyPluginOptions } from './options.ts'

/** The Galley plugin for Vite: `galley(options?)`. */
const galley: UnpluginInstance<GalleyPluginOptions | undefined, false>['vite'] = createVitePlugin(unpluginFactory) as UnpluginInstance<GalleyPluginOptions | undefined, false>['vite']
export default galley
