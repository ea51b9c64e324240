import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

// DESIGN §2: imports go one way. core imports nothing of ours; client nothing of ours at run time;
// codegen and emulator only core; cli the rest; unplugin wires the engine the cli exports (`@galley/cli/engine`:
// the one watcher-lint-generate-write path that `galley generate --watch` and `galley dev` use too).
const ALLOWED: Record<string, string[]> = {
  '@galley/core': [],
  '@galley/client': [],
  '@galley/codegen': ['@galley/core'],
  '@galley/emulator': ['@galley/core'],
  '@galley/cli': ['@galley/core', '@galley/client', '@galley/codegen', '@galley/emulator'],
  '@galley/unplugin': ['@galley/core', '@galley/codegen', '@galley/cli'],
}

const packagesDir = join(import.meta.dirname, '../..')

function readPackages() {
  return readdirSync(packagesDir).map((dir) => {
    const json = JSON.parse(readFileSync(join(packagesDir, dir, 'package.json'), 'utf8'))
    return { dir, json }
  })
}

describe('the package dependency graph', () => {
  it('has only the allowed runtime edges between @galley packages', () => {
    const edges: Record<string, string[]> = {}
    for (const { json } of readPackages()) {
      const runtime = { ...json.dependencies, ...json.peerDependencies }
      edges[json.name] = Object.keys(runtime).filter((d) => d.startsWith('@galley/')).sort()
    }
    for (const [name, deps] of Object.entries(edges)) {
      expect(ALLOWED[name], `${name} is not in the allowed graph`).toBeDefined()
      for (const dep of deps) {
        // The client may load core's dependency-free validator as an optional peer (see its README).
        if (name === '@galley/client' && dep === '@galley/core') continue
        expect(ALLOWED[name], `${name} must not depend on ${dep}`).toContain(dep)
      }
    }
  })

  it('never imports another package through a relative path into its src', () => {
    const offenders: string[] = []
    for (const { dir } of readPackages()) {
      const walk = (d: string): void => {
        for (const entry of readdirSync(d, { withFileTypes: true })) {
          const p = join(d, entry.name)
          if (entry.isDirectory()) walk(p)
          else if (/\.(ts|mts|mjs)$/.test(entry.name) && /from ['"](\.\.\/)+\.\.\/(core|client|codegen|emulator|cli|unplugin)\//.test(readFileSync(p, 'utf8'))) offenders.push(p)
        }
      }
      walk(join(packagesDir, dir, 'src'))
    }
    expect(offenders).toEqual([])
  })
})
