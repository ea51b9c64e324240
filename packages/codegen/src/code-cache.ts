/**
 * @module A V8 code cache for the large CommonJS bundles the generator loads (TypeScript's 9 MB compiler inside
 * `@ts-morph/common`, ts-morph itself): what `module.enableCompileCache()` does on Node >= 22.1, for Node 20.
 *
 * Compiling TypeScript's bundle costs ~250 ms per process here, and every function it runs the first time (the
 * parser, the binder, the checker) is compiled again lazily. With the cache, V8 deserializes the bytecode instead:
 * loading `@ts-morph/common` measured 0.34 s instead of 0.44-0.61 s, and a 355-file program was built and bound in
 * ~0.7 s instead of ~0.8 s (the corpus of bench/impact, in one process). The cache
 * is written once, when a process finishes its work ({@link saveCodeCache}), so that it holds the functions that
 * work ran; V8 rejects a cache whose source or V8 version differs, and then it is written again.
 *
 * Files live in `<tmpdir>/galley-code-cache-<uid>/`, named by a hash of the bundle's path, size and mtime and the
 * Node version and architecture, and are written through a temp name and a rename, so processes that race write
 * whole files. `GALLEY_CODE_CACHE=0` turns it off. Every failure (an unwritable folder, a damaged file) falls
 * back to the plain `require`.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import Module, { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { Script } from 'node:vm'

/** Only bundles this large are worth a cache file: TypeScript, ts-morph's common bundle, ts-morph. */
const MIN_BYTES = 512 * 1024

interface Compiled {
  script: Script
  file: string
  /** Written by saveCodeCache: there was no usable cache. */
  fresh: boolean
}

const compiled: Compiled[] = []
let nodeCacheEnabled: boolean | undefined
let exitHook = false

type CompileFn = (this: { exports: unknown }, content: string, filename: string) => unknown
interface ModuleInternals {
  prototype: { _compile: CompileFn }
  wrap(content: string): string
}

/**
 * Runs `load` (which `require`s CommonJS bundles) with the code cache: each large file it compiles is compiled
 * from, or into, a cache file.
 */
export function withCodeCache<T>(load: () => T): T {
  if (process.env.GALLEY_CODE_CACHE === '0') return load()
  const enableCompileCache = (Module as unknown as { enableCompileCache?: (dir?: string) => unknown }).enableCompileCache
  if (typeof enableCompileCache === 'function') {
    // Node >= 22.1 caches every module itself, and better (it also refreshes stale caches).
    if (nodeCacheEnabled === undefined) {
      try {
        enableCompileCache(cacheFolder())
        nodeCacheEnabled = true
      } catch {
        nodeCacheEnabled = false
      }
    }
    return load()
  }
  const internals = Module as unknown as ModuleInternals
  const original = internals.prototype._compile
  internals.prototype._compile = function compileWithCache(content, filename) {
    if (content.length < MIN_BYTES) return original.call(this, content, filename)
    let fn: (...args: unknown[]) => unknown
    try {
      fn = compileCached(internals.wrap(content), filename)
    } catch {
      return original.call(this, content, filename)
    }
    return fn.call(this.exports, this.exports, createRequire(filename), this, filename, dirname(filename))
  }
  try {
    return load()
  } finally {
    internals.prototype._compile = original
  }
}

function compileCached(wrapped: string, filename: string): (...args: unknown[]) => unknown {
  const file = cacheFile(filename)
  let cachedData: Buffer | undefined
  try {
    cachedData = readFileSync(file)
  } catch {
    cachedData = undefined
  }
  const script = new Script(wrapped, { filename, ...(cachedData ? { cachedData } : {}) })
  const fresh = cachedData === undefined || script.cachedDataRejected === true
  compiled.push({ script, file, fresh })
  // A process that never calls saveCodeCache (`galley generate`) still leaves the cache for the next one.
  if (fresh && !exitHook) {
    exitHook = true
    process.once('exit', saveCodeCache)
  }
  return script.runInThisContext() as (...args: unknown[]) => unknown
}

/**
 * Writes the cache of every bundle compiled without one, with the functions run so far: call it once the work
 * that needs the compiler is done. Synchronous (~50 ms for TypeScript's bundle, and only the first time).
 */
export function saveCodeCache(): void {
  for (const entry of compiled) {
    if (!entry.fresh) continue
    entry.fresh = false
    try {
      mkdirSync(dirname(entry.file), { recursive: true })
      const tmp = `${entry.file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`
      writeFileSync(tmp, entry.script.createCachedData())
      renameSync(tmp, entry.file)
    } catch {
      // A cache that cannot be written only costs the next process the compile.
    }
  }
}

function cacheFolder(): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user'
  return join(tmpdir(), `galley-code-cache-${uid}`)
}

function cacheFile(filename: string): string {
  const stat = statSync(filename)
  const key = createHash('sha256')
    .update([filename, stat.size, stat.mtimeMs, process.version, process.arch].join('\0'))
    .digest('hex')
    .slice(0, 24)
  return join(cacheFolder(), `${key}.bin`)
}
