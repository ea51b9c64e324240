/**
 * @module The public data types of the Craftkit REST API (docs: craftkit/API.md §§4–10), as the client returns
 * and accepts them. Declared here, not imported from `@galley/core`: the client ships in users' servers and
 * depends on nothing of ours, so its `.d.mts` must stand alone. The manifest types are structurally identical to
 * `@galley/core`'s, so a core `Manifest` or `TemplateBody` can be passed where these are expected.
 */

/** The ten Craftkit data types (API.md §5.2). */
export type DataType = 'text' | 'longtext' | 'number' | 'currency' | 'date' | 'datetime' | 'boolean' | 'image' | 'url' | 'email'

/** A scalar variable of a manifest; `key` is a dot-path (`customer.name`). */
export interface VariableDefinition {
  key: string
  label?: string
  dataType: DataType
  /** @default false */
  required?: boolean
}

/** A loop (repeating rows) of a manifest; `key` is literal, dot-free and top-level. */
export interface LoopDefinition {
  key: string
  label?: string
  itemFields: VariableDefinition[]
  /** Up to 10 sample rows for the builder preview. */
  previewData?: Record<string, unknown>[]
}

/** The variable manifest of a template version (API.md §5). */
export interface Manifest {
  variables: VariableDefinition[]
  loops: LoopDefinition[]
}

/** `pageConfig` of a template (API.md §6.4); default A4 portrait. */
export interface PageConfig {
  /** @default 'A4' */
  format?: string
  /** @default 'portrait' */
  orientation?: 'portrait' | 'landscape'
  margin?: string
  printBackground?: boolean
}

/** A template as `GET /v1/templates` lists it (no manifest). */
export interface TemplateSummary {
  id: string
  name: string
  slug: string
  templateType: 'document' | 'pdf-overlay'
  /** `null` while the template has no published version. */
  currentVersionNumber: number | null
  published: boolean
  createdAt: string
  updatedAt: string
}

/** A template as `GET /v1/templates/:slug` returns it. Layout and pageConfig are not returned by Craftkit. */
export interface TemplateDetail extends TemplateSummary {
  description: string | null
  /** `null` while unpublished. */
  manifest: Manifest | null
  /** Draft-07 JSON Schema of the render `data`; `null` while unpublished. */
  jsonSchema: Record<string, unknown> | null
}

/** The body of `POST /v1/templates` and `PUT /v1/templates/:slug` (API.md §7.1). */
export interface TemplateBody {
  /** 1–120 characters. */
  name: string
  /** Only for `create`: omitted = derived from `name`. `put` takes the slug from its argument. */
  slug?: string
  /** Up to 280 characters. */
  description?: string | null
  manifest: Manifest
  /** A CanvasDocument (`sections`) or a Document-mode block layout (`pages`); omitted = synthesized by Craftkit. */
  layout?: unknown
  pageConfig?: PageConfig
}

/** What create and put return: the published version. */
export interface PublishedTemplate {
  id: string
  slug: string
  currentVersionNumber: number
  manifest: Manifest
}

/** What `templates.delete` returns (soft delete; the slug is free again). */
export interface DeletedTemplate {
  id: string
  slug: string
  deletedAt: string
}

/** Render lifecycle (API.md §8). `cancelled` exists in Craftkit's enum but is never produced. */
export type RenderStatus = 'queued' | 'rendering' | 'succeeded' | 'failed' | 'cancelled'

/** A render (API.md §7.2). Create returns the first six fields; `GET /v1/renders/:id` adds the last two. */
export interface Render {
  id: string
  status: RenderStatus
  pollUrl: string
  /** Public, permanent PDF URL once succeeded; `null` before, on failure, or when the deployment has no public bucket. */
  downloadUrl: string | null
  errorMessage: string | null
  createdAt: string
  completedAt?: string | null
  durationMs?: number | null
}

/** `options` of a render request. */
export interface RenderOptions {
  /** Pin a published version; unknown -> 404 `version_not_found`. Default: the current version. */
  versionNumber?: number
  /** Override the asset filename. */
  filename?: string
  /** Accepted and ignored by Craftkit: every render is asynchronous. */
  sync?: boolean
}

/** The body of `POST /v1/templates/:slug/render`. */
export interface RenderRequestBody {
  /** Scalars nested by dot-path, loops at the top level by loop key; unknown keys are stripped by the server. */
  data: unknown
  /** Idempotency key in the body (1–200 chars); the `Idempotency-Key` header wins when both are given. */
  jobId?: string
  options?: RenderOptions
}

/** A created (or, with an idempotency key, replayed) render. */
export interface CreatedRender extends Render {
  /** `true` when the idempotency key matched an earlier render (HTTP 200) instead of queueing a new one (202). */
  replayed: boolean
}

/** A share link of a succeeded render (API.md §7.2). */
export interface Share {
  id: string
  shareToken: string
  shareUrl: string
  channel: 'link' | 'email'
  recipientEmail: string | null
  message: string | null
  expiresAt: string | null
  revokedAt: string | null
  createdAt: string
  /** Listed shares only. */
  revokedReason?: string | null
  /** Listed shares only: recipient `viewed` events attributed to the share. */
  clickCount?: number
}

/** The body of `POST /v1/renders/:id/shares`. */
export interface ShareCreateBody {
  /** @default 'link' */
  channel?: 'link' | 'email'
  /** Required when `channel` is `email` (it only records the row; no mail is sent). */
  recipientEmail?: string
  /** Up to 2,000 characters. */
  message?: string
  /** ISO date-time; omitted = no expiry. */
  expiresAt?: string
}

/** What `shares.revoke` returns. */
export interface RevokedShare {
  id: string
  revokedAt: string
}
