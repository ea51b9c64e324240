import type { GalleyConfig } from './schema.ts'

/**
 * Gives `galley.config.ts` its types; returns the config unchanged.
 *
 * @example
 * // galley.config.ts
 * import { defineConfig } from '@galley/core'
 * export default defineConfig({
 *   templates: 'templates',
 *   output: 'src/craftkit.gen.ts',
 *   environments: { production: { baseUrl: 'https://api.craftkit.dev', apiKeyEnv: 'CRAFTKIT_API_KEY' } },
 *   lint: { rules: { 'unused-variable': 'off' } },
 * })
 */
export function defineConfig(config: GalleyConfig): GalleyConfig {
  return config
}
