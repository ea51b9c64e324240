import { createRequire } from 'node:module'
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
  return (jsonSchemaToTypescript ??= require('json-schema-to-typescript') as typeof import('json-schema-to-typescript'))
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
