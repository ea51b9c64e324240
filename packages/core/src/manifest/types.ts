/** The ten Craftkit data types (API.md §5.2). */
export const DATA_TYPES = [
  'text',
  'longtext',
  'number',
  'currency',
  'date',
  'datetime',
  'boolean',
  'image',
  'url',
  'email',
] as const

export type DataType = (typeof DATA_TYPES)[number]

/** A scalar variable of a Craftkit manifest: `key` is a dot-path (`customer.name`). */
export interface VariableDefinition {
  key: string
  label?: string
  dataType: DataType
  /** @default false */
  required?: boolean
}

/** A loop (repeating rows) of a Craftkit manifest: `key` is literal and top-level. */
export interface LoopDefinition {
  key: string
  label: string
  itemFields: VariableDefinition[]
  /** Up to 10 sample rows for the builder preview. */
  previewData?: Record<string, unknown>[]
}

/** The variable manifest exactly as `POST/PUT /v1/templates` take it (API.md §5). */
export interface Manifest {
  variables: VariableDefinition[]
  loops: LoopDefinition[]
}

/** `templateType` of a source: `pdf-overlay` marks a dashboard template (written by `galley pull`). */
export const TEMPLATE_TYPES = ['document', 'pdf-overlay'] as const

/** The page orientations of `pageConfig` (API.md §6.4). */
export const ORIENTATIONS = ['portrait', 'landscape'] as const

/** `pageConfig` of a template (API.md §6.4); allowed values beyond the example are undocumented. */
export interface PageConfig {
  /** @default 'A4' */
  format?: string
  /** @default 'portrait' */
  orientation?: (typeof ORIENTATIONS)[number]
  margin?: string
  printBackground?: boolean
}

/** The body of `PUT /v1/templates/:slug` (and `POST /v1/templates` with `slug`). */
export interface TemplateBody {
  name: string
  description?: string | null
  manifest: Manifest
  layout?: unknown
  pageConfig?: PageConfig
}

/** Craftkit's documented limits that Galley enforces (API.md §12). */
export const LIMITS = {
  loopRows: 10_000,
  previewDataRows: 10,
  nameLength: 120,
  descriptionLength: 280,
  slugLength: 120,
  jobIdLength: 200,
} as const

/** Slug pattern of create-template (API.md §4). */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/
