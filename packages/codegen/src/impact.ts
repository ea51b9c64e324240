/**
 * @module What a template change breaks in the projects that call the generated module (DESIGN §12): the new
 * module is substituted for the committed one inside each consuming project's ts-morph program (built from the
 * project's own tsconfig), and the uses of the changed templates' generated functions and types are checked
 * against it, with the type checker.
 */
import { existsSync, readFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { basename, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { GalleyError, SLUG_PATTERN } from '@galley/core'
import type * as TS from 'typescript'
import { saveCodeCache } from './code-cache.ts'
import { createGeneratorCache, generateModule, type GenerateOptions, type TemplateInput } from './generate.ts'
import { loadBundledTypeScript, type BundledTypeScript } from './libraries.ts'
import { pascalCase } from './naming.ts'

/** A template whose generated code changes: its slug and what the plan does with it. */
export interface ImpactChange {
  slug: string
  /** `delete`: the template is pruned; its functions and types are no longer generated. */
  action: 'create' | 'update' | 'delete'
}

/** A generated module as it would be written now: the file a project imports, and its new text. */
export interface ImpactModule {
  /** Absolute path of the committed generated module (a config `output`). */
  file: string
  /** The module generated from the new sources (`generateModule`). */
  text: string
}

export interface AnalyzeImpactOptions {
  /** The consuming projects: absolute paths of their `tsconfig.json`. */
  projects: readonly string[]
  /** Every generated module (config `output`); each project is checked against the ones it includes or imports. */
  modules: readonly ImpactModule[]
  /** The templates that change; only their uses are reported. */
  changes: readonly ImpactChange[]
  /** Paths in the result are posix and relative to this folder. @default process.cwd() */
  root?: string
}

/** One use of a generated function or type that the change breaks. */
export interface ImpactCallSite {
  /** The project's tsconfig (posix, relative to `root`). */
  project: string
  /** The file of the use (posix, relative to `root`). */
  file: string
  /** 1-based. */
  line: number
  /** 1-based. */
  column: number
  slug: string
  /** The generated function or type used there: `renderCharterHandover`, `CharterHandoverData`, `render`, `TemplateDataMap`. */
  symbol: string
  /** What breaks, in one sentence: "`booking.ref` is now required". */
  message: string
}

export interface ImpactProjectReport {
  project: string
  /** The generated modules found in the project (posix, relative to `root`). */
  modules: string[]
  /** Files in the project (tsconfig `files`/`include`). */
  files: number
  /**
   * Files type-checked: those that import a generated module, directly or through other files, and (with
   * `focus`, which `analyzeImpact` and `startImpactAnalysis` always set) name one of the changed templates.
   */
  checkedFiles: number
  /**
   * The project's files the analysis parsed: the checked ones, the generated modules and what the uses needed of
   * their imports (not the libraries). Without a change to check, 0.
   */
  programFiles: number
  ms: number
}

export interface ImpactResult {
  projects: ImpactProjectReport[]
  /** Sorted by project, file, line, column, message. */
  callSites: ImpactCallSite[]
}

type Ts = typeof TS

/** A use of a generated export in consuming code. */
interface Site {
  slug: string
  symbol: string
  /** Where it is reported. */
  pos: number
  /** Diagnostics inside [start, end) belong to this use. */
  start: number
  end: number
  /** The data sent (a call's argument, a typed initializer), checked key by key. */
  data?: TS.Expression
  file: TS.SourceFile
  /** The generated module the used export comes from. */
  module: string
  problems: string[]
}

const OLD_SUFFIX = '.galley-impact-old.ts'

/** Parsed lib files, shared by every project of the process (they depend only on the language version). */
const libCache = new Map<string, TS.SourceFile>()

/** What an impact analysis can prepare before the new module exists: the projects, and where the modules are. */
export interface PrepareImpactOptions {
  /** The consuming projects: absolute paths of their `tsconfig.json`. */
  projects: readonly string[]
  /** Absolute paths of the committed generated modules (the config's outputs). */
  modules: readonly string[]
  /** Paths in the result are posix and relative to this folder. @default process.cwd() */
  root?: string
  /**
   * The slugs that will be checked, when known before preparing: only the files whose text names one of their
   * generated functions or types (or the generic `render` or `TemplateDataMap`) are checked and parsed, with what
   * they import. A file that names none of them holds no use of them. Unset: every file that reaches a module.
   */
  focus?: readonly string[]
}

/** The second half of an analysis: the new modules and the templates that change. */
export interface RunImpactOptions {
  modules: readonly ImpactModule[]
  changes: readonly ImpactChange[]
}

/** A generated module to make from the new sources (with `generateModule`) where the analysis runs. */
export interface ImpactModuleToGenerate {
  /** Absolute path of the committed generated module (a config `output`). */
  file: string
  /** `clientModule` and `preflight` only: what crosses to a worker thread must be plain data. */
  options: Pick<GenerateOptions, 'clientModule' | 'preflight'>
}

/**
 * `RunImpactOptions`, with the modules still to generate: {@link startImpactAnalysis}'s worker generates them
 * itself, so that the main thread never loads TypeScript (ts-morph prints the module) beside the worker.
 */
export interface RunImpactFromSources {
  templates: readonly TemplateInput[]
  modules: readonly ImpactModuleToGenerate[]
  changes: readonly ImpactChange[]
  /** The templates' data types, compiled already (`GeneratorCache.exportDataTypes`). */
  dataTypes?: readonly (readonly [string, string])[]
}

/** Generates the modules of `run` (each distinct set of options once). */
export async function generateImpactModules(run: RunImpactFromSources): Promise<RunImpactOptions> {
  const cache = createGeneratorCache()
  if (run.dataTypes) cache.importDataTypes(run.dataTypes)
  const texts = new Map<string, Promise<string>>()
  const modules: ImpactModule[] = []
  for (const m of run.modules) {
    const options = { ...(m.options.preflight ? { preflight: true } : {}), ...(m.options.clientModule ? { clientModule: m.options.clientModule } : {}) }
    const key = JSON.stringify([options.preflight ?? false, options.clientModule ?? null])
    let text = texts.get(key)
    if (!text) texts.set(key, (text = generateModule(run.templates, { ...options, cache })))
    modules.push({ file: m.file, text: await text })
  }
  return { modules, changes: run.changes }
}

/**
 * What break a template change makes in its consuming projects (DESIGN §12). For each project:
 *
 * 1. prepare: the files that reach a generated module through imports (the tsconfig's files, scanned with
 *    `ts.preProcessFile` and resolved with the project's compiler options) and a program of those files (and what
 *    they import) with the committed module, parsed and bound once;
 * 2. run: the same program with the new module in place of the committed one (and the committed one beside it,
 *    under another name, for the old data types), reusing every parsed and bound file, then every use of a
 *    changed template in those files is checked:
 *    - the data sent (a call's argument, an initializer typed with the data type, a `satisfies`) against the old
 *      and the new data type, key by key, through nested objects and loop rows: a key the new type no longer
 *      declares (the server would strip it, even where it still compiles against a widened variable), a key
 *      that is now required and not sent, a value that no longer fits;
 *    - any other diagnostic inside the use that the committed module does not produce there;
 *    - every use of a deleted template.
 *
 * The TypeScript is the one ts-morph bundles, through its compiler API (`ts.createProgram` with a host that
 * caches parsed files), not ts-morph's `Project` wrapper, so that the second program reuses the first one's work.
 */
export class ImpactSession {
  readonly #root: string
  readonly #prepared: PreparedProject[] = []
  #error: unknown

  constructor(options: PrepareImpactOptions) {
    this.#root = options.root ?? process.cwd()
    try {
      if (options.projects.length === 0) return
      const bundledTs = loadBundledTypeScript()
      const focus = options.focus ? focusPattern(options.focus) : undefined
      for (const tsconfig of options.projects) this.#prepared.push(prepareProject(bundledTs, tsconfig, options.modules, this.#root, focus))
    } catch (error) {
      // Reported by run(), where a caller waits for it.
      this.#error = error
    }
  }

  run(options: RunImpactOptions): ImpactResult {
    if (this.#error) throw this.#error
    const changes = new Map(options.changes.map((c) => [c.slug, c]))
    const projects: ImpactProjectReport[] = []
    const callSites: ImpactCallSite[] = []
    for (const prepared of this.#prepared) {
      const t0 = performance.now()
      const { sites, programFiles } = runProject(prepared, options.modules, changes, this.#root)
      callSites.push(...sites)
      projects.push({ ...prepared.report, programFiles, ms: Math.round(prepared.ms + performance.now() - t0) })
    }
    callSites.sort((a, b) => cmp(a.project, b.project) || cmp(a.file, b.file) || a.line - b.line || a.column - b.column || cmp(a.message, b.message))
    saveCodeCache()
    return { projects, callSites }
  }
}

/**
 * `new ImpactSession(prepare).run(run)` in one call.
 *
 * @throws GalleyError `impact-project` when a tsconfig cannot be read or includes no generated module.
 */
export async function analyzeImpact(options: AnalyzeImpactOptions): Promise<ImpactResult> {
  const session = new ImpactSession({
    projects: options.projects,
    modules: options.modules.map((m) => m.file),
    focus: options.changes.map((c) => c.slug),
    ...(options.root ? { root: options.root } : {}),
  })
  return session.run({ modules: options.modules, changes: options.changes })
}

/** An analysis under way: prepared at once, run when the new sources are known. */
export interface ImpactHandle {
  run(options: RunImpactFromSources): Promise<ImpactResult>
  /** Stops the preparation when no run will come (the plan failed). */
  close(): void
}

/**
 * Starts preparing an analysis in a worker thread (loading TypeScript, parsing and binding each consuming project
 * takes most of its time, and depends only on the files on disk), so that it overlaps whatever the caller does
 * next: `galley plan --impact` plans against the target and compiles the data types meanwhile, and the worker
 * prints the new modules with them. With fewer than 3 cores, when the 1-minute load average leaves no core to
 * spare, without the built worker (running from the sources), or with `GALLEY_IMPACT_WORKER=0`, everything runs
 * in this thread on `run` (`GALLEY_IMPACT_WORKER=1` always uses the worker).
 */
export function startImpactAnalysis(options: PrepareImpactOptions): ImpactHandle {
  const workerFile = new URL('./impact-worker.mjs', import.meta.url)
  // A worker only helps with cores to spare: on 2 cores it competes with the main thread, the garbage collector's
  // threads and a local emulator, and bench/impact measured it slower than one thread there (1.30 s against 1.19 s).
  // GALLEY_IMPACT_WORKER=1 / =0 decides instead.
  const setting = process.env.GALLEY_IMPACT_WORKER
  const spareCore = availableParallelism() >= 3 && availableParallelism() - loadavg()[0]! >= 1
  const useWorker = setting === '1' || (setting !== '0' && spareCore)
  if (!useWorker || !import.meta.url.endsWith('.mjs') || !existsSync(fileURLToPath(workerFile))) {
    // The session loads TypeScript and parses the projects; ts-morph, which prints the modules, then reuses it.
    // Here the changes are known before preparing: only the files that name them are parsed.
    return { run: async (run) => new ImpactSession({ ...options, focus: run.changes.map((c) => c.slug) }).run(await generateImpactModules(run)), close: () => {} }
  }
  const worker = new Worker(workerFile, { workerData: { ...options, projects: [...options.projects], modules: [...options.modules] } })
  worker.unref()
  let failed: Error | undefined
  worker.once('error', (error) => (failed = error))
  return {
    run: (run) =>
      new Promise<ImpactResult>((resolveRun, reject) => {
        if (failed) return reject(failed)
        worker.once('error', reject)
        worker.once('message', (message: { result?: ImpactResult; error?: { code?: string; message: string; hint?: string; stack: string } }) => {
          void worker.terminate()
          if (message.result) return resolveRun(message.result)
          const e = message.error!
          reject(e.code ? new GalleyError(e.code, e.message, e.hint ? { hint: e.hint } : {}) : Object.assign(new Error(e.message), { stack: e.stack }))
        })
        // json-schema-to-typescript needs no TypeScript: the data types are compiled here while the worker parses,
        // and it prints the modules with them.
        const types = createGeneratorCache()
        types
          .compileDataTypes(run.templates)
          .then(() => {
            const message: RunImpactFromSources = {
              templates: run.templates,
              modules: run.modules.map((m) => ({ file: m.file, options: { ...m.options } })),
              changes: run.changes.map((c) => ({ slug: c.slug, action: c.action })),
              dataTypes: types.exportDataTypes(),
            }
            worker.postMessage(message)
          })
          .catch(reject)
      }),
    close: () => void worker.terminate(),
  }
}

interface PreparedProject {
  ts: Ts
  tsconfig: string
  shown: string
  options: TS.CompilerOptions
  graph: Reach
  /** The program with the committed modules. */
  before: TS.Program
  /** Parsed files by name, shared by both programs. */
  cache: Map<string, TS.SourceFile>
  /** Texts served instead of the files' (the new modules, the committed ones beside them). */
  overrides: Map<string, string>
  host: TS.CompilerHost
  /** Which imports the programs follow (see {@link deepen}). */
  scope: ImportScope
  report: Omit<ImpactProjectReport, 'ms' | 'programFiles'>
  ms: number
}

/**
 * The compiler host of a project's programs: parsed files cached (`cache`), texts served instead of the files'
 * (`overrides`: the new modules, the committed ones beside them), and the lib files from ts-morph's bundle, parsed
 * once per process (`libCache`).
 */
function createImpactHost(bundledTs: BundledTypeScript, parsed: TS.ParsedCommandLine, cache: Map<string, TS.SourceFile>, overrides: Map<string, string>): TS.CompilerHost {
  const ts = bundledTs.ts as unknown as Ts
  // No parent pointers while parsing: the binder sets them in every file it binds, and every file is bound.
  const host = ts.createCompilerHost(parsed.options, false)
  // As tsc does: JSDoc is parsed only where it can hold types (JavaScript files), not in the lib files' comments.
  host.jsDocParsingMode = ts.JSDocParsingMode.ParseForTypeErrors
  const { getSourceFile, fileExists, readFile } = host
  // The lib files come from ts-morph's bundle (its TypeScript has none on disk beside it).
  const libPrefix = `${bundledTs.libFolder}/`
  const lib = (fileName: string) => (fileName.startsWith(libPrefix) ? bundledTs.libFiles.get(fileName.slice(libPrefix.length)) : undefined)
  host.getDefaultLibLocation = () => bundledTs.libFolder
  host.getDefaultLibFileName = (options) => libPrefix + ts.getDefaultLibFileName(options)
  host.getSourceFile = (fileName, language, onError, shouldCreate) => {
    const libText = lib(fileName)
    if (libText !== undefined) {
      const key = `${fileName}\0${JSON.stringify(language)}`
      let sf = libCache.get(key)
      if (!sf) libCache.set(key, (sf = ts.createSourceFile(fileName, libText, language, false)))
      return sf
    }
    const override = overrides.get(fileName)
    if (override !== undefined) {
      const hit = cache.get(`${fileName}\0${override.length}`)
      if (hit && hit.text === override) return hit
      const sf = ts.createSourceFile(fileName, override, language, false)
      cache.set(`${fileName}\0${override.length}`, sf)
      return sf
    }
    let sf = cache.get(fileName)
    if (!sf) {
      sf = getSourceFile.call(host, fileName, language, onError, shouldCreate)
      if (sf) cache.set(fileName, sf)
    }
    return sf
  }
  host.fileExists = (fileName) => overrides.has(fileName) || lib(fileName) !== undefined || fileExists.call(host, fileName)
  host.readFile = (fileName) => overrides.get(fileName) ?? lib(fileName) ?? readFile.call(host, fileName)
  return host
}

/**
 * What an analysis can do before it knows which templates change: load TypeScript, read each project's tsconfig
 * and parse its lib files (`libCache`). The worker of {@link startImpactAnalysis} does this while the main thread
 * plans, then prepares only the files that name the changed templates. Errors are left for the run to report.
 */
export function warmImpactAnalysis(options: PrepareImpactOptions): void {
  try {
    const bundledTs = loadBundledTypeScript()
    const ts = bundledTs.ts as unknown as Ts
    for (const tsconfig of options.projects) {
      const parsed = parseTsconfig(ts, tsconfig, tsconfig)
      const host = createImpactHost(bundledTs, parsed, new Map(), new Map())
      ts.createProgram({ rootNames: [], options: parsed.options, host }).getTypeChecker()
    }
  } catch {
    // The run reports it, with the project's name as the user gave it.
  }
}

function prepareProject(bundledTs: BundledTypeScript, tsconfig: string, moduleFiles: readonly string[], root: string, focus: RegExp | undefined): PreparedProject {
  const t0 = performance.now()
  const ts = bundledTs.ts as unknown as Ts
  const shown = posix(relative(root, tsconfig)) || basename(tsconfig)
  const parsed = parseTsconfig(ts, tsconfig, shown)
  const scan = scanProject(ts, parsed, moduleFiles)
  const graph = (focus && focusedFiles(scan, focus)) ?? narrow(reachingFiles(scan), scan, focus)
  if (graph.modules.length === 0) {
    throw new GalleyError('impact-project', `${shown} neither includes nor imports a generated module (${moduleFiles.map((m) => posix(relative(root, m))).join(', ')}).`, {
      hint: "Point impact.projects (or the paths after --impact) at the tsconfig.json of a project that imports the config's output, or add that file to the output list.",
    })
  }
  const cache = new Map<string, TS.SourceFile>()
  const overrides = new Map<string, string>()
  const host = createImpactHost(bundledTs, parsed, cache, overrides)
  // The program starts from the files that use a generated module and what they import, one level deep: the
  // imports of that frontier are left unresolved, unless a use turns out to depend on them (`deepen`).
  const scope: ImportScope = { expanded: new Set([...graph.files, ...(graph.via ?? []), ...graph.modules]), depth: 1, all: false }
  const resolution = ts.createModuleResolutionCache(process.cwd(), (f) => f, parsed.options)
  host.resolveModuleNameLiterals = (literals, containingFile, redirected, options) => {
    const follow = scope.all || scope.expanded.has(norm(containingFile)) || containingFile.endsWith(OLD_SUFFIX) || isLibraryFile(containingFile)
    return literals.map((literal) =>
      follow ? ts.resolveModuleName(literal.text, containingFile, options, host, resolution, redirected) : { resolvedModule: undefined },
    )
  }
  const before = ts.createProgram({ rootNames: rootsOf(graph), options: parsed.options, host })
  // Binds every file once; the run's program reuses them.
  before.getTypeChecker()
  return {
    ts,
    tsconfig,
    shown,
    options: parsed.options,
    graph,
    before,
    cache,
    overrides,
    host,
    scope,
    report: { project: shown, modules: graph.modules.map((m) => posix(relative(root, m))), files: parsed.fileNames.length, checkedFiles: graph.files.length },
    ms: performance.now() - t0,
  }
}

function runProject(
  prepared: PreparedProject,
  modules: readonly ImpactModule[],
  changes: ReadonlyMap<string, ImpactChange>,
  root: string,
): { sites: ImpactCallSite[]; programFiles: number } {
  const { ts, graph, overrides } = prepared
  if (changes.size === 0 || graph.files.length === 0) return { sites: [], programFiles: 0 }
  const texts = new Map(modules.map((m) => [norm(m.file), m.text]))
  overrides.clear()
  const siblings: string[] = []
  for (const file of graph.modules) {
    const text = texts.get(file)
    if (text === undefined) throw new GalleyError('impact-module', `No new text was given for the generated module ${posix(relative(root, file))}.`)
    const committed = prepared.before.getSourceFile(file)?.text ?? readOrNull(file)
    overrides.set(file, text)
    if (committed !== null && committed !== undefined) {
      overrides.set(file + OLD_SUFFIX, committed)
      siblings.push(file + OLD_SUFFIX)
    }
  }
  let program: TS.Program
  let sites: CheckedSite[]
  for (;;) {
    program = ts.createProgram({ rootNames: [...rootsOf(graph), ...siblings], options: prepared.options, host: prepared.host, oldProgram: prepared.before })
    sites = findBrokenUses(ts, program, graph, changes)
    if (prepared.scope.all || !dependsOnFrontier(ts, program, sites, prepared.scope)) break
    deepen(prepared)
  }
  const before = prepared.before
  // A diagnostic that the committed module produces at the same place is not the change's doing.
  const unexplained = sites.filter((s) => s.site.problems.length === 0 && s.diagnostics.length > 0)
  if (unexplained.length > 0) {
    const seen = new Set<string>()
    for (const file of new Set(unexplained.map((s) => s.site.file.fileName))) {
      for (const d of before.getSemanticDiagnostics(before.getSourceFile(file))) seen.add(diagnosticKey(ts, file, d))
    }
    for (const s of unexplained) {
      for (const d of s.diagnostics) {
        if (seen.has(diagnosticKey(ts, s.site.file.fileName, d))) continue
        s.site.problems.push(`it no longer compiles: ${flatten(ts, d)}`)
      }
    }
  }
  const out: ImpactCallSite[] = []
  for (const { site } of sites) {
    const { line, character } = site.file.getLineAndCharacterOfPosition(site.pos)
    for (const message of new Set(site.problems)) {
      out.push({ project: prepared.shown, file: posix(relative(root, site.file.fileName)), line: line + 1, column: character + 1, slug: site.slug, symbol: site.symbol, message })
    }
  }
  const programFiles = program.getSourceFiles().filter((sf) => !program.isSourceFileDefaultLibrary(sf) && !isLibraryFile(sf.fileName) && !sf.fileName.endsWith(OLD_SUFFIX)).length
  return { sites: out, programFiles }
}

/**
 * Which imports a program follows. Type-checking a use needs the declarations it reaches, not the whole project:
 * the programs start with the files that use a generated module (`expanded`) and the files they import, whose
 * own imports are left unresolved (the frontier). Declaration files' imports are always followed. When a use
 * depends on the frontier's unresolved imports ({@link dependsOnFrontier}), the program grows one level; the
 * third time, it follows every import, as tsc does.
 */
interface ImportScope {
  expanded: Set<string>
  depth: number
  /** Every import is followed. */
  all: boolean
}

/** One more level of imports (or all of them), for the committed program; the run builds on it. */
function deepen(prepared: PreparedProject): void {
  const { ts, scope, overrides, graph } = prepared
  if (scope.depth >= 2) scope.all = true
  else for (const sf of prepared.before.getSourceFiles()) scope.expanded.add(norm(sf.fileName))
  scope.depth++
  // The committed program sees the committed modules: the new texts step aside while it is built.
  const saved = new Map(overrides)
  overrides.clear()
  try {
    prepared.before = ts.createProgram({ rootNames: rootsOf(graph), options: prepared.options, host: prepared.host })
    prepared.before.getTypeChecker()
  } finally {
    for (const [file, text] of saved) overrides.set(file, text)
  }
  if (!scope.all && prepared.before.getSourceFiles().every((sf) => isFollowed(sf, scope))) scope.all = true
}

function rootsOf(graph: Reach): string[] {
  return [...graph.files, ...(graph.via ?? []), ...graph.modules]
}

function isFollowed(sf: TS.SourceFile, scope: ImportScope): boolean {
  return scope.all || sf.isDeclarationFile || scope.expanded.has(norm(sf.fileName)) || isLibraryFile(sf.fileName)
}

function isLibraryFile(file: string): boolean {
  return /\.d\.[cm]?ts$/.test(file) || file.includes('/node_modules/')
}

/**
 * Whether a checked use may depend on an import the program left unresolved. It may when:
 * - a name at the use has the checker's error type (it could not be resolved);
 * - the declaration of a name at the use (a variable, a property, a called function) sits in a frontier file
 *   and names one of that file's imports: in its type annotation, or in its body when its type is inferred;
 * - the data sent has, anywhere inside it, the error type, or a type, a property or an `extends` declared in a
 *   frontier file that names one of its imports.
 * Conservative: a name that only looks like an import still counts, and costs one more level.
 */
function dependsOnFrontier(ts: Ts, program: TS.Program, sites: readonly CheckedSite[], scope: ImportScope): boolean {
  const checker = program.getTypeChecker()
  const importNames = new Map<TS.SourceFile, Set<string>>()
  const seenTypes = new Set<TS.Type>()
  const seenDeclarations = new Set<TS.Node>()

  const namesImportedBy = (sf: TS.SourceFile): Set<string> => {
    let names = importNames.get(sf)
    if (names) return names
    names = new Set()
    for (const stmt of sf.statements) {
      if (ts.isImportDeclaration(stmt) && stmt.importClause) {
        const { name, namedBindings } = stmt.importClause
        if (name) names.add(name.text)
        if (namedBindings && ts.isNamespaceImport(namedBindings)) names.add(namedBindings.name.text)
        else if (namedBindings) for (const el of namedBindings.elements) names.add(el.name.text)
      } else if (ts.isImportEqualsDeclaration(stmt) && ts.isExternalModuleReference(stmt.moduleReference)) {
        names.add(stmt.name.text)
      }
    }
    importNames.set(sf, names)
    return names
  }
  /** The parts of a declaration its type comes from: an annotation when there is one, else all of it. */
  const typeSources = (d: TS.Node): readonly TS.Node[] => {
    if (ts.isInterfaceDeclaration(d) || ts.isClassLike(d)) return [...(d.typeParameters ?? []), ...(d.heritageClauses ?? [])]
    if (ts.isFunctionLike(d) && d.type) return [...(d.typeParameters ?? []), ...d.parameters, d.type]
    if ((ts.isVariableDeclaration(d) || ts.isPropertyDeclaration(d) || ts.isPropertySignature(d) || ts.isParameter(d)) && d.type) return [d.type]
    return [d]
  }
  const declarationUsesFrontier = (declaration: TS.Node): boolean => {
    if (seenDeclarations.has(declaration)) return false
    seenDeclarations.add(declaration)
    const sf = declaration.getSourceFile()
    if (isFollowed(sf, scope)) return false
    const names = namesImportedBy(sf)
    let hit = false
    const visit = (node: TS.Node): void => {
      if (hit) return
      if ((ts.isIdentifier(node) && names.has(node.text)) || ts.isImportTypeNode(node)) hit = true
      else ts.forEachChild(node, visit)
    }
    for (const part of typeSources(declaration)) visit(part)
    return hit
  }
  const symbolUsesFrontier = (symbol: TS.Symbol | undefined): boolean => (symbol?.declarations ?? []).some(declarationUsesFrontier)
  const isErrorType = (type: TS.Type): boolean => !!(type.flags & ts.TypeFlags.Any) && (type as { intrinsicName?: string }).intrinsicName === 'error'
  /** The data sent, all the way down. */
  const typeUsesFrontier = (type: TS.Type, depth: number): boolean => {
    if (seenTypes.has(type) || depth > 12) return false
    seenTypes.add(type)
    if (type.flags & ts.TypeFlags.Any) return isErrorType(type)
    if (symbolUsesFrontier(type.aliasSymbol) || symbolUsesFrontier(type.symbol)) return true
    if ((type.aliasTypeArguments ?? []).some((t) => typeUsesFrontier(t, depth + 1))) return true
    if (type.isUnionOrIntersection()) return type.types.some((t) => typeUsesFrontier(t, depth + 1))
    if (!(type.flags & ts.TypeFlags.Object)) return false
    if ((type as TS.ObjectType).objectFlags & ts.ObjectFlags.Reference) {
      if (checker.getTypeArguments(type as TS.TypeReference).some((t) => typeUsesFrontier(t, depth + 1))) return true
    }
    // A type declared in a library file reaches nothing of the project but through its type arguments.
    const declarations = (type.aliasSymbol ?? type.symbol)?.declarations ?? []
    if (declarations.length > 0 && declarations.every((d) => isLibraryFile(d.getSourceFile().fileName))) return false
    for (const property of checker.getPropertiesOfType(type)) {
      if (symbolUsesFrontier(property) || typeUsesFrontier(checker.getTypeOfSymbol(property), depth + 1)) return true
    }
    return false
  }

  for (const { site } of sites) {
    if (site.data && typeUsesFrontier(checker.getTypeAtLocation(site.data), 0)) return true
    let hit = false
    const visit = (node: TS.Node): void => {
      if (hit || node.end <= site.start || node.pos >= site.end) return
      if (ts.isIdentifier(node)) {
        const symbol = checker.getSymbolAtLocation(node)
        const target = symbol && symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
        hit = symbolUsesFrontier(target) || isErrorType(checker.getTypeAtLocation(node))
        return
      }
      ts.forEachChild(node, visit)
    }
    visit(site.file)
    if (hit) return true
  }
  return false
}

function parseTsconfig(ts: Ts, tsconfig: string, shown: string): TS.ParsedCommandLine {
  const problems: string[] = []
  const parsed = ts.getParsedCommandLineOfConfigFile(tsconfig, undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => problems.push(flatten(ts, d)),
  })
  const errors = (parsed?.errors ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error && d.code !== 18003)
  if (!parsed || problems.length > 0 || errors.length > 0) {
    throw new GalleyError('impact-project', `Cannot read the consuming project ${shown}: ${[...problems, ...errors.map((d) => flatten(ts, d))].join('; ') || 'unknown error'}.`, {
      hint: 'Give the path of a tsconfig.json (impact.projects in the config, or the paths after --impact).',
    })
  }
  return parsed
}

interface Reach {
  /** The generated modules the project includes or imports (normalized paths). */
  modules: string[]
  /** The project's files that import one of them, directly or through other files of the project. */
  files: string[]
  /** Files between checked files and a module, followed but not checked (with a `focus` only). */
  via?: string[]
}

/** The project's files, each read once, with the imports resolved on demand (both graph walks below use it). */
interface ProjectScan {
  /** The generated modules (normalized paths). */
  modules: Set<string>
  /** The project's files (tsconfig `files`/`include`), normalized. */
  files: Set<string>
  /** The generated modules the project includes. */
  included: string[]
  /** The text of every file that could be read, but the modules. */
  texts: Map<string, string>
  /** The files `file` imports (resolved, normalized); cached. */
  importsOf(file: string): string[]
}

function scanProject(ts: Ts, parsed: TS.ParsedCommandLine, moduleFiles: readonly string[]): ProjectScan {
  const modules = new Set(moduleFiles.map((m) => norm(m)))
  const files = new Set<string>()
  const included: string[] = []
  const texts = new Map<string, string>()
  for (const raw of parsed.fileNames) {
    const file = norm(raw)
    files.add(file)
    if (modules.has(file)) {
      included.push(file)
      continue
    }
    try {
      texts.set(file, readFileSync(file, 'utf8'))
    } catch {
      // Unreadable: it imports nothing as far as the analysis can tell.
    }
  }
  const cache = ts.createModuleResolutionCache(process.cwd(), (f) => f, parsed.options)
  const imports = new Map<string, string[]>()
  const importsOf = (file: string): string[] => {
    let list = imports.get(file)
    if (list) return list
    list = []
    const text = texts.get(file)
    for (const ref of text === undefined ? [] : ts.preProcessFile(text, true, true).importedFiles) {
      const resolved = ts.resolveModuleName(ref.fileName, file, parsed.options, ts.sys, cache).resolvedModule?.resolvedFileName
      if (resolved) list.push(norm(resolved))
    }
    imports.set(file, list)
    return list
  }
  return { modules, files, included, texts, importsOf }
}

/** The import graph of the project's files, walked backwards from the generated modules. */
function reachingFiles(scan: ProjectScan): Reach {
  const importers = new Map<string, string[]>()
  const found = new Set(scan.included)
  for (const file of scan.texts.keys()) {
    for (const target of scan.importsOf(file)) {
      if (scan.modules.has(target)) found.add(target)
      const list = importers.get(target)
      if (list) list.push(file)
      else importers.set(target, [file])
    }
  }
  const reached = new Set<string>()
  const queue = [...found]
  while (queue.length > 0) {
    for (const importer of importers.get(queue.pop()!) ?? []) {
      if (reached.has(importer) || scan.modules.has(importer)) continue
      reached.add(importer)
      queue.push(importer)
    }
  }
  return { modules: [...found].sort(), files: [...reached].sort() }
}

/** `reach` with only the files that name what `focus` looks for (all of them without a focus). */
function narrow(reach: Reach, scan: ProjectScan, focus: RegExp | undefined): Reach {
  return focus ? { ...reach, files: reach.files.filter((f) => names(focus, scan.texts.get(f))) } : reach
}

/**
 * {@link reachingFiles} narrowed to `focus`, found from the other end: only the files that name the changed
 * templates are followed, forward, until an import reaches a generated module, instead of resolving every file's
 * imports. Undefined when none of them reaches one (the project may still import a module elsewhere: the full
 * walk decides).
 */
function focusedFiles(scan: ProjectScan, focus: RegExp): Reach | undefined {
  const found = new Set(scan.included)
  const candidates = [...scan.texts.keys()].filter((file) => names(focus, scan.texts.get(file)))
  // Forward from each candidate, breadth first, through the project's own files; only a success is remembered
  // (a file seen on a path that failed may still reach a module another way).
  const reaching = new Set<string>()
  const via = new Set<string>()
  for (const start of candidates) {
    const parent = new Map<string, string>([[start, start]])
    const queue = [start]
    let end: string | undefined
    while (queue.length > 0 && end === undefined) {
      const file = queue.shift()!
      for (const target of scan.importsOf(file)) {
        if (scan.modules.has(target)) found.add(target)
        if (scan.modules.has(target) || reaching.has(target) || via.has(target)) end ??= file
        else if (scan.files.has(target) && !parent.has(target)) {
          parent.set(target, file)
          queue.push(target)
        }
      }
    }
    if (end === undefined) continue
    reaching.add(start)
    // The files between: their imports must resolve for the use to see the module's exports (`export *` barrels).
    for (let f = end; f !== start; f = parent.get(f)!) via.add(f)
  }
  if (reaching.size === 0) return undefined
  for (const f of reaching) via.delete(f)
  return { modules: [...found].sort(), files: [...reaching].sort(), via: [...via].sort() }
}

/**
 * Whether `text` names what `focus` looks for, outside module specifiers: `import … from './render/r03'` names no
 * `render`, and a folder called `render` must not make every file that imports from it a file to check.
 */
function names(focus: RegExp, text: string | undefined): boolean {
  if (text === undefined) return false
  return focus.test(text.replace(/(\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s*)(['"])[^'"\n]*\2/gm, '$1$2$2'))
}

/**
 * What a file must name to hold a use of these templates: the generic `render` or `TemplateDataMap`, or a template's
 * PascalCase stem (`CharterHandover`, as in `renderCharterHandover` and `CharterHandoverData`; both spellings of a
 * clash, `Invoice2` and `Invoice_2`). Matched on the text, comments included: a false match only checks one file
 * more.
 */
function focusPattern(slugs: readonly string[]): RegExp {
  const stems = new Set<string>()
  for (const slug of slugs) {
    if (!SLUG_PATTERN.test(slug)) continue
    stems.add(pascalCase(slug))
    stems.add(pascalCase(slug, true))
  }
  const escaped = [...stems].map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  return new RegExp(`\\b(?:render|TemplateDataMap)\\b${escaped.map((s) => `|${s}`).join('')}`)
}

/** The names a generated module exports for each template, read from its `TemplateDataMap`. */
interface ModuleNames {
  /** Export name -> slug (data types and render functions). */
  bySymbol: Map<string, string>
  /** Slug -> the data type. */
  dataTypes: Map<string, TS.Type>
}

function moduleNames(ts: Ts, checker: TS.TypeChecker, sf: TS.SourceFile | undefined): ModuleNames {
  const names: ModuleNames = { bySymbol: new Map(), dataTypes: new Map() }
  const moduleSymbol = sf && checker.getSymbolAtLocation(sf)
  if (!moduleSymbol) return names
  const exports = new Map(checker.getExportsOfModule(moduleSymbol).map((s) => [s.name, s]))
  const map = exports.get('TemplateDataMap')
  if (!map) return names
  for (const prop of checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(map))) {
    const type = checker.getTypeOfSymbol(prop)
    const alias = type.aliasSymbol?.name
    if (!alias || !alias.endsWith('Data')) continue
    const pascal = alias.slice(0, -'Data'.length)
    names.bySymbol.set(alias, prop.name)
    names.bySymbol.set(`render${pascal}`, prop.name)
    names.dataTypes.set(prop.name, type)
  }
  void ts
  return names
}

interface CheckedSite {
  site: Site
  /** New-program diagnostics inside the use. */
  diagnostics: TS.Diagnostic[]
}

function findBrokenUses(ts: Ts, program: TS.Program, graph: Reach, changes: ReadonlyMap<string, ImpactChange>): CheckedSite[] {
  const checker = program.getTypeChecker()
  const moduleFiles = new Set(graph.modules)
  const now = new Map<string, ModuleNames>()
  const before = new Map<string, ModuleNames>()
  for (const m of graph.modules) {
    now.set(m, moduleNames(ts, checker, program.getSourceFile(m)))
    before.set(m, moduleNames(ts, checker, program.getSourceFile(m + OLD_SUFFIX)))
  }
  // Every name a changed template has (or had) in a generated module, and the generic ones.
  const interesting = new Set(['render', 'TemplateDataMap'])
  for (const names of [...now.values(), ...before.values()]) for (const [symbol, slug] of names.bySymbol) if (changes.has(slug)) interesting.add(symbol)

  const out: CheckedSite[] = []
  for (const fileName of graph.files) {
    const sf = program.getSourceFile(fileName)
    if (!sf) continue
    // Local names bound to generated exports (`import { renderInvoice as ri }`): original name by local name.
    const aliases = new Map<string, { original: string; module: string | undefined }>()
    for (const stmt of sf.statements) {
      if (!ts.isImportDeclaration(stmt) || !stmt.importClause?.namedBindings || !ts.isNamedImports(stmt.importClause.namedBindings)) continue
      const from = checker.getSymbolAtLocation(stmt.moduleSpecifier)?.declarations?.[0]
      const module = from && ts.isSourceFile(from) && moduleFiles.has(norm(from.fileName)) ? norm(from.fileName) : undefined
      for (const el of stmt.importClause.namedBindings.elements) {
        const original = (el.propertyName ?? el.name).text
        if (interesting.has(original)) aliases.set(el.name.text, { original, module })
      }
    }
    const sites: Site[] = []
    const visit = (node: TS.Node): void => {
      if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return
      if (ts.isIdentifier(node) && (interesting.has(node.text) || aliases.has(node.text))) {
        const site = siteOf(ts, checker, node, sf, moduleFiles, now, before, changes, aliases)
        if (site) sites.push(site)
      }
      ts.forEachChild(node, visit)
    }
    visit(sf)
    if (sites.length === 0) continue
    for (const site of sites) checkData(ts, checker, site, now.get(site.module)!, before.get(site.module)!)
    // Diagnostics only explain a use the data check found nothing wrong with (see runProject): where every use
    // already has its problems, the checker need not check the file.
    const unexplained = sites.filter((site) => site.problems.length === 0)
    const diagnostics = unexplained.length > 0 ? semanticDiagnosticsOf(ts, program, sf, unexplained) : []
    for (const site of sites) {
      const inside = diagnostics.filter((d) => d.start !== undefined && d.start >= site.start && d.start < site.end)
      out.push({ site, diagnostics: site.problems.length === 0 ? inside : [] })
    }
  }
  return out
}

/**
 * The diagnostics of the statements that hold the uses, not of the whole file: the checker checks only those
 * (`nodesToCheck`, which TypeScript's language service uses for the part of a file on screen).
 */
function semanticDiagnosticsOf(ts: Ts, program: TS.Program, sf: TS.SourceFile, sites: readonly Site[]): readonly TS.Diagnostic[] {
  const statements = sf.statements.filter((st) => sites.some((s) => s.start < st.end && s.end > st.getStart(sf)))
  const regional = program.getSemanticDiagnostics as (sf: TS.SourceFile, token?: TS.CancellationToken, nodesToCheck?: TS.Node[]) => readonly TS.Diagnostic[]
  return regional.call(program, sf, undefined, statements)
}

/** The use `id` makes of a generated export, when it is one of a changed template. */
function siteOf(
  ts: Ts,
  checker: TS.TypeChecker,
  id: TS.Identifier,
  sf: TS.SourceFile,
  moduleFiles: ReadonlySet<string>,
  now: ReadonlyMap<string, ModuleNames>,
  before: ReadonlyMap<string, ModuleNames>,
  changes: ReadonlyMap<string, ImpactChange>,
  aliases: ReadonlyMap<string, { original: string; module: string | undefined }>,
): Site | undefined {
  // Declarations of the same name are not uses.
  const parent = id.parent
  if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertySignature(parent) || ts.isVariableDeclaration(parent) || ts.isFunctionDeclaration(parent) || ts.isParameter(parent)) && parent.name === id) return undefined
  if ((ts.isPropertyAccessExpression(parent) && parent.expression === id) || (ts.isQualifiedName(parent) && parent.left === id)) return undefined
  let symbol = checker.getSymbolAtLocation(id)
  let exported: string | undefined
  let module: string | undefined
  let deleted = false
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol)
  const declFile = symbol?.declarations?.[0]?.getSourceFile().fileName
  if (symbol && declFile && moduleFiles.has(norm(declFile))) {
    exported = symbol.name
    module = norm(declFile)
  } else if (!symbol || !symbol.declarations?.length) {
    // Unresolved: an export the new module no longer has (a deleted template), imported by name or reached
    // through a namespace import of the generated module.
    const named = aliases.get(id.text)
    if (named?.module) {
      exported = named.original
      module = named.module
    } else if ((ts.isPropertyAccessExpression(parent) && parent.name === id) || (ts.isQualifiedName(parent) && parent.right === id)) {
      module = generatedNamespace(ts, checker, ts.isQualifiedName(parent) ? parent.left : parent.expression, moduleFiles)
      if (module) exported = id.text
    }
    deleted = exported !== undefined
  }
  if (!exported || !module) return undefined
  const names = now.get(module)!
  const oldNames = before.get(module)!
  const use = (ts.isPropertyAccessExpression(parent) && parent.name === id) || (ts.isQualifiedName(parent) && parent.right === id) ? parent : id
  const call = ts.isCallExpression(use.parent) && use.parent.expression === use ? use.parent : undefined

  let slug: string | undefined
  let data: TS.Expression | undefined
  let range: TS.Node = use
  if (exported === 'render') {
    if (!call || call.arguments.length < 1) return undefined
    const slugType = checker.getTypeAtLocation(call.arguments[0]!)
    if (!slugType.isStringLiteral()) return undefined
    slug = slugType.value
    data = call.arguments[1]
    range = call
  } else if (exported === 'TemplateDataMap') {
    const ref = use.parent
    const indexed = ref && ts.isTypeReferenceNode(ref) && ts.isIndexedAccessTypeNode(ref.parent) ? ref.parent : undefined
    if (!indexed || !ts.isLiteralTypeNode(indexed.indexType) || !ts.isStringLiteral(indexed.indexType.literal)) return undefined
    slug = indexed.indexType.literal.text
    ;({ range, data } = typedUse(ts, indexed))
  } else {
    slug = names.bySymbol.get(exported) ?? oldNames.bySymbol.get(exported)
    if (!slug) return undefined
    if (exported.startsWith('render') && call) {
      data = call.arguments[0]
      range = call
    } else if (ts.isTypeReferenceNode(use.parent) || ts.isExpressionWithTypeArguments(use.parent)) {
      ;({ range, data } = typedUse(ts, use.parent))
    }
  }
  if (!changes.has(slug)) return undefined
  const site: Site = { slug, symbol: exported, module, pos: id.getStart(sf), start: range.getStart(sf), end: range.getEnd(), file: sf, problems: [] }
  if (data) site.data = data
  if (deleted || changes.get(slug)!.action === 'delete' || !names.dataTypes.has(slug)) {
    const gone =
      exported === 'render'
        ? `\`render('${slug}', …)\` no longer accepts it`
        : exported === 'TemplateDataMap'
          ? `\`TemplateDataMap['${slug}']\` no longer exists`
          : `\`${exported}\` is no longer generated`
    site.problems.push(`template \`${slug}\` is deleted: ${gone}`)
  }
  return site
}

/** The generated module `expr` is a namespace import of (`import * as ck from './craftkit.gen'`), if it is one. */
function generatedNamespace(ts: Ts, checker: TS.TypeChecker, expr: TS.Node, moduleFiles: ReadonlySet<string>): string | undefined {
  let symbol = checker.getSymbolAtLocation(expr)
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol)
  const decl = symbol?.declarations?.[0]
  return decl !== undefined && ts.isSourceFile(decl) && moduleFiles.has(norm(decl.fileName)) ? norm(decl.fileName) : undefined
}

/**
 * Where a type reference is used: the declaration it annotates (a variable with its initializer, a parameter
 * with its function, whose body may read keys that are gone), or a `satisfies`/`as` expression.
 */
function typedUse(ts: Ts, typeNode: TS.Node): { range: TS.Node; data?: TS.Expression } {
  let node: TS.Node = typeNode
  while (node.parent && (ts.isTypeNode(node.parent) || ts.isExpressionWithTypeArguments(node.parent))) node = node.parent
  const owner = node.parent
  if (!owner) return { range: typeNode }
  if (ts.isVariableDeclaration(owner) && owner.type === node) return owner.initializer ? { range: owner, data: owner.initializer } : { range: owner }
  if ((ts.isSatisfiesExpression(owner) || ts.isAsExpression(owner)) && owner.type === node) return { range: owner, data: owner.expression }
  if (ts.isParameter(owner) && owner.type === node) return { range: owner.parent }
  if ((ts.isPropertyAssignment(owner) || ts.isPropertyDeclaration(owner)) && 'initializer' in owner && owner.initializer) return { range: owner, data: owner.initializer as TS.Expression }
  if (ts.isFunctionLike(owner)) return { range: owner }
  return { range: owner }
}

/** Compares the data a use sends with the old and the new data type of its template. */
function checkData(ts: Ts, checker: TS.TypeChecker, site: Site, names: ModuleNames, oldNames: ModuleNames): void {
  if (!site.data || site.problems.length > 0) return
  const next = names.dataTypes.get(site.slug)
  if (!next) return
  const prev = oldNames.dataTypes.get(site.slug)
  walk(ts, checker, checker.getTypeAtLocation(site.data), next, prev, '', site.problems)
}

function walk(ts: Ts, checker: TS.TypeChecker, argIn: TS.Type, nextIn: TS.Type, prevIn: TS.Type | undefined, path: string, out: string[]): void {
  const arg = checker.getNonNullableType(argIn)
  if (arg.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Never)) return
  const next = checker.getNonNullableType(nextIn)
  const prev = prevIn && checker.getNonNullableType(prevIn)
  if (checker.isArrayType(next)) {
    const a = elementType(checker, arg)
    const n = elementType(checker, next)
    const p = prev && elementType(checker, prev)
    if (a && n) walk(ts, checker, a, n, p, `${path}[]`, out)
    else if (!checker.isTypeAssignableTo(arg, next)) out.push(typeChanged(checker, path, next, arg))
    return
  }
  if (!isRecord(ts, checker, next) || !isRecord(ts, checker, arg)) {
    if (!checker.isTypeAssignableTo(arg, next) && (!prev || checker.isTypeAssignableTo(arg, prev))) out.push(typeChanged(checker, path, next, arg))
    return
  }
  for (const a of checker.getPropertiesOfType(arg)) {
    const key = join2(path, a.name)
    const n = checker.getPropertyOfType(next, a.name)
    const p = prev && checker.getPropertyOfType(prev, a.name)
    if (!n) {
      if (p) out.push(`\`${key}\` is no longer declared: the server would strip it`)
      continue
    }
    walk(ts, checker, checker.getTypeOfSymbol(a), checker.getTypeOfSymbol(n), p && checker.getTypeOfSymbol(p), key, out)
  }
  for (const n of checker.getPropertiesOfType(next)) {
    if (n.flags & ts.SymbolFlags.Optional) continue
    const a = checker.getPropertyOfType(arg, n.name)
    if (a && !(a.flags & ts.SymbolFlags.Optional)) continue
    const p = prev && checker.getPropertyOfType(prev, n.name)
    if (p && !(p.flags & ts.SymbolFlags.Optional)) continue
    const key = join2(path, n.name)
    if (a) out.push(`\`${key}\` is now required, and this call may leave it out`)
    else for (const leaf of requiredLeaves(ts, checker, checker.getTypeOfSymbol(n), key)) out.push(`\`${leaf}\` is now required`)
  }
}

/** The required keys below a required object that is not sent at all (`vessel.owner` -> `vessel.owner.name`). */
function requiredLeaves(ts: Ts, checker: TS.TypeChecker, type: TS.Type, path: string): string[] {
  const t = checker.getNonNullableType(type)
  if (!isRecord(ts, checker, t)) return [path]
  const leaves = checker
    .getPropertiesOfType(t)
    .filter((p) => !(p.flags & ts.SymbolFlags.Optional))
    .flatMap((p) => requiredLeaves(ts, checker, checker.getTypeOfSymbol(p), join2(path, p.name)))
  return leaves.length > 0 ? leaves : [path]
}

function typeChanged(checker: TS.TypeChecker, path: string, next: TS.Type, arg: TS.Type): string {
  const shown = (t: TS.Type) => checker.typeToString(checker.getBaseTypeOfLiteralType(t))
  return `\`${path || '(data)'}\` is now \`${shown(next)}\`, and this call passes \`${shown(arg)}\``
}

function elementType(checker: TS.TypeChecker, type: TS.Type): TS.Type | undefined {
  if (checker.isArrayType(type) || checker.isTupleType(type)) {
    const args = checker.getTypeArguments(type as TS.TypeReference)
    if (checker.isArrayType(type)) return args[0]
    return args.length > 0 ? args.reduce((a, b) => (checker.isTypeAssignableTo(b, a) ? a : b)) : undefined
  }
  return undefined
}

/** A plain object type (nested data or a loop row), not a primitive, an array, a function or a `Date` union. */
function isRecord(ts: Ts, checker: TS.TypeChecker, type: TS.Type): boolean {
  if (!(type.flags & ts.TypeFlags.Object)) return false
  if (checker.isArrayType(type) || checker.isTupleType(type)) return false
  if (type.getCallSignatures().length > 0) return false
  return !type.symbol || type.symbol.name !== 'Date'
}

function join2(path: string, key: string): string {
  return path === '' ? key : path.endsWith('[]') ? `${path}.${key}` : `${path}.${key}`
}

function diagnosticKey(ts: Ts, file: string, d: TS.Diagnostic): string {
  return JSON.stringify([file, d.start, d.code, flatten(ts, d)])
}

function flatten(ts: Ts, d: TS.Diagnostic): string {
  const text = ts.flattenDiagnosticMessageText(d.messageText, '\n')
  const first = text.split('\n')[0]!.trim()
  return first.endsWith('.') ? first.slice(0, -1) : first
}

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return null
  }
}

function norm(file: string): string {
  return posix(resolve(file))
}

function posix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/')
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

