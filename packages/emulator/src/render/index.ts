/**
 * @module The emulator's PDF renderer (pdfkit): page setup from `pageConfig`, the synthesized Canvas layout,
 * CanvasDocument layouts and Document-mode semantics, with an embedded Unicode font so text is extractable.
 */
import { PIPELINE_CAPABILITIES, resolvePipeline, type Manifest, type PageConfig } from '@galley/core'
import { createPdf, PdfWriter, type OpenedImage } from './draw.ts'
import { collectImages, type Element } from './elements.ts'
import { decodeDataUri, describeFetchError, describeUrl, fetchImageDefault, fetchWithTimeout, MAX_IMAGE_BYTES, sniffImage } from './images.ts'
import { buildCanvasLayout, buildDocumentLayout, buildSynthesizedLayout, createScope } from './layouts.ts'
import { resolvePageSetup } from './page-setup.ts'

export { PAGE_FORMATS, parseLength, resolvePageSetup, DEFAULT_MARGIN, type PageSetup } from './page-setup.ts'
export { PDF_CREATION_DATE } from './draw.ts'

/** What the render queue hands over: the pinned version's content plus data already run through `validateData`. */
export interface RenderDocumentInput {
  /** Template name; the synthesized layout's title and the PDF's `Title`. */
  name: string
  manifest: Manifest
  /** `null` = A4 portrait with 20mm margins. */
  pageConfig: PageConfig | null
  /** `null` = the synthesized layout; a CanvasDocument (`sections`) or a Document-mode layout (`pages`). */
  layout: unknown | null
  templateType: 'document' | 'pdf-overlay'
  /** Already validated and coerced by `@galley/core` `validateData`. */
  data: Record<string, unknown>
}

export interface RenderDocumentOptions {
  /**
   * Fetches an image's bytes (PNG or JPEG). Should honour `signal`; the timeout is enforced either way.
   * @default global fetch, following redirects; a non-2xx status is an error
   */
  fetchImage?: (url: string, signal: AbortSignal) => Promise<Uint8Array>
  /** Per-image timeout in milliseconds. @default 5000 */
  imageTimeoutMs?: number
}

/** A render that cannot be produced; `message` (no stack, no secrets) becomes the render's `errorMessage`. */
export class RenderFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'RenderFailure'
  }
}

/**
 * Renders one PDF the way the Craftkit pipeline for this template would lay it out (API.md §6):
 * - the pipeline comes from `@galley/core` `resolvePipeline`, and what it can show from `PIPELINE_CAPABILITIES`
 *   (loops only on Canvas; data-bound images not in Document mode);
 * - no layout: the synthesized layout (title, labeled scalars in manifest order, images, loops as tables whose
 *   header repeats on every page); a CanvasDocument: its blocks in order with `{{ key }}` placeholders filled;
 *   a `pages` layout: Document mode, text blocks only;
 * - DejaVu Sans embedded, so any Latin, Greek or Cyrillic text is shown and extractable;
 * - a fixed creation date, so the same input gives the same bytes.
 *
 * Throws {@link RenderFailure} when an image cannot be fetched (network error, non-2xx, timeout) or is not a PNG
 * or JPEG.
 *
 * @example
 * const pdf = await renderDocument({ name: 'Invoice', manifest, pageConfig: { format: 'A4', margin: '18mm' },
 *   layout: null, templateType: 'document', data: validated.data })
 */
export async function renderDocument(input: RenderDocumentInput, options: RenderDocumentOptions = {}): Promise<Uint8Array> {
  const pipeline = resolvePipeline({ templateType: input.templateType, layout: input.layout })
  const caps = PIPELINE_CAPABILITIES[pipeline]
  const layoutInput = { name: input.name, manifest: input.manifest, layout: input.layout, data: input.data ?? {} }
  const scope = createScope(layoutInput, caps)
  let elements: Element[]
  if (pipeline === 'document') elements = buildDocumentLayout(layoutInput, caps, scope)
  else if (pipeline === 'canvas' && isCanvasDocument(input.layout)) elements = buildCanvasLayout(layoutInput, caps, scope)
  // pdf-overlay has no uploadable base PDF in the API (API.md §6.3): its fields are shown on the synthesized layout.
  else elements = buildSynthesizedLayout(layoutInput, caps, scope)

  const bytes = await loadImages(elements, options)
  const setup = resolvePageSetup(input.pageConfig)
  const { doc, done } = createPdf(setup, input.name)
  try {
    const opened = new Map<string, OpenedImage>()
    for (const [src, { data, source }] of bytes) {
      try {
        opened.set(src, doc.openImage(Buffer.from(data.buffer, data.byteOffset, data.byteLength)))
      } catch (err) {
        throw new RenderFailure(`The ${source} at ${describeUrl(src)} could not be decoded: ${(err as Error).message}`, { cause: err })
      }
    }
    await new PdfWriter(doc, setup, opened).drawAll(elements)
  } catch (err) {
    doc.end()
    await done.catch(() => undefined)
    if (err instanceof RenderFailure) throw err
    throw new RenderFailure(`The PDF could not be produced: ${(err as Error).message}`, { cause: err })
  }
  doc.end()
  return done
}

function isCanvasDocument(layout: unknown): boolean {
  return layout !== null && typeof layout === 'object' && Array.isArray((layout as { sections?: unknown }).sections)
}

/** Fetches every distinct image source at once; the first failure fails the render. */
async function loadImages(elements: Element[], options: RenderDocumentOptions): Promise<Map<string, { data: Uint8Array; source: string }>> {
  const fetchImage = options.fetchImage ?? fetchImageDefault
  const timeoutMs = options.imageTimeoutMs ?? 5000
  const sources = new Map<string, string>()
  for (const img of collectImages(elements)) if (!sources.has(img.src)) sources.set(img.src, img.source)
  const out = new Map<string, { data: Uint8Array; source: string }>()
  await Promise.all(
    [...sources].map(async ([src, source]) => {
      let data = decodeDataUri(src)
      if (!data) {
        if (!/^https?:\/\//i.test(src)) throw new RenderFailure(`The ${source} has an unsupported source ${describeUrl(src)}: use an http(s) URL`)
        try {
          data = await fetchWithTimeout(fetchImage, src, timeoutMs)
        } catch (err) {
          throw new RenderFailure(`The ${source} could not be fetched from ${describeUrl(src)}: ${describeFetchError(err, timeoutMs)}`, { cause: err })
        }
      }
      if (data.byteLength > MAX_IMAGE_BYTES) throw new RenderFailure(`The ${source} at ${describeUrl(src)} is larger than ${MAX_IMAGE_BYTES / 1024 / 1024} MB`)
      const sniffed = sniffImage(data)
      if ('error' in sniffed) throw new RenderFailure(`The ${source} at ${describeUrl(src)} cannot be used: ${sniffed.error}`)
      out.set(src, { data, source })
    }),
  )
  return out
}
