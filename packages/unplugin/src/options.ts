import type { OutputEntry } from '@galley/cli/engine'

/** Options of the Galley build plugin. Every option but `failOnLint` and `dev` overrides the config file. */
export interface GalleyPluginOptions {
  /**
   * The config file, relative to the bundler's root. Without it the plugin searches for
   * `galley.config.{ts,mts,mjs,js,json}` from the root upwards; with no config file the options alone are enough.
   */
  config?: string
  /** The templates folder, relative to the project root. @default the config's `templates`, else 'templates' */
  templates?: string
  /**
   * The generated module(s), relative to the project root: a path, or a list of paths and
   * `{ path, preflight?, clientModule? }`. @default the config's `output`, else 'craftkit.gen.ts'
   */
  output?: OutputEntry | OutputEntry[]
  /** Manifests from the template sources (`local`) or from the snapshot `galley generate --from remote` wrote. @default 'local' */
  from?: 'local' | 'snapshot'
  /** Pin each render function to its snapshot version (`from: 'snapshot'` only). @default false */
  pinVersions?: boolean
  /**
   * Fail a production build on lint errors. When false, lint findings are shown as warnings and the module is
   * generated anyway (a template that cannot be read still fails: there is nothing to generate from). @default true
   */
  failOnLint?: boolean
  /** Dev server and watch builds only. */
  dev?: {
    /**
     * Start the local Craftkit emulator with the dev server, publish the templates to it on start and after every
     * change, and point server code at it (`CRAFTKIT_BASE_URL`, `CRAFTKIT_API_KEY`). Never in a production build.
     * @default false
     */
    emulator?: boolean
  }
}

/** The options after defaults. */
export interface ResolvedGalleyPluginOptions {
  config: string | undefined
  templates: string | undefined
  output: OutputEntry | OutputEntry[] | undefined
  from: 'local' | 'snapshot' | undefined
  pinVersions: boolean | undefined
  failOnLint: boolean
  dev: { emulator: boolean }
}

const KNOWN = ['config', 'templates', 'output', 'from', 'pinVersions', 'failOnLint', 'dev'] as const
const PREFIX = '@galley/unplugin:'

/**
 * Checks the plugin's options and fills defaults. Each problem names the option, what it got and what it takes.
 *
 * @throws Error `@galley/unplugin: option \`from\` must be 'local' or 'snapshot' (got "remote")`
 */
export function resolveOptions(input: unknown): ResolvedGalleyPluginOptions {
  if (input === undefined || input === null) input = {}
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new TypeError(`${PREFIX} options must be an object such as { templates: 'templates' } (got ${show(input)})`)
  }
  const o = input as Record<string, unknown>
  for (const key of Object.keys(o)) {
    if (!(KNOWN as readonly string[]).includes(key)) {
      throw new TypeError(`${PREFIX} unknown option \`${key}\` (options: ${KNOWN.join(', ')})`)
    }
  }
  const optionalString = (key: 'config' | 'templates'): string | undefined => {
    const v = o[key]
    if (v === undefined) return undefined
    if (typeof v !== 'string' || v === '') throw new TypeError(`${PREFIX} option \`${key}\` must be a non-empty path (got ${show(v)})`)
    return v
  }
  const optionalBoolean = (name: string, v: unknown): boolean | undefined => {
    if (v === undefined) return undefined
    if (typeof v !== 'boolean') throw new TypeError(`${PREFIX} option \`${name}\` must be true or false (got ${show(v)})`)
    return v
  }
  const from = o.from
  if (from !== undefined && from !== 'local' && from !== 'snapshot') {
    throw new TypeError(`${PREFIX} option \`from\` must be 'local' or 'snapshot' (got ${show(from)})`)
  }
  const output = o.output
  if (output !== undefined) {
    const entries = Array.isArray(output) ? output : [output]
    entries.forEach((entry, i) => {
      const okString = typeof entry === 'string' && entry !== ''
      const okObject = entry !== null && typeof entry === 'object' && typeof (entry as { path?: unknown }).path === 'string' && (entry as { path: string }).path !== ''
      if (!okString && !okObject) {
        const where = Array.isArray(output) ? `output[${i}]` : 'output'
        throw new TypeError(`${PREFIX} option \`${where}\` must be a path or { path, preflight?, clientModule? } (got ${show(entry)})`)
      }
    })
    if (Array.isArray(output) && output.length === 0) throw new TypeError(`${PREFIX} option \`output\` must name at least one file (got [])`)
  }
  const pinVersions = optionalBoolean('pinVersions', o.pinVersions)
  if (pinVersions && from !== 'snapshot') {
    throw new TypeError(`${PREFIX} option \`pinVersions\` needs \`from: 'snapshot'\` (local sources have no published versions)`)
  }
  const dev = o.dev
  if (dev !== undefined && (dev === null || typeof dev !== 'object' || Array.isArray(dev))) {
    throw new TypeError(`${PREFIX} option \`dev\` must be an object such as { emulator: true } (got ${show(dev)})`)
  }
  const devOptions = (dev ?? {}) as Record<string, unknown>
  for (const key of Object.keys(devOptions)) {
    if (key !== 'emulator') throw new TypeError(`${PREFIX} unknown option \`dev.${key}\` (options: dev.emulator)`)
  }
  return {
    config: optionalString('config'),
    templates: optionalString('templates'),
    output: output as OutputEntry | OutputEntry[] | undefined,
    from: from as 'local' | 'snapshot' | undefined,
    pinVersions,
    failOnLint: optionalBoolean('failOnLint', o.failOnLint) ?? true,
    dev: { emulator: optionalBoolean('dev.emulator', devOptions.emulator) ?? false },
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (value === null || typeof value !== 'object') return String(value)
  try {
    return JSON.stringify(value)
  } catch {
    return Object.prototype.toString.call(value)
  }
}
