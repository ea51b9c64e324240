import type { DataType, LoopDefinition, Manifest, PipelineCapabilities, VariableDefinition } from '@galley/core'
import type { Align, Element, TextStyle } from './elements.ts'
import { formatValue, readPath, resolveCurrency, type FormatContext } from './format-value.ts'
import { renderTemplateText, type TemplateScope } from './template-text.ts'

export interface LayoutInput {
  name: string
  manifest: Manifest
  layout: unknown
  data: Record<string, unknown>
}

/** Reads data for layouts and the synthesized layout alike, formatting values by their manifest `dataType`. */
export function createScope(input: LayoutInput, caps: PipelineCapabilities): TemplateScope {
  const { manifest, data } = input
  const ctx: FormatContext = {}
  const currency = resolveCurrency(manifest, data)
  if (currency) ctx.currency = currency
  const rootTypes = new Map<string, DataType>(manifest.variables.map((v) => [v.key, v.dataType]))
  const itemTypes = new Map<string, DataType>()
  for (const loop of manifest.loops) for (const f of loop.itemFields) if (!itemTypes.has(f.key)) itemTypes.set(f.key, f.dataType)
  const loopKeys = new Set(manifest.loops.map((l) => l.key))

  const lookup = (key: string, item: Record<string, unknown> | undefined): unknown => {
    if (key === 'this') return item && Object.hasOwn(item, 'this') ? item.this : item
    if (key.startsWith('this.')) return readPath(item, key.slice(5))
    if (item && Object.hasOwn(item, key.split('.')[0]!)) return readPath(item, key)
    if (key.startsWith('@root.')) key = key.slice(6)
    // Outside Canvas a loop's rows never reach the page, not even through `{{ areas.0.location }}`.
    if (!caps.loops && loopKeys.has(key.split('.')[0]!)) return undefined
    // Loop keys are literal top-level properties, even when a builder template gave them a dot (API.md §5.4).
    if (loopKeys.has(key)) return caps.loops && Object.hasOwn(data, key) ? data[key] : []
    return readPath(data, key)
  }
  return {
    loops: caps.loops,
    lookup,
    print(key, item, index) {
      if (key === '@index') return index === undefined ? '' : String(index)
      if (key === '@number') return index === undefined ? '' : String(index + 1)
      if (loopKeys.has(key)) return ''
      const value = lookup(key, item)
      if (value !== null && typeof value === 'object' && !(value instanceof Date)) return ''
      const bare = key.startsWith('this.') ? key.slice(5) : key
      const type = item && (key.startsWith('this.') || Object.hasOwn(item, bare.split('.')[0]!)) ? itemTypes.get(bare) : rootTypes.get(bare)
      if (type === 'image' && !caps.dataImages) return ''
      return formatValue(value, type, ctx)
    },
  }
}

/**
 * The layout Craftkit synthesizes when a template has none (API.md §6.3): the name as title, scalars as labeled
 * values in manifest order, `image` variables as images, loops as tables with a header row. What the pipeline
 * cannot render (loops outside Canvas, data images in Document mode) is left out, as on the real service.
 */
export function buildSynthesizedLayout(input: LayoutInput, caps: PipelineCapabilities, scope: TemplateScope): Element[] {
  const out: Element[] = [{ kind: 'title', text: input.name }]
  for (const v of input.manifest.variables) {
    const label = fieldLabel(v)
    if (v.dataType === 'image') {
      if (!caps.dataImages) continue
      const src = readPath(input.data, v.key)
      if (typeof src === 'string' && src !== '') out.push({ kind: 'image', src, label, source: `image "${label}" (${v.key})` })
      else out.push({ kind: 'field', label, value: '' })
      continue
    }
    const value = scope.print(v.key, undefined, undefined)
    const field: Element = { kind: 'field', label, value }
    if (v.dataType === 'url' && value !== '') field.link = value
    if (v.dataType === 'email' && value !== '') field.link = `mailto:${value}`
    out.push(field)
  }
  if (caps.loops) for (const loop of input.manifest.loops) out.push(loopTable(loop, scope))
  return out
}

function fieldLabel(v: VariableDefinition): string {
  return v.label && v.label.trim() !== '' ? v.label : v.key
}

function loopTable(loop: LoopDefinition, scope: TemplateScope): Element {
  const rows = scope.lookup(loop.key, undefined)
  const list = Array.isArray(rows) ? rows : []
  return {
    kind: 'table',
    title: loop.label || loop.key,
    header: loop.itemFields.map(fieldLabel),
    align: loop.itemFields.map((f) => (f.dataType === 'number' || f.dataType === 'currency' ? 'right' : 'left')),
    rows: list.map((row: unknown, i) => {
      const item = row !== null && typeof row === 'object' ? (row as Record<string, unknown>) : {}
      return loop.itemFields.map((f) => (Object.hasOwn(item, f.key.split('.')[0]!) ? scope.print(f.key, item, i) : ''))
    }),
  }
}

type Block = { type?: unknown; props?: Record<string, unknown>; hidden?: unknown; id?: unknown }

/**
 * A CanvasDocument layout (sections -> rows -> columns -> blocks; CanvasDocument.md), rendered block by block with
 * placeholders filled in. Craftkit's own block types are undocumented (API.md §14); as an emulator extension a
 * `table` / `loop` block (or a `custom` block with that `componentName`) naming a loop in `props.loop`
 * (or `props.key` / `props.source`) renders that loop as a table.
 */
export function buildCanvasLayout(input: LayoutInput, caps: PipelineCapabilities, scope: TemplateScope): Element[] {
  const out: Element[] = []
  const layout = input.layout as { sections?: unknown }
  for (const section of asArray(layout.sections)) {
    if (isHidden(section)) continue
    for (const row of asArray((section as { rows?: unknown }).rows)) {
      if (isHidden(row)) continue
      const columns = asArray((row as { columns?: unknown }).columns).filter((c) => !isHidden(c))
      const built = columns.map((col) => ({
        weight: positive((col as { width?: unknown }).width) ?? 1,
        elements: asArray((col as { blocks?: unknown }).blocks).flatMap((b) => buildBlock(b as Block, input, caps, scope)),
      }))
      if (built.length === 1) out.push(...built[0]!.elements)
      else if (built.length > 1) out.push({ kind: 'row', columns: built })
    }
  }
  return out
}

function buildBlock(block: Block, input: LayoutInput, caps: PipelineCapabilities, scope: TemplateScope): Element[] {
  if (block === null || typeof block !== 'object' || isHidden(block)) return []
  const props = block.props !== null && typeof block.props === 'object' ? block.props : {}
  const fill = (v: unknown): string => (typeof v === 'string' ? renderTemplateText(v, scope) : '')
  switch (block.type) {
    case 'text':
      return [{ kind: 'text', text: htmlToText(fill(props.content)), style: textStyle(props) }]
    case 'heading': {
      const level = /^h([1-6])$/.exec(String(props.as ?? 'h2'))
      return [{ kind: 'heading', text: htmlToText(fill(props.content)), level: level ? Number(level[1]) : 2, style: textStyle(props) }]
    }
    case 'divider': {
      const el: Element = { kind: 'divider' }
      if (typeof props.color === 'string') el.color = props.color
      const t = positive(props.thickness)
      if (t !== undefined) el.thickness = t
      return [el]
    }
    case 'button': {
      const el: Element = { kind: 'button', label: fill(props.label) }
      const href = fill(props.href)
      if (href) el.href = href
      const align = alignOf(props.align)
      if (align) el.align = align
      if (typeof props.color === 'string') el.color = props.color
      if (typeof props.backgroundColor === 'string') el.backgroundColor = props.backgroundColor
      return [el]
    }
    case 'image': {
      const raw = typeof props.src === 'string' ? props.src : ''
      // In Document mode images come from a static builder `src`; a data-bound one renders nothing (API.md §6.2).
      if (!caps.dataImages && raw.includes('{{')) return []
      const src = fill(raw).trim()
      if (src === '') return []
      const el: Element = { kind: 'image', src, source: `image block${typeof block.id === 'string' ? ` "${block.id}"` : ''}` }
      const w = positive(props.width)
      const h = positive(props.height)
      if (w !== undefined) el.width = w
      if (h !== undefined) el.height = h
      const align = alignOf(props.align)
      if (align) el.align = align
      return [el]
    }
    case 'table':
    case 'loop':
    case 'custom': {
      const inner = block.type === 'custom' ? (props.props as Record<string, unknown> | undefined) ?? {} : props
      if (block.type === 'custom' && !/^(table|loop|looptable|repeat)$/i.test(String(props.componentName ?? ''))) return []
      const key = [inner.loop, inner.key, inner.source].find((k) => typeof k === 'string') as string | undefined
      const loop = input.manifest.loops.find((l) => l.key === key)
      if (!loop || !caps.loops) return []
      return [loopTable(loop, scope)]
    }
    default:
      return []
  }
}

/**
 * Document mode (a layout with `pages`, API.md §6.1): the block schema is undocumented, so every page is walked for
 * objects with a text-like `type` (`text`, `heading`, `paragraph`, `title`, `label`) and a `content` / `text`
 * string, filled in without loops. Data-bound images and loops render nothing (API.md §6.2). A layout with no such
 * blocks falls back to the labeled scalars of the synthesized layout, still without loops and images.
 */
export function buildDocumentLayout(input: LayoutInput, caps: PipelineCapabilities, scope: TemplateScope): Element[] {
  const out: Element[] = []
  const pages = asArray((input.layout as { pages?: unknown }).pages)
  let found = false
  pages.forEach((page, i) => {
    if (i > 0) out.push({ kind: 'pageBreak' })
    walkDocumentBlocks(page, (type, text, props) => {
      found = true
      const filled = htmlToText(renderTemplateText(text, scope))
      if (/^h[1-6]$|heading|title/.test(type)) {
        const level = /^h([1-6])$/.exec(String(props.as ?? props.level ?? type))
        out.push({ kind: 'heading', text: filled, level: level ? Number(level[1]) : type === 'title' ? 1 : 2, style: textStyle(props) })
      } else out.push({ kind: 'text', text: filled, style: textStyle(props) })
    })
  })
  return found ? out : buildSynthesizedLayout(input, caps, scope)
}

const TEXT_TYPES = /^(text|heading|paragraph|title|label|h[1-6])$/i

function walkDocumentBlocks(node: unknown, visit: (type: string, text: string, props: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) {
    for (const n of node) walkDocumentBlocks(n, visit)
    return
  }
  if (node === null || typeof node !== 'object' || isHidden(node)) return
  const o = node as Record<string, unknown>
  if (typeof o.type === 'string' && TEXT_TYPES.test(o.type)) {
    const props = o.props !== null && typeof o.props === 'object' ? (o.props as Record<string, unknown>) : o
    const text = [props.content, props.text, o.content, o.text].find((t) => typeof t === 'string') as string | undefined
    if (text !== undefined) {
      visit(o.type.toLowerCase(), text, props)
      return
    }
  }
  for (const v of Object.values(o)) if (v !== null && typeof v === 'object') walkDocumentBlocks(v, visit)
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : []
}

function isHidden(v: unknown): boolean {
  return v !== null && typeof v === 'object' && (v as { hidden?: unknown }).hidden === true
}

function positive(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number.parseFloat(v) : Number.NaN
  return Number.isFinite(n) && n > 0 ? n : undefined
}

function alignOf(v: unknown): Align | undefined {
  return v === 'left' || v === 'center' || v === 'right' || v === 'justify' ? v : undefined
}

const FONT_WEIGHT_BOLD = new Set(['bold', 'extrabold', '600', '700', '800', '900'])

function textStyle(props: Record<string, unknown>): TextStyle {
  const style: TextStyle = {}
  const align = alignOf(props.align)
  if (align) style.align = align
  const size = positive(props.fontSize)
  if (size !== undefined) style.fontSize = Math.min(72, Math.max(4, size))
  if (FONT_WEIGHT_BOLD.has(String(props.fontWeight ?? ''))) style.bold = true
  if (typeof props.color === 'string') style.color = props.color
  return style
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', '#39': "'" }

/** Block content may carry simple HTML (the Canvas pipeline renders HTML): keep the text, turn breaks into lines. */
function htmlToText(s: string): string {
  if (!/[<&]/.test(s)) return s
  return s
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|h[1-6])>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|apos|nbsp|#39);/g, (_, e: string) => ENTITIES[e]!)
    .replace(/\n+$/, '')
}
