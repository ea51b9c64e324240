import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { caseNames, FIXTURES } from './utils.ts'

// Every fixture's generated module, compiled as users compile it: once under `strict` with modern module
// resolution, once with loose, older settings (users' tsconfigs vary). `@galley/client` resolves to the built
// package, as in a real project.
const files = caseNames().map((name) => join(FIXTURES, name, 'expected/craftkit.gen.ts'))

const SETTINGS: [string, ts.CompilerOptions][] = [
  [
    'strict, nodenext',
    {
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      noImplicitOverride: true,
      noPropertyAccessFromIndexSignature: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      noEmit: true,
      types: [],
    },
  ],
  [
    'strict, bundler',
    { strict: true, target: ts.ScriptTarget.ESNext, module: ts.ModuleKind.Preserve, moduleResolution: ts.ModuleResolutionKind.Bundler, noEmit: true, types: [] },
  ],
  [
    'loose, commonjs',
    { strict: false, target: ts.ScriptTarget.ES2017, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, noEmit: true, types: [], ignoreDeprecations: '6.0' },
  ],
]

function compile(options: ts.CompilerOptions): { program: ts.Program; errors: string[] } {
  const program = ts.createProgram(files, options)
  const errors = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName.slice(FIXTURES.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : ''
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`
  })
  return { program, errors }
}

describe('tsc over every generated snapshot', () => {
  it('passes `tsc --strict --noEmit` (the binary, as a user runs it)', () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
    const args = ['--strict', '--noEmit', '--ignoreConfig', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', ...files]
    const result = spawnSync(process.execPath, [tsc, ...args], { encoding: 'utf8' })
    expect(result.stdout + result.stderr).toBe('')
    expect(result.status).toBe(0)
  })

  it.each(SETTINGS)('compiles with no errors (%s)', (_, options) => {
    expect(files.length).toBeGreaterThan(5)
    expect(compile(options).errors).toEqual([])
  })

  it('lets no `any` reach callers through any export', () => {
    const { program } = compile(SETTINGS[0]![1])
    const checker = program.getTypeChecker()
    const leaks: string[] = []
    const seen = new Set<ts.Type>()
    const visit = (type: ts.Type, path: string, depth: number): void => {
      if (type.flags & ts.TypeFlags.Any) {
        leaks.push(path)
        return
      }
      if (seen.has(type) || depth > 8) return
      seen.add(type)
      if (type.isUnionOrIntersection()) type.types.forEach((t, i) => visit(t, `${path}|${i}`, depth + 1))
      for (const signature of type.getCallSignatures()) {
        for (const p of signature.getParameters()) visit(checker.getTypeOfSymbol(p), `${path}(${p.name})`, depth + 1)
        visit(signature.getReturnType(), `${path}()`, depth + 1)
      }
      if (type.flags & ts.TypeFlags.Object) {
        // Members of the standard library's own types (Array's `thisArg?: any`, Date) are not ours to judge;
        // their type arguments (the row type of an array) are.
        const fromLib = (type.getSymbol()?.getDeclarations() ?? []).some((d) => program.isSourceFileDefaultLibrary(d.getSourceFile()))
        if (!fromLib) for (const p of type.getProperties()) visit(checker.getTypeOfSymbol(p), `${path}.${p.name}`, depth + 1)
        for (const a of ((type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference ? checker.getTypeArguments(type as ts.TypeReference) : [])) visit(a, `${path}<>`, depth + 1)
      }
    }
    for (const file of files) {
      const source = program.getSourceFile(file)!
      const module = checker.getSymbolAtLocation(source)!
      for (const symbol of checker.getExportsOfModule(module)) {
        const name = `${file.slice(FIXTURES.length + 1)}#${symbol.name}`
        const declared = checker.getDeclaredTypeOfSymbol(symbol)
        if (symbol.flags & ts.SymbolFlags.Type) visit(declared, name, 0)
        if (symbol.flags & ts.SymbolFlags.Value) visit(checker.getTypeOfSymbol(symbol), name, 0)
      }
    }
    expect(leaks).toEqual([])
  })
})
