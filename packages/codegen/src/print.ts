import type { FunctionDeclarationStructure, OptionalKind, StatementStructures } from 'ts-morph'
import type { Manifest } from '@galley/core'
import { loadTsMorph } from './libraries.ts'
import { escapeJsDoc, propertyKey, stringLiteral, type TemplateNames } from './naming.ts'

/**
 * Fixed printer settings: two spaces, single quotes, `\n`. Nothing here reads the environment, a config file or
 * the clock, so equal inputs print equal bytes (STYLE §8).
 */
const PRINT_OPTIONS = { indentNumberOfSpaces: 2, useTabs: false, newLine: '\n', useSingleQuote: true } as const

// Aliased so that a template named `template` (-> `renderTemplate`) cannot collide with the import. No generated
// name can match: they are `render<Pascal>`, `<camel>Descriptor` and `<Pascal>Data`.
const RENDER_TEMPLATE = 'galleyRenderTemplate'

/** One template, ready to print: everything its chunk of the module depends on. */
export interface PrintableTemplate {
  names: TemplateNames
  name: string
  description: string | null
  sourcePath: string
  manifestHash: string
  versionNumber: number | null
  /** The data type, as `compileDataType` printed it. */
  dataType: string
  /** Only with `preflight`: the manifest the client validates against before sending. */
  manifest: Manifest | null
}

/**
 * Each template's part of the module: its data type, its descriptor and its `render<Pascal>()`. Printed once per
 * template and cached; the module is assembled from these in one `printStructure` call. The render functions of
 * all `templates` are printed in one `printStructure` call too (a printer and writer per call cost about a third
 * of printing 1,000 chunks one by one).
 *
 * The type and the descriptor are text, not structures: ts-morph prints a type alias's type and a variable's
 * initializer inside a hanging indent, which would shift every line of a multi-line object by one level. They
 * are joined to the printed function rather than passed through the writer, which would rescan them.
 */
export function printTemplateChunks(templates: readonly PrintableTemplate[]): string[] {
  if (templates.length === 0) return []
  const { printStructure, StructureKind } = loadTsMorph()
  const functions = templates.map(renderFunction)
  let printed: string[] | undefined
  if (templates.length > 1) {
    const statements: (string | StatementStructures)[] = []
    functions.forEach((f, i) => statements.push(...(i === 0 ? [] : [CHUNK_MARK]), { kind: StructureKind.Function, ...f }))
    const pieces = printStructure({ kind: StructureKind.SourceFile, statements }, PRINT_OPTIONS).split(CHUNK_MARK)
    // A mark inside user text (a NUL in a name) would split wrongly: then print one by one.
    if (pieces.length === templates.length) printed = pieces.map((p) => p.trim())
  }
  printed ??= functions.map((f) => printStructure({ kind: StructureKind.Function, ...f }, PRINT_OPTIONS).trimEnd())
  return templates.map((t, i) => `${chunkDeclarations(t)}\n${printed[i]}`)
}

function title(t: PrintableTemplate): string {
  return escapeJsDoc(`"${t.name}" (\`${t.names.slug}\`)`)
}

function renderFunction(t: PrintableTemplate): OptionalKind<FunctionDeclarationStructure> {
  return {
    isExported: true,
    name: t.names.renderFunction,
    parameters: [
      { name: 'data', type: t.names.dataType },
      { name: 'options', hasQuestionToken: true, type: 'RenderTemplateOptions' },
    ],
    returnType: 'Promise<QueuedRender>',
    docs: [
      [
        `Renders ${title(t)}.`,
        '',
        'Resolves to the queued render; `await queued.wait()` resolves to the finished one. A failed render or a',
        'request error rejects with a `CraftkitError` typed by `code`.',
        ...(t.versionNumber === null ? [] : ['', `Pinned to version ${t.versionNumber} (\`--pin-versions\`); \`options.versionNumber\` overrides it.`]),
        '',
        `@see ${escapeJsDoc(t.sourcePath)}`,
      ].join('\n'),
    ],
    statements: [`return ${RENDER_TEMPLATE}(${t.names.descriptor}, data, options);`],
  }
}

/** The data type and the descriptor of a chunk, as text. */
function chunkDeclarations(t: PrintableTemplate): string {
  const pinned = t.versionNumber === null ? '' : ` and the version it pins (${t.versionNumber})`
  const typeDoc = jsDoc([`The \`data\` of ${title(t)}.`, ...(t.description ? ['', escapeJsDoc(t.description)] : []), '', `@see ${escapeJsDoc(t.sourcePath)}`])
  const descriptorDoc = jsDoc([`The slug and manifest hash of ${title(t)}${pinned}, as generated.`])
  // One member per line, always in this order: `checkGenerated` reads slug and hash back from these lines.
  let descriptor = `{\n  slug: ${stringLiteral(t.names.slug)},\n  manifestHash: ${stringLiteral(t.manifestHash)},\n`
  if (t.versionNumber !== null) descriptor += `  versionNumber: ${t.versionNumber},\n`
  if (t.manifest !== null) descriptor += `  manifest: ${printValue(t.manifest, '  ')},\n`
  return `${typeDoc}export type ${t.names.dataType} = ${t.dataType};\n\n${descriptorDoc}export const ${t.names.descriptor}: TemplateDescriptor = ${descriptor}};\n`
}

export interface ModuleParts {
  templates: readonly { names: TemplateNames; chunk: string; sourcePath: string }[]
  clientModule: string
}

/**
 * Everything but the chunks, printed from structures in one `printStructure` call, with a mark where each
 * template's chunk goes. It depends only on the templates' names and source paths and the client module, so a
 * caller may keep it while those stay the same (see `skeletonKey`).
 */
export function printSkeleton(parts: ModuleParts): string {
  const { printStructure, StructureKind } = loadTsMorph()
  const { templates } = parts
  const statements: (string | StatementStructures)[] = [
    header(templates),
    {
      kind: StructureKind.ImportDeclaration,
      moduleSpecifier: parts.clientModule,
      namedImports: [{ name: 'renderTemplate', alias: RENDER_TEMPLATE }],
    },
    {
      kind: StructureKind.ImportDeclaration,
      isTypeOnly: true,
      moduleSpecifier: parts.clientModule,
      namedImports: ['QueuedRender', 'RenderTemplateOptions', 'TemplateDescriptor'],
    },
    ...templates.map((_, i) => `\n${CHUNK_MARK}${i}${CHUNK_MARK}`),
    {
      kind: StructureKind.Interface,
      isExported: true,
      name: 'TemplateDataMap',
      docs: ['The `data` type of every template in this module, by slug.'],
      properties: templates.map((t) => ({ name: stringLiteral(t.names.slug), type: t.names.dataType })),
    },
    {
      kind: StructureKind.TypeAlias,
      isExported: true,
      name: 'TemplateSlug',
      docs: ['The slug of a template in this module.'],
      type: 'keyof TemplateDataMap',
    },
    `\n/** The descriptor of every template in this module, by slug. */\nexport const templateDescriptors: { readonly [S in TemplateSlug]: TemplateDescriptor } = ${
      templates.length === 0 ? '{}' : `{\n${templates.map((t) => `  ${stringLiteral(t.names.slug)}: ${t.names.descriptor},\n`).join('')}}`
    };`,
    {
      kind: StructureKind.Function,
      isExported: true,
      name: 'render',
      typeParameters: [{ name: 'S', constraint: 'TemplateSlug' }],
      parameters: [
        { name: 'slug', type: 'S' },
        { name: 'data', type: 'TemplateDataMap[S]' },
        { name: 'options', hasQuestionToken: true, type: 'RenderTemplateOptions' },
      ],
      returnType: 'Promise<QueuedRender>',
      docs: [
        [
          "Renders any template of this module by slug; `data` is checked against that template's type.",
          '',
          'Resolves to the queued render; `await queued.wait()` resolves to the finished one.',
          ...(templates.length === 0
            ? []
            : ['', '@example', `const queued = await render(${stringLiteral(templates[0]!.names.slug)}, data, { idempotencyKey })`, 'const finished = await queued.wait()']),
        ].join('\n'),
      ],
      statements: [`return ${RENDER_TEMPLATE}(templateDescriptors[slug], data, options);`],
    },
  ]
  return printStructure({ kind: StructureKind.SourceFile, statements }, PRINT_OPTIONS).trimEnd()
}

/** What `printSkeleton` depends on, as a string: equal keys print equal skeletons. */
export function skeletonKey(parts: ModuleParts): string {
  return JSON.stringify([parts.clientModule, parts.templates.map((t) => [t.names.slug, t.names.pascal, t.sourcePath])])
}

/**
 * Each chunk was printed from its structures already (and is cached): splice the text in rather than have the
 * writer scan ~2 kB per template again, which alone would take most of the 50 ms budget of a regeneration.
 */
export function spliceChunks(skeleton: string, templates: ModuleParts['templates']): string {
  // One `join`: a flat string in one copy. Appending with `+=` would build a rope of thousands of pieces that
  // every later reader (encoding for the write, the comparison) has to flatten first, ~15 ms at 1,000 templates.
  const pieces = skeleton.split(CHUNK_MARK)
  for (let i = 1; i < pieces.length; i += 2) pieces[i] = templates[Number(pieces[i])]!.chunk
  pieces.push('\n')
  return pieces.join('')
}

/** Marks where a template's chunk goes. NUL appears nowhere else: the skeleton holds no user text but slugs. */
const CHUNK_MARK = '\u0000'

function header(templates: ModuleParts['templates']): string {
  const count = `${templates.length} Craftkit template${templates.length === 1 ? '' : 's'}`
  const lines = ['/* eslint-disable */', `// Generated by Galley (\`galley generate\`) from ${count}. Do not edit this file: run`, '// `galley generate` to update it; changes made here are overwritten.']
  const pattern = sharedSourcePattern(templates)
  if (pattern !== null) lines.push(`// Sources: ${pattern}`)
  else {
    lines.push('// Sources:')
    for (const t of templates) lines.push(`//   ${oneLine(t.sourcePath)}`)
  }
  lines.push(HASHES_MARK)
  return `${lines.join('\n')}\n`
}

/** Where `generateModule` puts the hashes line (see `insertHashesLine`): the last line of the header. */
export const HASHES_MARK = '\u0001hashes\u0001'


/** `templates/<slug>/template.yaml` when every source sits at `<dir>/<slug>/template.yaml` of one folder. */
function sharedSourcePattern(templates: ModuleParts['templates']): string | null {
  if (templates.length === 0) return '(none)'
  let dir: string | null = null
  for (const t of templates) {
    const suffix = `/${t.names.slug}/template.yaml`
    if (!t.sourcePath.endsWith(suffix)) return null
    const d = t.sourcePath.slice(0, -suffix.length)
    if (dir !== null && d !== dir) return null
    dir = d
  }
  return oneLine(`${dir}/<slug>/template.yaml`)
}

/** A path made safe for a `//` comment line (and free of the chunk mark). */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, ' ')
}

/** A top-level `/** … *\/` block from lines whose user text is already escaped (`escapeJsDoc`). */
function jsDoc(lines: string[]): string {
  const body = lines.join('\n').split('\n')
  if (body.length === 1) return `/** ${body[0]} */\n`
  return `/**\n${body.map((l) => (l === '' ? ' *' : ` * ${l}`)).join('\n')}\n */\n`
}

/**
 * A JSON value as a TypeScript literal in the module's style: single quotes, keys quoted only when they must
 * be, a flat object of scalars on one line when it fits, anything else one member per line.
 */
function printValue(value: unknown, indent: string): string {
  if (value === null) return 'null'
  if (typeof value === 'string') return stringLiteral(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  const inner = `${indent}  `
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    return `[\n${value.map((v) => `${inner}${printValue(v, inner)},\n`).join('')}${indent}]`
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
    if (entries.length === 0) return '{}'
    const flat = entries.every(([, v]) => v === null || typeof v !== 'object' || (Array.isArray(v) && v.length === 0))
    if (flat) {
      const line = `{ ${entries.map(([k, v]) => `${propertyKey(k)}: ${printValue(v, inner)}`).join(', ')} }`
      if (indent.length + line.length <= 100) return line
    }
    return `{\n${entries.map(([k, v]) => `${inner}${propertyKey(k)}: ${printValue(v, inner)},\n`).join('')}${indent}}`
  }
  throw new TypeError(`@galley/codegen: cannot print ${typeof value} as a literal`)
}
