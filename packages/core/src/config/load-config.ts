import { existsSync, readFileSync, statSync } from 'node:fs'
import { basename, dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { z } from 'zod'
import { GalleyError, type Diagnostic } from '../diagnostics/diagnostic.ts'
import { closest } from '../lint/helpers.ts'
import { RULE_IDS } from '../lint/registry.ts'
import type { RuleSetting } from '../lint/types.ts'
import { locate, locateJson, textPosition } from '../source/positions.ts'
import { parseJson } from '../source/template-source.ts'
import { findConfigFile } from './find-config.ts'
import { isPlainValidConfig } from './quick-check.ts'
import { galleyConfigSchema, type GalleyConfig } from './schema.ts'

/** The config with defaults filled and paths made absolute. */
export interface ResolvedConfig {
  /** Folder of the config file (or cwd when there is none). */
  root: string
  configFile?: string
  /** Absolute templates folder. @default '<root>/templates' */
  templates: string
  /** As written: a path, or a list of paths / `{ path, preflight?, clientModule? }`. @default 'craftkit.gen.ts' */
  output: unknown
  environments: Record<string, { baseUrl: string; apiKeyEnv: string }>
  lint: { rules: Record<string, RuleSetting> }
  /** `impact.projects` as absolute paths of `tsconfig.json` files. @default { projects: [] } */
  impact: { projects: string[] }
}

export interface LoadConfigOptions {
  /** Where the search starts. */
  cwd: string
  /** An explicit config file (relative to cwd); no search then. */
  configPath?: string
}

/**
 * Finds `galley.config.{ts,mts,mjs,js,json}` in `cwd` or the nearest parent (stopping at a folder with `.git`, or
 * the filesystem root), loads it (TypeScript through jiti), checks it against the zod schema and resolves paths
 * against its folder. With no config file, the defaults apply with `root = cwd`. A bad config throws one
 * `GalleyError` whose diagnostics name each option path.
 *
 * @example
 * const config = await loadConfig({ cwd: process.cwd() })
 * console.log(config.templates, config.lint.rules)
 */
export async function loadConfig(options: LoadConfigOptions): Promise<ResolvedConfig> {
  const cwd = resolve(options.cwd)
  const file = options.configPath ? resolve(cwd, options.configPath) : findConfigFile(cwd)
  if (options.configPath && (!file || !existsSync(file) || !statSync(file).isFile())) {
    throw new GalleyError('config-not-found', `Config file ${options.configPath} does not exist (looked in ${cwd}).`, {
      hint: 'Pass the path of a galley.config.ts, .mjs or .json file, or leave --config out to search from the current folder.',
    })
  }
  if (!file) return resolveConfig({}, cwd, undefined)
  const root = dirname(file)
  const shown = toPosix(relative(cwd, file)) || basename(file)
  const { value, text } = await importConfig(file, shown)
  const candidate = value !== null && typeof value === 'object' && 'default' in (value as object) && Object.keys(value as object).length === 1 ? (value as { default: unknown }).default : value
  const parsed = isPlainValidConfig(candidate) ? { success: true as const, data: candidate } : galleyConfigSchema().safeParse(candidate, { reportInput: true })
  const diagnostics: Diagnostic[] = []
  if (!parsed.success) for (const issue of parsed.error.issues) diagnostics.push(...issueDiagnostics(issue, basename(file), text, file.endsWith('.json')))
  else {
    for (const rule of Object.keys(parsed.data.lint?.rules ?? {})) {
      if (RULE_IDS.includes(rule)) continue
      const near = closest(rule, RULE_IDS)
      diagnostics.push(configDiagnostic(basename(file), text, file.endsWith('.json'), ['lint', 'rules', rule], `lint.rules.${rule}: there is no lint rule "${rule}", so this override does nothing.`, near ? `Did you mean "${near}"? Rules: ${RULE_IDS.join(', ')}.` : `Rules: ${RULE_IDS.join(', ')}.`))
    }
  }
  if (diagnostics.length > 0) {
    throw new GalleyError('config-invalid', `${shown} has ${diagnostics.length} problem${diagnostics.length === 1 ? '' : 's'}.`, { diagnostics })
  }
  return resolveConfig(parsed.data as GalleyConfig, root, file)
}

/** Fills defaults and makes paths absolute (against the config file's folder). */
export function resolveConfig(config: GalleyConfig, root: string, configFile: string | undefined): ResolvedConfig {
  const resolved: ResolvedConfig = {
    root,
    templates: resolve(root, config.templates ?? 'templates'),
    output: config.output ?? 'craftkit.gen.ts',
    environments: { ...config.environments },
    lint: { rules: { ...config.lint?.rules } },
    impact: { projects: (config.impact?.projects ?? []).map((p) => resolve(root, p)) },
  }
  if (configFile) resolved.configFile = configFile
  return resolved
}

async function importConfig(file: string, shown: string): Promise<{ value: unknown; text: string }> {
  let text = ''
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new GalleyError('config-unreadable', `Cannot read ${shown}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`)
  }
  if (file.endsWith('.json')) {
    const parsed = parseJson(text, basename(file), 'config')
    if (!parsed.ok) throw new GalleyError('config-invalid', `${shown} is not valid JSON.`, { diagnostics: [{ ...parsed.diagnostic, code: 'config' }] })
    return { value: parsed.value, text }
  }
  try {
    const { createJiti } = await import('jiti')
    // `import { defineConfig } from '@galley/core'` in the config resolves to this very module, wherever the config
    // lives and whether or not the project installed @galley/core itself.
    const jiti = createJiti(file, { moduleCache: false, fsCache: false, interopDefault: true, alias: { '@galley/core': selfEntry() } })
    const value = await jiti.import(file, { default: true })
    return { value, text }
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error)
    const m = /\((\d+):(\d+)\)/.exec(error instanceof Error ? error.message : '')
    throw new GalleyError('config-invalid', `${shown} could not be loaded: ${message}`, {
      hint: 'Fix the error in the config file; it must `export default defineConfig({ ... })`.',
      diagnostics: [{ code: 'config', severity: 'error', message: `The config could not be loaded: ${message}`, file: basename(file), line: m ? Number(m[1]) : 1, column: m ? Number(m[2]) + 1 : 1 }],
    })
  }
}

function issueDiagnostics(issue: z.core.$ZodIssue, file: string, text: string, json: boolean): Diagnostic[] {
  const path = issue.path.map(String)
  if (issue.code === 'unrecognized_keys') {
    const known = path.length === 0 ? Object.keys(galleyConfigSchema().shape) : []
    return issue.keys.map((key) => {
      const near = closest(key, known)
      return configDiagnostic(file, text, json, [...path, key], `${[...path, key].join('.')}: unknown option, so it is ignored.`, near ? `Did you mean "${near}"?` : known.length ? `Options: ${known.join(', ')}.` : 'Remove it.')
    })
  }
  const name = path.join('.') || '(config)'
  const message = issue.message.replace(/^Invalid input: /, '')
  const hint = HINTS[path[0] ?? ''] ?? 'See the config options in the @galley/core README.'
  return [configDiagnostic(file, text, json, path, `${name}: ${message}.`, hint)]
}

const HINTS: Record<string, string> = {
  templates: "A folder path relative to the config file, e.g. 'templates'.",
  output: "A path such as 'src/craftkit.gen.ts', or a list of paths and { path, preflight?, clientModule? }.",
  environments: "environments: { production: { baseUrl: 'https://api.craftkit.dev', apiKeyEnv: 'CRAFTKIT_API_KEY' } }.",
  lint: "lint: { rules: { 'unused-variable': 'off' | 'warning' | 'error' } }.",
  impact: "impact: { projects: ['apps/api/tsconfig.json'] }: the tsconfig.json of each project that calls the generated module.",
}

/** A config diagnostic at the option's position: exact in JSON; for TS/JS, the first line naming its last key. */
function configDiagnostic(file: string, text: string, json: boolean, path: string[], message: string, hint: string): Diagnostic {
  let line = 1
  let column = 1
  if (json) {
    const r = locate(locateJson(text, file), path, 'key')
    line = r.line
    column = r.column
  } else {
    let from = 0
    for (const key of path) {
      const m = new RegExp(`(["'\`]?)${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\1\\s*:`).exec(text.slice(from))
      if (!m) break
      from += m.index
      ;({ line, column } = textPosition(text, from))
      from += m[0].length
    }
  }
  return { code: 'config', severity: 'error', message, hint, file, line, column }
}

/** The entry file of this package as it runs: `src/index.ts` under tests, `dist/index.mjs` when built. */
function selfEntry(): string {
  const here = fileURLToPath(import.meta.url)
  return here.endsWith('.ts') ? join(dirname(here), '..', 'index.ts') : here
}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/')
}
