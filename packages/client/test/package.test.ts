import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

// The promise of this package: it ships in users' servers with nothing else. Checked on the build output.
const root = join(import.meta.dirname, '..')

describe('the built package', () => {
  it('has no runtime dependencies; @galley/core is an optional peer', async () => {
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as Record<string, Record<string, unknown> | undefined>
    expect(Object.keys(pkg.dependencies ?? {})).toEqual([])
    expect(Object.keys(pkg.peerDependencies ?? {})).toEqual(['@galley/core'])
    expect(pkg.peerDependenciesMeta?.['@galley/core']).toEqual({ optional: true })
  })

  it('imports nothing statically (no package, no Node built-in); the one dynamic import is the pre-flight validator', async () => {
    const code = await readFile(join(root, 'dist/index.mjs'), 'utf8')
    expect(code.match(/^\s*(import|export)\s[^;]*\sfrom\s/gm) ?? []).toEqual([])
    expect(code).not.toMatch(/\brequire\(/)
    const dynamic = [...code.matchAll(/\bimport\(([^)]*)\)/g)].map((m) => m[1]!.replace(/\/\*.*?\*\//g, '').trim())
    expect(dynamic).toEqual(['VALIDATE_MODULE'])
    expect(code).toContain('const VALIDATE_MODULE = "@galley/core/validate"')
  })

  it('its type declarations stand alone (no import of another package)', async () => {
    const dts = await readFile(join(root, 'dist/index.d.mts'), 'utf8')
    expect(dts.match(/^import .* from ['"](?!\.)[^'"]+['"]/gm) ?? []).toEqual([])
  })
})
