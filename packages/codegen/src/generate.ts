import { canonicalManifest, GalleyError, manifestHash, type Manifest } from '@galley/core'
import { compileDataTypes } from './data-type.ts'
import { insertHashesLine, moduleInputsHash } from './hashes.ts'
import { resolveTemplateNames } from './naming.ts'
import { HASHES_MARK, printSkeleton, printTemplateChunks, skeletonKey, spliceChunks, type ModuleParts, type PrintableTemplate } from './print.ts'
import { GENERATOR_VERSION } from './version.ts'

export { GENERATOR_VERSION } from './version.ts'


/** One template to generate code for: from a local source or from a published template. */
export interface TemplateInput {
  /** Kebab-case slug: `charter-handover`. */
  slug: string
  /** Display name, for JSDoc. */
  name: string
  /** For JSDoc. */
  description?: string | null
  manifest: Manifest
  /** Posix path of the source, relative to the project root, for JSDoc and the header. */
  sourcePath: string
  /** The published version to pin `options.versionNumber` to (`--pin-versions`); none = the current one. */
  versionNumber?: number | null
}

export interface GenerateOptions {
  /**
   * The module the generated code imports `renderTemplate` and its types from.
   * @default '@galley/client'
   */
  clientModule?: string
  /**
   * Embed each manifest in its descriptor so `render<Pascal>(data, { preflight: true })` can validate locally
   * and report keys the server would strip. Makes the module larger.
   * @default false
   */
  preflight?: boolean
  /**
   * Reuse work across calls: a template whose inputs did not change is not compiled or printed again. Pass one
   * from `createGeneratorCache()` to own its lifetime, or `false` for none. A cache knows the manifests it has
   * seen by identity: pass a new manifest object when a template changes (as re-reading its source does), never
   * the same object edited in place.
   * @default a cache shared by every call in this process
   */
  cache?: GeneratorCache | false
}

/** What a cache did in its last run: how much work `generateModule` actually redid. */
export interface GeneratorCacheStats {
  /** Data types compiled with json-schema-to-typescript (cache misses). */
  compiled: number
  /** Template chunks printed (cache misses). */
  printed: number
  /** Templates whose chunk came from the cache. */
  reused: number
}

/**
 * Per-template results keyed by the manifest hash and `GENERATOR_VERSION` (data types) and by every input of a
 * template's chunk (printed text). Entries unused for two runs are dropped, so the cache holds about one
 * project's worth of templates however long the process lives.
 */
export class GeneratorCache {
  #run = 0
  readonly #types = new Map<string, { value: string; run: number }>()
  readonly #chunks = new Map<string, { value: string; run: number }>()
  readonly #hashes = new Map<string, { value: string; run: number }>()
  #hashesByObject = new WeakMap<object, string>()
  #skeleton: { key: string; value: string } | undefined
  /** Counters of the last `generateModule` call that used this cache. */
  stats: GeneratorCacheStats = { compiled: 0, printed: 0, reused: 0 }

  /** @internal */
  beginRun(): void {
    this.#run++
    this.stats = { compiled: 0, printed: 0, reused: 0 }
  }

  /** @internal */
  endRun(): void {
    for (const map of [this.#types, this.#chunks, this.#hashes] as Map<string, { run: number }>[]) {
      for (const [key, entry] of map) if (entry.run < this.#run - 1) map.delete(key)
    }
  }

  /**
   * @internal The data type of each manifest: from the cache, or compiled (distinct misses only, in batches).
   */
  async dataTypes(entries: readonly { hash: string; manifest: Manifest }[]): Promise<string[]> {
    const missing = new Map<string, Manifest>()
    for (const { hash, manifest } of entries) {
      const hit = this.#types.get(`${GENERATOR_VERSION}:${hash}`)
      if (hit) hit.run = this.#run
      else missing.set(hash, manifest)
    }
    const misses = [...missing]
    for (let i = 0; i < misses.length; i += BATCH_SIZE) {
      const batch = misses.slice(i, i + BATCH_SIZE)
      const types = await compileDataTypes(batch.map(([, m]) => m))
      batch.forEach(([hash], j) => this.#types.set(`${GENERATOR_VERSION}:${hash}`, { value: types[j]!, run: this.#run }))
    }
    this.stats.compiled += misses.length
    return entries.map(({ hash }) => this.#types.get(`${GENERATOR_VERSION}:${hash}`)!.value)
  }

  /**
   * @internal The manifest hash: by the manifest object itself when this cache saw it before (inputs are not
   * mutated, see `generateModule`), else by the manifest's JSON text (`JSON.stringify` is native and several
   * times faster than canonicalizing and hashing), else computed. A watcher that re-reads one changed source
   * and keeps the other 999 objects pays for one.
   */
  manifestHash(manifest: Manifest): string {
    const known = this.#hashesByObject.get(manifest)
    if (known !== undefined) {
      const entry = this.#hashes.get(known)
      if (entry) {
        entry.run = this.#run
        return entry.value
      }
    }
    const key = JSON.stringify(manifest)
    let entry = this.#hashes.get(key)
    if (entry) entry.run = this.#run
    else {
      entry = { value: manifestHash(manifest), run: this.#run }
      this.#hashes.set(key, entry)
    }
    this.#hashesByObject.set(manifest, key)
    return entry.value
  }

  /** @internal The module without its chunks; reprinted only when a name, source path or the set of templates changed. */
  skeleton(parts: ModuleParts): string {
    const key = skeletonKey(parts)
    if (this.#skeleton?.key !== key) this.#skeleton = { key, value: printSkeleton(parts) }
    return this.#skeleton.value
  }

  /** @internal The chunk of each key: from the cache, or printed (all misses in one call). */
  chunks(keys: readonly string[], printMissing: (indexes: number[]) => string[]): string[] {
    const out: string[] = []
    const missing: number[] = []
    keys.forEach((key, i) => {
      const hit = this.#chunks.get(key)
      if (hit) {
        hit.run = this.#run
        out[i] = hit.value
      } else missing.push(i)
    })
    const printed = missing.length === 0 ? [] : printMissing(missing)
    missing.forEach((i, j) => {
      const value = flat(printed[j]!)
      this.#chunks.set(keys[i]!, { value, run: this.#run })
      out[i] = value
    })
    this.stats.printed += missing.length
    this.stats.reused += keys.length - missing.length
    return out
  }

  /**
   * The data types this cache holds, as plain data: for {@link GeneratorCache.importDataTypes} in another thread,
   * so that it prints a module without loading json-schema-to-typescript.
   */
  exportDataTypes(): [key: string, type: string][] {
    return [...this.#types].map(([key, entry]) => [key, entry.value])
  }

  /** Takes data types that {@link GeneratorCache.exportDataTypes} gave (entries of another generator version never match). */
  importDataTypes(entries: readonly (readonly [key: string, type: string])[]): void {
    for (const [key, value] of entries) this.#types.set(key, { value, run: this.#run })
  }

  /** Compiles (or finds) the data type of every template, without printing anything. */
  async compileDataTypes(templates: readonly TemplateInput[]): Promise<void> {
    this.beginRun()
    try {
      await this.dataTypes(templates.map((t) => ({ hash: this.manifestHash(t.manifest), manifest: t.manifest })))
    } finally {
      this.endRun()
    }
  }

  /** Drops every entry. */
  clear(): void {
    this.#types.clear()
    this.#chunks.clear()
    this.#hashes.clear()
    this.#hashesByObject = new WeakMap()
    this.#skeleton = undefined
  }
}

/**
 * A copy of `text` as one contiguous string. Printed text is a rope (a tree of concatenated pieces), and V8 does
 * not flatten it in place when it is copied into a larger string, so every regeneration would walk every cached
 * chunk's rope again: ~10 ms of a 1,000-template regeneration.
 */
function flat(text: string): string {
  // UTF-16 code units in and out: exact for any string, lone surrogates included (UTF-8 would replace them).
  return Buffer.from(text, 'utf16le').toString('utf16le')
}

/** A cache of your own, e.g. one per watcher. */
export function createGeneratorCache(): GeneratorCache {
  return new GeneratorCache()
}

const sharedCache = new GeneratorCache()

/**
 * Manifests per json-schema-to-typescript call on a cold run (see `compileDataTypes`). Before sub-schemas were
 * shared, batches of 8-16 were ~15% faster than one manifest per call; with them, 16 to 1,000 per call measure
 * the same (bench corpus, 1,000 templates). Worker threads did not help (each isolate warms up
 * json-schema-to-typescript from cold, and they compete for the same cores), so there are none.
 */
const BATCH_SIZE = 16

/**
 * The text of one TypeScript module with, for each template: an exported data type (`CharterHandoverData`), a
 * descriptor constant (`charterHandoverDescriptor`: slug, manifest hash, pinned version), and
 * `renderCharterHandover(data, options?)`; then `TemplateDataMap`, `TemplateSlug`, `templateDescriptors` and a
 * generic `render(slug, data, options?)`. Templates are sorted by slug and the bytes depend on nothing but the
 * inputs (no time, no paths beyond `sourcePath`, no tool versions).
 *
 * @throws GalleyError `duplicate-slug` when two inputs share a slug, `invalid-slug` for a slug that is not
 * kebab-case.
 * @example
 * const text = await generateModule([
 *   { slug: 'charter-handover', name: 'Charter Handover', manifest, sourcePath: 'templates/charter-handover/template.yaml' },
 * ])
 */
export async function generateModule(templates: readonly TemplateInput[], options: GenerateOptions = {}): Promise<string> {
  const cache = options.cache === false ? new GeneratorCache() : (options.cache ?? sharedCache)
  const preflight = options.preflight === true
  const sorted = [...templates].sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0))
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.slug === sorted[i - 1]!.slug) {
      throw new GalleyError('duplicate-slug', `Two templates have the slug "${sorted[i]!.slug}": ${sorted[i - 1]!.sourcePath} and ${sorted[i]!.sourcePath}.`, {
        hint: 'Give each template its own slug (the folder name); `galley lint` reports it as duplicate-slug.',
      })
    }
  }
  const names = resolveTemplateNames(sorted.map((t) => t.slug))
  cache.beginRun()
  try {
    const hashes = sorted.map((t) => cache.manifestHash(t.manifest))
    const dataTypes = await cache.dataTypes(sorted.map((t, i) => ({ hash: hashes[i]!, manifest: t.manifest })))
    const printable = (i: number): PrintableTemplate => {
      const t = sorted[i]!
      return {
        names: names.get(t.slug)!,
        name: t.name,
        description: t.description ?? null,
        sourcePath: t.sourcePath,
        manifestHash: hashes[i]!,
        versionNumber: t.versionNumber ?? null,
        dataType: dataTypes[i]!,
        manifest: preflight ? preflightManifest(t.manifest) : null,
      }
    }
    // Everything a chunk depends on (the data type follows from the manifest hash).
    const keys = sorted.map((t, i) =>
      JSON.stringify([GENERATOR_VERSION, names.get(t.slug)!.pascal, t.slug, t.name, t.description ?? null, t.sourcePath, hashes[i], t.versionNumber ?? null, preflight]),
    )
    const chunks = cache.chunks(keys, (missing) => printTemplateChunks(missing.map(printable)))
    const parts = sorted.map((t, i) => ({ names: names.get(t.slug)!, sourcePath: t.sourcePath, chunk: chunks[i]! }))
    const module: ModuleParts = { templates: parts, clientModule: options.clientModule ?? '@galley/client' }
    const inputsHash = moduleInputsHash({
      templates: sorted,
      clientModule: module.clientModule,
      preflight,
    })
    return insertHashesLine(spliceChunks(cache.skeleton(module), parts), HASHES_MARK, inputsHash)
  } finally {
    cache.endRun()
  }
}

/** What the client's pre-flight validation needs: keys, types and `required`; labels and previews are not. */
function preflightManifest(manifest: Manifest): Manifest {
  const canonical = canonicalManifest(manifest)
  const field = (v: Manifest['variables'][number]) => ({ key: v.key, dataType: v.dataType, required: v.required === true })
  return {
    variables: canonical.variables.map(field),
    loops: canonical.loops.map((l) => ({ key: l.key, label: l.label, itemFields: l.itemFields.map(field) })),
  }
}
