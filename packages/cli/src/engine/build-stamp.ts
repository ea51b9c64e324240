/**
 * @module The build stamp (`@galley/cli/stamp`): a production build's proof that nothing changed since the last
 * build that linted and generated, so that its build start needs neither the engine nor core (DESIGN §7, §8).
 *
 * What a full run proved is kept in `node_modules/.cache/galley/build-<key>.json`, where bundlers keep their
 * caches: the digest of every file in the templates folder, the config file's bytes, each generated file's bytes
 * and the warnings the run printed. The next build start re-reads those files (a few ms; node built-ins and
 * `@galley/core/find-config` only) and, when every digest matches, takes the stamp's word: it prints the same
 * warnings and skips lint and generation. Any difference (a template, a fixture or the config edited, a generated
 * file edited or deleted, another Galley version, other plugin options) is a miss, and the full path runs, as it
 * would with no stamp at all.
 *
 * Only a JSON config or none is stamped: a `galley.config.ts` may import other files that the stamp cannot see.
 * Only `from: 'local'` without `pinVersions`: a snapshot is another input. A stamp that cannot be read or written
 * is a miss, never an error.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { findConfigFile } from '@galley/core/find-config'

/** What decides the run besides the files: the options a caller passes to `GenerateSession.create` and `run`. */
export interface BuildStampOptions {
  /** The project folder the session is created in. */
  cwd: string
  /** Explicit config path, as given to the session. */
  config?: string | undefined
  /** Everything else that changes the run (templates, output, failOnLint…), JSON-serializable. */
  settings: Record<string, unknown>
}

/** What the stamp says when it still holds. */
export interface BuildStampHit {
  /** The generated files (absolute). */
  outputs: string[]
  /** The templates folder (absolute). */
  templatesDir: string
  /** The template source files of the run (absolute), for bundlers' watch lists. */
  sourceFiles: string[]
  /** The warnings text the run produced ('' when none). */
  warnings: string
}

/** A probe: a hit, or where a run that succeeds records its stamp (`undefined` when this run cannot be stamped). */
export type BuildStampProbe = { hit: BuildStampHit } | { hit: undefined; file: string | undefined; config: ConfigState }

/** What a full run hands over to be stamped. */
export interface BuildStampRecord {
  templatesDir: string
  outputs: readonly string[]
  sourceFiles: readonly string[]
  warnings: string
  /** `templatesDigest(templatesDir)` taken before the run read the sources, so that an edit during it is not stamped. */
  templatesDigest: string
}

interface ConfigState {
  file: string | null
  digest: string | null
}

interface StampFile {
  config: ConfigState
  templatesDir: string
  templatesDigest: string
  outputs: { file: string; digest: string }[]
  sourceFiles: string[]
  warnings: string
}

/** Checks the stamp of a build with these options. */
export function probeBuildStamp(options: BuildStampOptions): BuildStampProbe {
  const config = configState(options)
  if (config === undefined) return { hit: undefined, file: undefined, config: { file: null, digest: null } }
  const file = stampFile(options, config.file)
  if (file === undefined) return { hit: undefined, file, config }
  try {
    const stamp = JSON.parse(readFileSync(file, 'utf8')) as StampFile
    const holds =
      stamp.config.file === config.file &&
      stamp.config.digest === config.digest &&
      stamp.templatesDigest === templatesDigest(stamp.templatesDir) &&
      stamp.outputs.length > 0 &&
      stamp.outputs.every((o) => digestOf(o.file) === o.digest)
    if (holds) return { hit: { outputs: stamp.outputs.map((o) => o.file), templatesDir: stamp.templatesDir, sourceFiles: stamp.sourceFiles, warnings: stamp.warnings } }
  } catch {
    // No stamp yet, or one that cannot be read: a miss.
  }
  return { hit: undefined, file, config }
}

/** Records a successful run (lint clean, every output written or up to date) for the next probe. */
export function writeBuildStamp(probe: BuildStampProbe, record: BuildStampRecord): void {
  if (probe.hit !== undefined || probe.file === undefined) return
  try {
    const outputs = record.outputs.map((file) => ({ file, digest: digestOf(file) }))
    if (outputs.length === 0 || outputs.some((o) => o.digest === null)) return
    const stamp: StampFile = {
      config: probe.config,
      templatesDir: record.templatesDir,
      templatesDigest: record.templatesDigest,
      outputs: outputs as { file: string; digest: string }[],
      sourceFiles: [...record.sourceFiles],
      warnings: record.warnings,
    }
    mkdirSync(dirname(probe.file), { recursive: true })
    const tmp = `${probe.file}.${process.pid}.tmp`
    writeFileSync(tmp, `${JSON.stringify(stamp)}\n`)
    renameSync(tmp, probe.file)
  } catch {
    // A stamp that cannot be written only costs the next build its full run.
  }
}

/**
 * One digest of every file under `dir` (relative path and bytes, sorted by path); a folder that cannot be read
 * digests to a value no stamp holds.
 */
export function templatesDigest(dir: string): string {
  const hash = createHash('sha256')
  try {
    const files = readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
      .sort()
    for (const file of files) hash.update(relative(dir, file)).update('\0').update(readFileSync(file)).update('\0')
  } catch (error) {
    hash.update(`unreadable: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
  return hash.digest('hex')
}

/** The config this build uses: `undefined` when it cannot be stamped (a script config). */
function configState(options: BuildStampOptions): ConfigState | undefined {
  const file = options.config ? resolve(options.cwd, options.config) : (findConfigFile(options.cwd) ?? null)
  if (file !== null && !file.endsWith('.json')) return undefined
  return { file, digest: file === null ? null : digestOf(file) }
}

/** `<cwd>/node_modules/.cache/galley/build-<key>.json`, when the project has a node_modules folder. */
function stampFile(options: BuildStampOptions, configFile: string | null): string | undefined {
  const nodeModules = join(options.cwd, 'node_modules')
  if (!existsSync(nodeModules)) return undefined
  const key = createHash('sha256')
    .update(JSON.stringify({ cwd: resolve(options.cwd), configFile, settings: options.settings, galley: galleyIdentity() }))
    .digest('hex')
    .slice(0, 16)
  return join(nodeModules, '.cache', 'galley', `build-${key}.json`)
}

let identity: string | undefined

/**
 * Which Galley made the stamp: the real paths, sizes and mtimes of this module, of core (the lint rules) and of
 * codegen's entry (the generator). An upgrade or a rebuild of any of them changes it.
 */
function galleyIdentity(): string {
  if (identity !== undefined) return identity
  const parts: string[] = []
  for (const url of [import.meta.url, import.meta.resolve('@galley/core'), import.meta.resolve('@galley/codegen')]) {
    try {
      const file = realpathSync(fileURLToPath(url))
      const stat = statSync(file)
      parts.push(`${file}:${stat.size}:${stat.mtimeMs}`)
    } catch {
      parts.push(url)
    }
  }
  identity = parts.join('\n')
  return identity
}

function digestOf(file: string): string | null {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex')
  } catch {
    return null
  }
}
