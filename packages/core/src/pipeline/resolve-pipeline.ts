/** The three render pipelines of Craftkit (API.md §6.1). */
export type Pipeline = 'canvas' | 'document' | 'pdf-overlay'

/** What each pipeline can render from data (API.md §6.2). */
export interface PipelineCapabilities {
  /** Loops render as repeating tables. */
  loops: boolean
  /** `image` variables render from their data URL. */
  dataImages: boolean
}

export const PIPELINE_CAPABILITIES: Readonly<Record<Pipeline, Readonly<PipelineCapabilities>>> = {
  canvas: { loops: true, dataImages: true },
  // Loops bind at the API and render nothing; images come from a static builder `src`.
  document: { loops: false, dataImages: false },
  // Fixed pdfme fields: no repeating rows, but image fields do take data.
  'pdf-overlay': { loops: false, dataImages: true },
}

/** Human names, for messages. */
export const PIPELINE_NAMES: Readonly<Record<Pipeline, string>> = {
  canvas: 'Canvas (Handlebars)',
  document: 'Document mode',
  'pdf-overlay': 'PDF overlay',
}

/**
 * Resolves the pipeline as the server does: `templateType: pdf-overlay` wins; a layout with a `pages` array is
 * Document mode; anything else (no layout, or a CanvasDocument with `sections`) is Canvas.
 */
export function resolvePipeline(template: { templateType?: string | null; layout?: unknown }): Pipeline {
  if (template.templateType === 'pdf-overlay') return 'pdf-overlay'
  const layout = template.layout
  if (layout !== null && typeof layout === 'object' && Array.isArray((layout as { pages?: unknown }).pages)) return 'document'
  return 'canvas'
}
