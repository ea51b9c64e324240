import { createRequire } from 'node:module'

type YamlLib = typeof import('yaml')

let lib: YamlLib | undefined

/**
 * The `yaml` package, loaded on first use: most sources are read by the fast reader (fast-yaml.ts), so a run
 * without a diagnostic need not spend the ~20 ms of loading it at start.
 */
export function yamlLib(): YamlLib {
  return (lib ??= createRequire(import.meta.url)('yaml') as YamlLib)
}
