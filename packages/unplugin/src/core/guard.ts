import { basename, dirname, extname, isAbsolute, resolve } from 'node:path'

/** Bare specifiers of the runtime client that reads the API key. */
const CLIENT_SPECIFIER = /^@galley\/client(?:\/|$)/
const SCRIPT_EXTENSIONS = ['.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs', '.jsx']

/** What a guarded import is: the runtime client, or one of the generated modules. */
export type GuardedImport = { kind: 'client'; specifier: string } | { kind: 'generated'; file: string; specifier: string }

/**
 * Whether `specifier` (as written in `importer`) names `@galley/client` or a generated module. Relative and absolute
 * specifiers are resolved against the importer and compared with each output, with or without its extension; a
 * bare or aliased specifier (`~/craftkit.gen`) matches when its last segment names an output file.
 */
export function matchGuardedImport(specifier: string, importer: string, outputs: readonly string[]): GuardedImport | null {
  const clean = specifier.replace(/[?#].*$/, '')
  if (CLIENT_SPECIFIER.test(clean)) return { kind: 'client', specifier }
  const importerFile = importer.replace(/[?#].*$/, '')
  for (const file of outputs) {
    const stem = stripScriptExtension(file)
    if (clean.startsWith('.') || isAbsolute(clean)) {
      const candidate = isAbsolute(clean) ? clean : resolve(dirname(importerFile), clean)
      if (candidate === file || stripScriptExtension(candidate) === stem) return { kind: 'generated', file, specifier }
    } else {
      const last = clean.slice(clean.lastIndexOf('/') + 1)
      if (last !== '' && (last === basename(file) || last === basename(stem)) && basename(stem).includes('.')) return { kind: 'generated', file, specifier }
    }
  }
  return null
}

function stripScriptExtension(file: string): string {
  const ext = extname(file)
  return SCRIPT_EXTENSIONS.includes(ext) ? file.slice(0, -ext.length) : file
}

/**
 * The guard's error: what was imported where, why it must stay on the server, and how to fix it. Never includes
 * the key itself.
 */
export function guardMessage(found: GuardedImport, importer: string, bundle: string, shown: (file: string) => string): string {
  const what = found.kind === 'client' ? '`@galley/client`' : `the generated Craftkit module ${shown(found.file)}`
  return [
    `[galley] ${shown(importer)} imports ${what} (as "${found.specifier}") into a browser bundle (${bundle}).`,
    'The Craftkit API key (CRAFTKIT_API_KEY) is read at run time and must stay on the server: a browser bundle would need the key, and anyone could read it there.',
    'Fix: call render<Template>() (e.g. renderCharterHandover()) from server code — an API route, a server action or an SSR loader — and send the PDF link (its downloadUrl or a share link) to the browser.',
  ].join('\n')
}

/** webpack/rspack targets that produce browser code. Undefined means webpack's default (`browserslist` or `web`). */
export function isBrowserTarget(target: unknown): boolean {
  if (target === undefined) return true
  if (target === false) return false
  const targets = Array.isArray(target) ? target : [target]
  return targets.some((t) => typeof t === 'string' && (t === 'web' || t === 'webworker' || t.startsWith('browserslist')))
}
