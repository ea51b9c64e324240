import type { RenderRow, ShareRow, TemplateRow, VersionRow } from './storage/store.ts'

/** Where the emulator is reachable: `api` for `pollUrl`, `public` for `downloadUrl` and `shareUrl`. */
export interface BaseUrls {
  api: string
  public: string
}

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null)

/** A row of `GET /v1/templates` (API.md §7.1): no manifest. */
export function templateSummary(t: TemplateRow): Record<string, unknown> {
  return {
    id: t.id,
    name: t.name,
    slug: t.slug,
    templateType: t.template_type,
    currentVersionNumber: t.current_version_number,
    published: t.current_version_number !== null,
    createdAt: iso(t.created_at),
    updatedAt: iso(t.updated_at),
  }
}

/** `GET /v1/templates/:slug` (API.md §4): the documented fields only, no layout or pageConfig. */
export function templateDetail(t: TemplateRow, v: VersionRow | undefined): Record<string, unknown> {
  return {
    id: t.id,
    name: t.name,
    slug: t.slug,
    description: t.description,
    templateType: t.template_type,
    currentVersionNumber: t.current_version_number,
    published: v !== undefined,
    manifest: v ? v.manifest : null,
    jsonSchema: v ? v.json_schema : null,
    createdAt: iso(t.created_at),
    updatedAt: iso(t.updated_at),
  }
}

/** 200/201 of create and PUT: `{ id, slug, currentVersionNumber, manifest }`. */
export function publishedTemplate(t: TemplateRow, v: VersionRow): Record<string, unknown> {
  return { id: t.id, slug: t.slug, currentVersionNumber: v.version_number, manifest: v.manifest }
}

export function downloadUrl(r: RenderRow, urls: BaseUrls): string | null {
  return r.status === 'succeeded' ? `${urls.public}/files/renders/${r.id}.pdf` : null
}

/** The render as `POST …/render` returns it (the six fields of the OpenAPI Render shape). */
export function renderCreated(r: RenderRow, urls: BaseUrls): Record<string, unknown> {
  return {
    id: r.id,
    status: r.status,
    pollUrl: `${urls.api}/v1/renders/${r.id}`,
    downloadUrl: downloadUrl(r, urls),
    errorMessage: r.error_message,
    createdAt: iso(r.created_at),
  }
}

/** `GET /v1/renders/:id` adds `completedAt` and `durationMs`. */
export function renderDetail(r: RenderRow, urls: BaseUrls): Record<string, unknown> {
  return { ...renderCreated(r, urls), completedAt: iso(r.completed_at), durationMs: r.duration_ms }
}

export function shareCreated(s: ShareRow, urls: BaseUrls): Record<string, unknown> {
  return {
    id: s.id,
    shareToken: s.share_token,
    shareUrl: `${urls.public}/share/${s.share_token}`,
    channel: s.channel,
    recipientEmail: s.recipient_email,
    message: s.message,
    expiresAt: iso(s.expires_at),
    revokedAt: iso(s.revoked_at),
    createdAt: iso(s.created_at),
  }
}

/** A row of `GET /v1/renders/:id/shares`: also `revokedReason` and `clickCount` (API.md §7.2). */
export function shareListed(s: ShareRow, urls: BaseUrls): Record<string, unknown> {
  return { ...shareCreated(s, urls), revokedReason: s.revoked_reason, clickCount: s.click_count }
}

/** `Content-Disposition` value for a render's PDF; the filename is reduced to safe characters. */
export function contentDisposition(r: RenderRow): string {
  const base = (r.filename ?? r.id).replace(/[^\w.\- ]+/g, '_').slice(0, 200)
  const name = /\.pdf$/i.test(base) ? base : `${base}.pdf`
  return `inline; filename="${name}"`
}
