import { isAbsolute, relative, resolve } from 'node:path'
import { GalleyError } from '@galley/core'
import { toPosix } from '../paths.ts'

/** The output when neither `--out`, the plugin's `output` nor the config names one. */
export const DEFAULT_OUTPUT = 'craftkit.gen.ts'

/** One generated module to keep: a file and the generator options it is written with. */
export interface ResolvedOutput {
  /** Absolute path. */
  file: string
  /** Posix path relative to the project root, for messages. */
  shown: string
  preflight: boolean
  clientModule: string | undefined
}

/** An `output` entry as the config (or the plugin's `output` option) gives it. */
export type OutputEntry = string | { path: string; preflight?: boolean; clientModule?: string }

/**
 * The modules to write: `out` when given (`--out`), else each entry of `configured` (the config's or the
 * plugin's `output`: a path, or a list of paths and `{ path, preflight?, clientModule? }`), else
 * `craftkit.gen.ts`. Paths are relative to `root`.
 *
 * @throws GalleyError `config-invalid-output` for an entry that is not a path, or a path listed twice.
 */
export function resolveOutputs(configured: unknown, root: string, options: { out?: string | undefined; preflight?: boolean } = {}): ResolvedOutput[] {
  const preflight = options.preflight === true
  const make = (path: string, extra: { preflight?: boolean; clientModule?: string | undefined } = {}): ResolvedOutput => {
    const file = isAbsolute(path) ? path : resolve(root, path)
    return { file, shown: toPosix(relative(root, file)) || file, preflight: preflight || extra.preflight === true, clientModule: extra.clientModule }
  }
  if (options.out) return [make(options.out)]
  const entries = configured === undefined || configured === null ? [DEFAULT_OUTPUT] : Array.isArray(configured) ? configured : [configured]
  const outputs = entries.map((entry, i): ResolvedOutput => {
    if (typeof entry === 'string' && entry !== '') return make(entry)
    if (entry && typeof entry === 'object') {
      const o = entry as { path?: unknown; file?: unknown; preflight?: unknown; clientModule?: unknown }
      const path = typeof o.path === 'string' ? o.path : typeof o.file === 'string' ? o.file : null
      if (path !== null && path !== '') {
        return make(path, { preflight: o.preflight === true, clientModule: typeof o.clientModule === 'string' ? o.clientModule : undefined })
      }
    }
    throw new GalleyError('config-invalid-output', `output[${i}] is neither a path nor { path }.`, {
      hint: "Set output to 'src/craftkit.gen.ts', or to a list such as ['src/craftkit.gen.ts', { path: 'api/craftkit.gen.ts', preflight: true }].",
    })
  })
  const seen = new Set<string>()
  for (const o of outputs) {
    if (seen.has(o.file)) throw new GalleyError('config-invalid-output', `The output ${o.shown} is listed twice.`, { hint: 'List each generated file once.' })
    seen.add(o.file)
  }
  return outputs
}
