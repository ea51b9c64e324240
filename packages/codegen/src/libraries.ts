import { readFileSync } from 'node:fs'
import Module, { createRequire } from 'node:module'
import { withCodeCache } from './code-cache.ts'

// ts-morph and json-schema-to-typescript are CommonJS. Required, not imported: an ESM `import` of a CommonJS
// package first scans its source for export names (cjs-module-lexer over ts-morph's 1 MB bundle) and goes through
// the ESM loader, ~60-80 ms more per cold start than `require`. Loaded on first use, so that the writer, the
// --check diff and the snapshot functions do not load TypeScript's compiler (which ts-morph loads).
const require = createRequire(import.meta.url)

let tsMorph: typeof import('ts-morph') | undefined
let jsonSchemaToTypescript: typeof import('json-schema-to-typescript') | undefined

/** ts-morph, loaded on first use (through the code cache: TypeScript's compiler is most of it). */
export function loadTsMorph(): typeof import('ts-morph') {
  return (tsMorph ??= withCodeCache(() => require('ts-morph') as typeof import('ts-morph')))
}

/** json-schema-to-typescript, loaded on first use. */
export function loadJsonSchemaToTypescript(): typeof import('json-schema-to-typescript') {
  if (!jsonSchemaToTypescript) {
    skipPrettierLoad()
    jsonSchemaToTypescript = require('json-schema-to-typescript') as typeof import('json-schema-to-typescript')
  }
  return jsonSchemaToTypescript
}

/**
 * json-schema-to-typescript's formatter requires prettier when it loads, for the `format` option, which the
 * generator never sets (it prints its own layout). Prettier 3's CommonJS entry then starts importing its 2 MB ESM
 * bundle: ~50 ms of every process that generates (measured here). The formatter's place in the module cache is
 * taken by one that returns the code as it is when `format` is off, and requires prettier only when it is on. Only
 * json-schema-to-typescript's own formatter file is replaced, never `prettier` itself, which others in the
 * process (a bundler's plugins) may use. When the file is not where this version keeps it, nothing is replaced.
 */
function skipPrettierLoad(): void {
  try {
    const main = require.resolve('json-schema-to-typescript')
    const file = createRequire(main).resolve('./formatter.js')
    if (require.cache[file] || !readFileSync(file, 'utf8').includes('exports.format = format')) return
    const formatter = new Module(file)
    formatter.filename = file
    formatter.loaded = true
    formatter.exports = {
      async format(code: string, options: { format?: boolean }): Promise<string> {
        if (!options.format) return code
        const real = createRequire(file)('prettier') as { format(code: string, options: object): Promise<string> }
        return real.format(code, { parser: 'typescript', filepath: 'schema.d.ts', ...(options as { style?: object }).style })
      },
    }
    require.cache[file] = formatter
  } catch {
    // A different layout: json-schema-to-typescript loads prettier as it always did.
  }
}

/** The TypeScript compiler ts-morph bundles, with the lib `.d.ts` files it carries in memory. */
export interface BundledTypeScript {
  ts: typeof import('ts-morph').ts
  /** The folder the lib files are served from (in memory; not on disk). */
  libFolder: string
  /** Lib file text by file name (`lib.es2022.d.ts`). */
  libFiles: Map<string, string>
}

let bundled: BundledTypeScript | undefined

/**
 * ts-morph's TypeScript without ts-morph's wrapper: `@ts-morph/common`, which ts-morph itself loads (resolved from
 * ts-morph's folder, so no dependency is added). For the compiler API alone (`galley plan --impact`).
 */
export function loadBundledTypeScript(): BundledTypeScript {
  if (bundled) return bundled
  const common = withCodeCache(() => createRequire(require.resolve('ts-morph'))('@ts-morph/common')) as {
    ts: typeof import('ts-morph').ts
    getLibFiles(): { fileName: string; text: string }[]
    libFolderInMemoryPath: string
  }
  bundled = { ts: common.ts, libFolder: common.libFolderInMemoryPath, libFiles: new Map(common.getLibFiles().map((f) => [f.fileName, f.text])) }
  return bundled
}
