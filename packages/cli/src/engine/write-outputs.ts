import { readFile } from 'node:fs/promises'
import type { GeneratorCache, TemplateInput } from '@galley/codegen'
// The fast path needs only the hashes; the generator (and its ~80 kB of code) is imported when a file is stale.
import { isModuleUpToDate, moduleInputsHash } from '@galley/codegen/hashes'
import type { ResolvedOutput } from './outputs.ts'

/** What became of one output. */
export interface OutputReport {
  /** Absolute path. */
  file: string
  /** Posix path relative to the project root. */
  shown: string
  /**
   * `written`/`unchanged` when writing; `up-to-date`/`stale`/`missing` with `check`. `unchanged` and
   * `up-to-date` with `fast: true` were decided from the header's hashes, without running the generator.
   */
  status: 'written' | 'unchanged' | 'up-to-date' | 'stale' | 'missing'
  /** True when the header's hashes answered and the generator was not loaded. */
  fast: boolean
  /** For `stale`: which templates differ. */
  summary?: string
  /** For `stale`: a short unified diff, on disk against generated. */
  diff?: string
}

export interface WriteOutputsOptions {
  /** Compare with the files on disk and write nothing (`--check`). */
  check?: boolean
  /**
   * Who keeps the generator cache across runs (a session: watchers regenerate one template at a time). Its
   * `cache` is made on the first generation, so that a run that needs none does not load the generator.
   */
  cacheOwner?: { cache: GeneratorCache | undefined }
  /** Stop before writing when aborted (a newer change supersedes this run). */
  signal?: AbortSignal
}

/**
 * Brings each output up to date with `templates`, the one path from inputs to files that `galley generate`,
 * the build plugin, `generate --watch` and `galley dev` share (so they write the same bytes):
 *
 * 1. The fast path (DESIGN §7): a file whose header records these inputs, and whose bytes still hash to the
 *    recorded body hash, is up to date: the generator (ts-morph, TypeScript) is never loaded.
 * 2. Otherwise each distinct variant (preflight, client module) is generated once, all of them before any file
 *    is touched, so a failed generation leaves every file as it was.
 * 3. Files are written atomically and only when their bytes differ, so an unchanged file keeps its mtime and
 *    no watcher or bundler sees a change.
 */
export async function writeOutputs(templates: readonly TemplateInput[], outputs: readonly ResolvedOutput[], options: WriteOutputsOptions = {}): Promise<OutputReport[]> {
  const variantKey = (o: ResolvedOutput) => JSON.stringify([o.preflight, o.clientModule ?? null])
  const inputsHashes = new Map<string, string>()
  for (const o of outputs) {
    const key = variantKey(o)
    if (!inputsHashes.has(key)) inputsHashes.set(key, moduleInputsHash({ templates, preflight: o.preflight, ...(o.clientModule ? { clientModule: o.clientModule } : {}) }))
  }
  const fast = new Set<ResolvedOutput>()
  for (const o of outputs) {
    const current = await readIfExists(o.file)
    if (current !== null && isModuleUpToDate(current, inputsHashes.get(variantKey(o))!)) fast.add(o)
  }
  const reports: OutputReport[] = outputs.map((o) => ({ file: o.file, shown: o.shown, status: options.check ? 'up-to-date' : 'unchanged', fast: true }))
  const stale = outputs.filter((o) => !fast.has(o))
  if (stale.length === 0) return reports
  const { checkGenerated, createGeneratorCache, generateModule, writeGenerated } = await import('@galley/codegen')
  const owner = options.cacheOwner
  if (owner) owner.cache ??= createGeneratorCache()
  const contents = new Map<string, string>()
  for (const o of stale) {
    const key = variantKey(o)
    if (!contents.has(key)) contents.set(key, await generateModule(templates, { preflight: o.preflight, ...(o.clientModule ? { clientModule: o.clientModule } : {}), ...(owner?.cache ? { cache: owner.cache } : {}) }))
  }
  options.signal?.throwIfAborted()
  for (const o of stale) {
    const i = outputs.indexOf(o)
    const base = { file: o.file, shown: o.shown }
    const content = contents.get(variantKey(o))!
    if (options.check) {
      const result = await checkGenerated(o.file, content)
      reports[i] = {
        ...base,
        status: result.upToDate ? 'up-to-date' : result.reason === 'missing' ? 'missing' : 'stale',
        fast: false,
        ...(result.summary === undefined ? {} : { summary: result.summary }),
        ...(result.diff === undefined ? {} : { diff: result.diff.replaceAll(o.file, o.shown) }),
      }
    } else {
      const result = await writeGenerated(o.file, content)
      reports[i] = { ...base, status: result.written ? 'written' : 'unchanged', fast: false }
    }
  }
  return reports
}

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EISDIR') return null
    throw error
  }
}
