import { readFile } from 'node:fs/promises'
import { isAbsolute, relative, resolve } from 'node:path'
import { GalleyError, lintSources, listTemplateFolders, loadConfig, loadTemplateSources, type Diagnostic, type ResolvedConfig, type TemplateSource } from '@galley/core'
import type { GeneratorCache, TemplateInput } from '@galley/codegen'
import { toPosix } from '../paths.ts'
import type { Project } from '../project.ts'
import { resolveOutputs, type OutputEntry, type ResolvedOutput } from './outputs.ts'
import { writeOutputs, type OutputReport } from './write-outputs.ts'

/** Where `--from remote` records what it read, and `--from snapshot` reads it, relative to the project root. */
export const DEFAULT_SNAPSHOT = 'galley.snapshot.json'

/**
 * How a session finds its project and what it generates. Every field but `cwd` overrides the config file; with
 * no config file these alone are enough.
 */
export interface GenerateSessionOptions {
  /** Where the config search starts, and the root when there is no config file. */
  cwd: string
  /** An explicit config file (relative to `cwd`). */
  config?: string | undefined
  /** The templates folder, relative to the root. */
  templates?: string | undefined
  /** The generated module(s), relative to the root: a path, or a list of paths and `{ path, preflight?, clientModule? }`. */
  output?: OutputEntry | OutputEntry[] | undefined
  /** `--out`: one file instead of the outputs. */
  out?: string | undefined
  /** Embed manifests for the client's pre-flight check in every output. */
  preflight?: boolean | undefined
  /** Manifests from the sources (`local`) or from the snapshot `galley generate --from remote` wrote. @default 'local' */
  from?: 'local' | 'snapshot' | undefined
  /** The snapshot file. @default 'galley.snapshot.json' */
  snapshot?: string | undefined
  /** Pin each render function to its snapshot version (`from: 'snapshot'` only). */
  pinVersions?: boolean | undefined
}

export interface RunOptions {
  /** Compare with the files on disk and write nothing. */
  check?: boolean
  /** Run every lint rule (not only the reading checks), and skip generation when it finds errors. @default true */
  lint?: boolean
  /** A newer change supersedes this run: stop before writing. */
  signal?: AbortSignal
  /**
   * The template folders (slugs) that changed since the last run, as a watcher reports them: only those are read
   * again, and the rest keep the sources of the last run. Absent: every source is read.
   */
  changed?: readonly string[]
}

/** One pass from the sources to the generated files. */
export interface SessionRun {
  project: Project
  /** Lint findings (or, with `lint: false`, the reading problems), sorted; warnings included. */
  diagnostics: Diagnostic[]
  /** The errors among `diagnostics`: when there are any, nothing was generated or written. */
  errors: Diagnostic[]
  /** Each output's fate; empty when `errors` stopped generation. */
  outputs: OutputReport[]
  /** How many templates the module has. */
  templates: number
  /** Milliseconds per step. */
  timings: { load: number; lint: number; generate: number; total: number }
}

/**
 * The one path from a saved file to the generated module, shared by `galley generate` (one run), `generate
 * --watch`, `galley dev` and the build plugin (a run per change): read the config and the sources, lint, turn
 * them into generator inputs, and write (`writeOutputs`). A session keeps its generator cache, so a run after one
 * change compiles and prints only that template.
 *
 * @example
 * const session = await GenerateSession.create({ cwd: process.cwd() })
 * const run = await session.run()
 * if (run.errors.length) console.error(formatPretty(run.errors))
 */
export class GenerateSession {
  readonly options: GenerateSessionOptions
  config: ResolvedConfig
  /** The project root: the config file's folder, or `cwd`. */
  root: string
  /** Absolute templates folder. */
  templatesDir: string
  outputs: ResolvedOutput[]
  /** The generator cache of this session (kept across runs); made on the first run that generates. */
  cache: GeneratorCache | undefined

  private constructor(options: GenerateSessionOptions, config: ResolvedConfig) {
    this.options = options
    this.config = config
    this.root = config.root
    this.templatesDir = options.templates ? resolve(config.root, options.templates) : config.templates
    this.outputs = resolveOutputs(options.output ?? config.output, config.root, { out: options.out, preflight: options.preflight === true })
    if (options.pinVersions && (options.from ?? 'local') === 'local') {
      throw new GalleyError('generate-pin-local', 'pinVersions needs published versions, which local sources do not have.', {
        hint: "Generate from a snapshot (`from: 'snapshot'`, written by `galley generate --from remote`).",
      })
    }
  }

  /** Loads the config (a bad config throws a `GalleyError` that names the file and the option). */
  static async create(options: GenerateSessionOptions): Promise<GenerateSession> {
    const cwd = resolve(options.cwd)
    const config = await loadConfig(options.config ? { cwd, configPath: resolve(cwd, options.config) } : { cwd })
    return new GenerateSession({ ...options, cwd }, config)
  }

  /**
   * Reads the sources as they are now. With `changed`, only those template folders (and folders that appeared)
   * are read again; the others keep the source objects of the last read, which nothing mutates.
   */
  async loadProject(changed?: readonly string[]): Promise<Project> {
    let sources: TemplateSource[]
    if (changed && this.#sources) {
      const names = listTemplateFolders(this.templatesDir)
      const known = new Map(this.#sources.map((s) => [s.slug, s]))
      const reread = names.filter((name) => changed.includes(name) || !known.has(name))
      const fresh = new Map((reread.length > 0 ? await loadTemplateSources({ root: this.root, templatesDir: this.templatesDir, only: reread }) : []).map((s) => [s.slug, s]))
      sources = []
      for (const name of names) {
        const source = reread.includes(name) ? fresh.get(name) : known.get(name)
        if (source) sources.push(source)
      }
    } else {
      sources = await loadTemplateSources({ root: this.root, templatesDir: this.templatesDir })
    }
    this.#sources = sources
    return { root: this.root, config: { ...this.config, templates: this.templatesDir }, sources }
  }

  #sources: TemplateSource[] | undefined

  /** Lints `sources` with the config's rule settings. */
  lint(sources: TemplateSource[]): Diagnostic[] {
    return lintSources(sources, { rules: this.config.lint.rules })
  }

  /** One pass: load, lint, generate and write (or compare, with `check`). Never throws for bad sources. */
  async run(options: RunOptions = {}): Promise<SessionRun> {
    const t0 = performance.now()
    const project = await this.loadProject(options.changed)
    const t1 = performance.now()
    const diagnostics = options.lint === false ? project.sources.flatMap((s) => s.diagnostics) : this.lint(project.sources)
    const errors = diagnostics.filter((d) => d.severity === 'error')
    const t2 = performance.now()
    let outputs: OutputReport[] = []
    let templates = 0
    if (errors.length === 0) {
      const inputs = await this.templateInputs(project)
      templates = inputs.length
      options.signal?.throwIfAborted()
      outputs = await writeOutputs(inputs, this.outputs, { check: options.check === true, cacheOwner: this, ...(options.signal ? { signal: options.signal } : {}) })
    }
    const t3 = performance.now()
    return { project, diagnostics, errors, outputs, templates, timings: { load: t1 - t0, lint: t2 - t1, generate: t3 - t2, total: t3 - t0 } }
  }

  /** The generator's inputs: from the sources, or from the snapshot file. */
  async templateInputs(project: Project): Promise<TemplateInput[]> {
    if ((this.options.from ?? 'local') === 'local') return localTemplateInputs(project.sources, this.root)
    const file = resolve(this.root, this.options.snapshot ?? DEFAULT_SNAPSHOT)
    const shown = toPosix(relative(this.root, file))
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (error) {
      throw new GalleyError('snapshot-missing', `There is no snapshot at ${shown} to generate from.`, {
        hint: 'Write one with `galley generate --from remote` (and commit it to build offline), or name another snapshot file.',
        cause: error,
      })
    }
    const templatesDir = toPosix(relative(this.root, this.templatesDir)) || '.'
    const { parseSnapshot, snapshotTemplates } = await import('@galley/codegen')
    return snapshotTemplates(parseSnapshot(text, shown), { templatesDir, pinVersions: this.options.pinVersions === true })
  }
}

/** The generator inputs of sources that read without errors (callers check `diagnostics` first). */
export function localTemplateInputs(sources: readonly TemplateSource[], root: string): TemplateInput[] {
  const inputs: TemplateInput[] = []
  for (const source of sources) {
    if (!source.template || source.diagnostics.some((d) => d.severity === 'error')) continue
    inputs.push({
      slug: source.template.slug,
      name: source.template.name,
      description: source.template.description ?? null,
      manifest: source.template.manifest,
      sourcePath: toPosix(isAbsolute(source.file) ? relative(root, source.file) : source.file),
    })
  }
  return inputs
}
