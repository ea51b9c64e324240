import type { PGlite, Transaction } from '@electric-sql/pglite'
import { LIMITS, manifestToJsonSchema, type Manifest, type PageConfig, type TemplateBody } from '@galley/core'
import { EmulatorError } from '../errors.ts'
import { keyPrefix, randomBase62, sha256Hex, uuidv7 } from '../ids.ts'

export type RenderStatus = 'queued' | 'rendering' | 'succeeded' | 'failed'
export type TemplateType = 'document' | 'pdf-overlay'

export interface TemplateRow {
  id: string
  project_id: string
  slug: string
  name: string
  description: string | null
  template_type: TemplateType
  current_version_number: number | null
  created_at: Date
  updated_at: Date
  deleted_at: Date | null
}

export interface VersionRow {
  id: string
  template_id: string
  version_number: number
  name: string
  manifest: Manifest
  json_schema: unknown
  layout: unknown | null
  page_config: PageConfig | null
  created_at: Date
}

export interface RenderRow {
  id: string
  project_id: string
  template_id: string
  template_version_id: string
  idempotency_key: string | null
  status: RenderStatus
  data: Record<string, unknown>
  filename: string | null
  error_message: string | null
  created_at: Date
  started_at: Date | null
  completed_at: Date | null
  duration_ms: number | null
}

export interface ShareRow {
  id: string
  project_id: string
  render_id: string
  share_token: string
  channel: 'link' | 'email'
  recipient_email: string | null
  message: string | null
  expires_at: Date | null
  revoked_at: Date | null
  revoked_reason: string | null
  click_count: number
  created_at: Date
}

/** Dates come back as strings through row_to_json. */
function reviveRender(r: RenderRow): RenderRow {
  const date = (d: Date | string | null) => (d === null ? null : new Date(d))
  return { ...r, created_at: date(r.created_at)!, started_at: date(r.started_at), completed_at: date(r.completed_at) }
}

function reviveDelivery(d: DeliveryRow): DeliveryRow {
  const date = (x: Date | string | null) => (x === null ? null : new Date(x))
  return {
    ...d,
    next_attempt_at: date(d.next_attempt_at)!,
    created_at: date(d.created_at)!,
    updated_at: date(d.updated_at)!,
    completed_at: date(d.completed_at),
  }
}

/** A row of the webhook outbox (migration 2): one delivery of one finished render to one subscription. */
export interface DeliveryRow {
  /** The delivery id: `x-craftkit-delivery-id` on every attempt, across restarts. */
  id: string
  render_id: string
  subscription_url: string
  event: string
  /** The exact JSON body that is signed and sent. */
  body: string
  status: 'pending' | 'delivered' | 'abandoned'
  attempts: number
  next_attempt_at: Date
  last_error: string | null
  created_at: Date
  updated_at: Date
  completed_at: Date | null
}

/** How a render ended, for {@link Store.finishRenders}. */
export interface RenderOutcome {
  id: string
  status: 'succeeded' | 'failed'
  errorMessage: string | null
  completedAt: Date
  durationMs: number
}

/** The outbox rows to write for a render that just reached its terminal state. */
/** An outbox row to write with a render's terminal state: the exact body, signed per attempt. */
export interface NewDelivery {
  renderId: string
  subscriptionUrl: string
  event: string
  body: string
}

/** What the render queue needs to produce one PDF. */
export interface RenderJob {
  render: RenderRow
  template: Pick<TemplateRow, 'id' | 'template_type' | 'slug'>
  version: VersionRow
}

export interface PublishResult {
  template: TemplateRow
  version: VersionRow
  created: boolean
}

type Db = PGlite | Transaction

/** All SQL of the emulator. Every read and write of project data is scoped by `projectId`. */
export class Store {
  private readonly pg: PGlite
  /** Template versions by id: immutable once written, so cached for the life of the process. */
  private readonly versions = new Map<string, VersionRow>()
  /** Project ids by key hash: keys are never deleted or moved, so a found key is cached. */
  private readonly keys = new Map<string, string>()
  private readonly versionsByNumber = new Map<string, VersionRow>()
  /** Live templates by project and slug (see getTemplate). */
  private readonly templates = new Map<string, TemplateRow>()
  private templateGeneration = 0
  constructor(db: PGlite) {
    this.pg = db
  }

  /**
   * The database itself, for tests and tools. Raw access may change templates behind the caches, so it drops them.
   * (In the emulator the store runs in its database thread; there `db` offers `query` and `exec` only.)
   */
  get db(): PGlite {
    this.templatesChanged()
    return this.pg
  }

  // --- projects and keys ---------------------------------------------------------------------------------

  /** The project a key belongs to, creating project and key when the key is new. */
  async ensureProjectForKey(key: string, name = 'Emulator project'): Promise<string> {
    const hash = sha256Hex(key)
    return this.pg.transaction(async (tx) => {
      const found = await tx.query<{ project_id: string }>('SELECT project_id FROM api_keys WHERE key_hash = $1', [hash])
      if (found.rows[0]) return found.rows[0].project_id
      const projectId = uuidv7()
      await tx.query('INSERT INTO projects (id, name) VALUES ($1, $2)', [projectId, name])
      await tx.query('INSERT INTO api_keys (id, project_id, key_hash, prefix) VALUES ($1, $2, $3, $4)', [
        uuidv7(),
        projectId,
        hash,
        keyPrefix(key),
      ])
      return projectId
    })
  }

  async projectForKey(key: string): Promise<string | undefined> {
    const hash = sha256Hex(key)
    const cached = this.keys.get(hash)
    if (cached) return cached
    const r = await this.pg.query<{ project_id: string }>(
      'SELECT k.project_id FROM api_keys k JOIN projects p ON p.id = k.project_id WHERE k.key_hash = $1',
      [hash],
    )
    const projectId = r.rows[0]?.project_id
    // Only found keys are cached (bounded by the number of keys); unknown keys are looked up every time.
    if (projectId) this.keys.set(hash, projectId)
    return projectId
  }

  // --- templates ----------------------------------------------------------------------------------------

  async listTemplates(projectId: string): Promise<TemplateRow[]> {
    const r = await this.pg.query<TemplateRow>(
      'SELECT * FROM templates WHERE project_id = $1 AND deleted_at IS NULL ORDER BY updated_at DESC, id DESC',
      [projectId],
    )
    return r.rows
  }

  async getTemplate(projectId: string, slug: string, db: Db = this.pg): Promise<TemplateRow | undefined> {
    // Only this process writes the database (the data folder lock), so live templates are cached by slug and the
    // cache is dropped on every template write (create, put, delete). Reads inside a transaction go to the database.
    const key = `${projectId}\n${slug}`
    if (db === this.pg) {
      const cached = this.templates.get(key)
      if (cached) return cached
    }
    const generation = this.templateGeneration
    const r = await db.query<TemplateRow>(
      'SELECT * FROM templates WHERE project_id = $1 AND slug = $2 AND deleted_at IS NULL',
      [projectId, slug],
    )
    const row = r.rows[0]
    if (row && db === this.pg && generation === this.templateGeneration) this.templates.set(key, row)
    return row
  }

  /** Drops the template cache: called before and after every template write. */
  private templatesChanged(): void {
    this.templateGeneration++
    this.templates.clear()
  }

  async getVersion(templateId: string, versionNumber: number): Promise<VersionRow | undefined> {
    const key = `${templateId}#${versionNumber}`
    const cached = this.versionsByNumber.get(key)
    if (cached) return cached
    const r = await this.pg.query<VersionRow>(
      'SELECT * FROM template_versions WHERE template_id = $1 AND version_number = $2',
      [templateId, versionNumber],
    )
    const row = r.rows[0]
    if (row) {
      this.versionsByNumber.set(key, row)
      this.versions.set(row.id, row)
    }
    return row
  }

  /**
   * `POST /v1/templates`: creates a template and publishes v1. An explicit slug that is taken is a 409
   * `slug_conflict`; a slug derived from the name gets a short random suffix until it is free.
   */
  async createTemplate(
    projectId: string,
    body: TemplateBody,
    slug: { explicit: string } | { derived: string },
    templateType: TemplateType,
  ): Promise<PublishResult> {
    this.templatesChanged()
    try {
      return await this.createTemplateTx(projectId, body, slug, templateType)
    } finally {
      this.templatesChanged()
    }
  }

  private async createTemplateTx(
    projectId: string,
    body: TemplateBody,
    slug: { explicit: string } | { derived: string },
    templateType: TemplateType,
  ): Promise<PublishResult> {
    return this.pg.transaction(async (tx) => {
      for (let attempt = 0; attempt < 20; attempt++) {
        const candidate =
          'explicit' in slug ? slug.explicit : attempt === 0 ? slug.derived : withSuffix(slug.derived, randomSuffix())
        const template = await insertTemplate(tx, projectId, candidate, body, templateType)
        if (template) {
          const version = await insertVersion(tx, template, 1, body)
          return { template: { ...template, current_version_number: 1 }, version, created: true }
        }
        if ('explicit' in slug) {
          throw new EmulatorError(409, 'slug_conflict', `A template with slug "${candidate}" already exists in this project`)
        }
      }
      throw new EmulatorError(409, 'slug_conflict', `Could not find a free slug for "${'derived' in slug ? slug.derived : ''}"`)
    })
  }

  /** `PUT /v1/templates/:slug`: creates (v1) or republishes (v n+1), always a new version (API.md §7.1). */
  async putTemplate(projectId: string, slug: string, body: TemplateBody, templateType: TemplateType): Promise<PublishResult> {
    this.templatesChanged()
    try {
      return await this.putTemplateTx(projectId, slug, body, templateType)
    } finally {
      this.templatesChanged()
    }
  }

  private async putTemplateTx(projectId: string, slug: string, body: TemplateBody, templateType: TemplateType): Promise<PublishResult> {
    return this.pg.transaction(async (tx) => {
      const existing = await this.getTemplate(projectId, slug, tx)
      if (!existing) {
        const template = await insertTemplate(tx, projectId, slug, body, templateType)
        if (template) {
          const version = await insertVersion(tx, template, 1, body)
          return { template: { ...template, current_version_number: 1 }, version, created: true }
        }
        // PGlite runs one transaction at a time, so the live slug cannot appear between the two statements.
        throw new Error(`slug ${slug} appeared during PUT`)
      }
      const next = (existing.current_version_number ?? 0) + 1
      const version = await insertVersion(tx, existing, next, body)
      const r = await tx.query<TemplateRow>(
        `UPDATE templates SET name = $2, description = $3, template_type = $4, current_version_number = $5, updated_at = $6
         WHERE id = $1 RETURNING *`,
        [existing.id, body.name, body.description ?? null, templateType, next, version.created_at],
      )
      return { template: r.rows[0]!, version, created: false }
    })
  }

  /** Soft delete: the row stays (renders keep pointing at it), the slug is free again. */
  async deleteTemplate(projectId: string, slug: string): Promise<TemplateRow | undefined> {
    this.templatesChanged()
    const r = await this.pg.query<TemplateRow>(
      `UPDATE templates SET deleted_at = $3 WHERE project_id = $1 AND slug = $2 AND deleted_at IS NULL RETURNING *`,
      [projectId, slug, new Date()],
    )
    this.templatesChanged()
    return r.rows[0]
  }

  // --- renders ------------------------------------------------------------------------------------------

  async findRenderByKey(projectId: string, key: string): Promise<RenderRow | undefined> {
    const r = await this.pg.query<RenderRow>('SELECT * FROM renders WHERE project_id = $1 AND idempotency_key = $2', [
      projectId,
      key,
    ])
    return r.rows[0]
  }

  /**
   * Inserts a queued render. With an idempotency key, `ON CONFLICT DO NOTHING` on the unique index decides the
   * winner of concurrent submits; the loser reads the winner's row and gets `created: false`.
   */
  async createRender(input: {
    projectId: string
    templateId: string
    versionId: string
    idempotencyKey: string | null
    data: Record<string, unknown>
    filename: string | null
  }): Promise<{ render: RenderRow; created: boolean }> {
    const r = await this.pg.query<RenderRow>(
      `INSERT INTO renders (id, project_id, template_id, template_version_id, idempotency_key, status, data, filename, created_at)
       VALUES ($1, $2, $3, $4, $5, 'queued', $6::json, $7, $8)
       ON CONFLICT (project_id, idempotency_key) DO NOTHING RETURNING *`,
      [
        uuidv7(),
        input.projectId,
        input.templateId,
        input.versionId,
        input.idempotencyKey,
        JSON.stringify(input.data),
        input.filename,
        new Date(),
      ],
    )
    if (r.rows[0]) return { render: r.rows[0], created: true }
    const existing = input.idempotencyKey ? await this.findRenderByKey(input.projectId, input.idempotencyKey) : undefined
    if (!existing) throw new Error('render insert conflicted but no render holds the key')
    return { render: existing, created: false }
  }

  async getRender(projectId: string, id: string): Promise<RenderRow | undefined> {
    const r = await this.pg.query<RenderRow>('SELECT * FROM renders WHERE project_id = $1 AND id = $2', [projectId, id])
    return r.rows[0]
  }

  /** Any project's render: the public download URL is unguessable rather than authenticated. */
  async getRenderById(id: string): Promise<RenderRow | undefined> {
    const r = await this.pg.query<RenderRow>('SELECT * FROM renders WHERE id = $1', [id])
    return r.rows[0]
  }

  /**
   * Moves queued renders to `rendering` in one statement and returns what is needed to render them (those no
   * longer queued are left out). Versions are immutable, so they come from a per-process cache after the first read.
   */
  async claimRenders(ids: string[], startedAt: Date): Promise<RenderJob[]> {
    if (ids.length === 0) return []
    const r = await this.pg.query<RenderRow & { t_template_type: TemplateType; t_slug: string }>(
      `UPDATE renders r SET status = 'rendering', started_at = $2
       FROM templates t
       WHERE r.id IN (SELECT value::uuid FROM json_array_elements_text($1::json)) AND r.status = 'queued' AND t.id = r.template_id
       RETURNING r.*, t.template_type AS t_template_type, t.slug AS t_slug`,
      [JSON.stringify(ids), startedAt],
    )
    const missing = [...new Set(r.rows.map((row) => row.template_version_id).filter((id) => !this.versions.has(id)))]
    if (missing.length > 0) {
      const v = await this.pg.query<VersionRow>(
        'SELECT * FROM template_versions WHERE id IN (SELECT value::uuid FROM json_array_elements_text($1::json))',
        [JSON.stringify(missing)],
      )
      for (const row of v.rows) this.versions.set(row.id, row)
    }
    return r.rows.map(({ t_template_type, t_slug, ...render }) => ({
      render,
      template: { id: render.template_id, template_type: t_template_type, slug: t_slug },
      version: this.versions.get(render.template_version_id)!,
    }))
  }

  /** {@link claimRenders} for one render; undefined if it is not queued. */
  async claimRender(id: string, startedAt: Date): Promise<RenderJob | undefined> {
    return (await this.claimRenders([id], startedAt))[0]
  }

  /**
   * Moves `rendering` renders to their terminal state and, in the same transaction, writes their webhook
   * deliveries to the outbox: a render is never terminal without its deliveries, nor the reverse. Renders that
   * were not `rendering` are left alone (and get no deliveries).
   */
  async finishRenders(
    outcomes: RenderOutcome[],
    newDeliveries: NewDelivery[] = [],
  ): Promise<{ render: RenderRow; deliveries: DeliveryRow[] }[]> {
    if (outcomes.length === 0) return []
    // Bodies are built before the statement (they depend only on the outcome and the claimed row); one statement
    // (a data-modifying CTE, atomic on its own) updates the renders and inserts the deliveries of those updated.
    const now = new Date()
    const deliveries = newDeliveries.map((d) => ({
      id: uuidv7(),
      render_id: d.renderId,
      subscription_url: d.subscriptionUrl,
      event: d.event,
      body: d.body,
    }))
    const r = await this.pg.query<{ render: RenderRow | null; delivery: DeliveryRow | null }>(
      `WITH u AS (
         UPDATE renders r SET status = u.status, error_message = u.error_message, completed_at = u.completed_at, duration_ms = u.duration_ms
         FROM json_to_recordset($1::json) AS u(id uuid, status text, error_message text, completed_at timestamptz, duration_ms integer)
         WHERE r.id = u.id AND r.status = 'rendering' RETURNING r.*
       ), d AS (
         INSERT INTO webhook_deliveries (id, render_id, subscription_url, event, body, status, attempts, next_attempt_at, created_at, updated_at)
         SELECT d.id, d.render_id, d.subscription_url, d.event, d.body, 'pending', 0, $3, $3, $3
         FROM json_to_recordset($2::json) AS d(id uuid, render_id uuid, subscription_url text, event text, body text)
         JOIN u ON u.id = d.render_id
         RETURNING *
       )
       SELECT row_to_json(u.*) AS render, NULL::json AS delivery FROM u
       UNION ALL SELECT NULL::json, row_to_json(d.*) FROM d`,
      [
        JSON.stringify(
          outcomes.map((o) => ({
            id: o.id,
            status: o.status,
            error_message: o.errorMessage,
            completed_at: o.completedAt.toISOString(),
            duration_ms: o.durationMs,
          })),
        ),
        JSON.stringify(deliveries),
        now,
      ],
    )
    const byRender = new Map<string, DeliveryRow[]>()
    const renders: RenderRow[] = []
    for (const row of r.rows) {
      if (row.render) renders.push(reviveRender(row.render))
      if (row.delivery) {
        const d = reviveDelivery(row.delivery)
        byRender.set(d.render_id, [...(byRender.get(d.render_id) ?? []), d])
      }
    }
    return renders.map((render) => ({ render, deliveries: byRender.get(render.id) ?? [] }))
  }

  // --- webhook outbox -----------------------------------------------------------------------------------

  /** Deliveries still to be attempted for these subscription urls, soonest first. */
  async pendingDeliveries(subscriptionUrls: string[]): Promise<DeliveryRow[]> {
    const r = await this.pg.query<DeliveryRow>(
      `SELECT * FROM webhook_deliveries
       WHERE status = 'pending' AND subscription_url IN (SELECT json_array_elements_text($1::json))
       ORDER BY next_attempt_at, id`,
      [JSON.stringify(subscriptionUrls)],
    )
    return r.rows
  }

  /** Records attempt outcomes (one statement for many): delivered, abandoned, or pending with its next attempt time. */
  async recordDeliveryAttempts(
    updates: { id: string; status: DeliveryRow['status']; attempts: number; nextAttemptAt: Date; lastError: string | null; at: Date }[],
  ): Promise<void> {
    if (updates.length === 0) return
    await this.pg.query(
      `UPDATE webhook_deliveries w SET status = u.status, attempts = u.attempts, next_attempt_at = u.next_attempt_at,
         last_error = u.last_error, updated_at = u.at, completed_at = CASE WHEN u.status = 'pending' THEN NULL ELSE u.at END
       FROM json_to_recordset($1::json) AS u(id uuid, status text, attempts integer, next_attempt_at timestamptz, last_error text, at timestamptz)
       WHERE w.id = u.id`,
      [
        JSON.stringify(
          updates.map((u) => ({
            id: u.id,
            status: u.status,
            attempts: u.attempts,
            next_attempt_at: u.nextAttemptAt.toISOString(),
            last_error: u.lastError,
            at: u.at.toISOString(),
          })),
        ),
      ],
    )
  }

  /** Every delivery of a render, oldest first (tests and tools). */
  async deliveriesForRender(renderId: string): Promise<DeliveryRow[]> {
    const r = await this.pg.query<DeliveryRow>('SELECT * FROM webhook_deliveries WHERE render_id = $1 ORDER BY created_at, id', [
      renderId,
    ])
    return r.rows
  }

  /** Renders a previous process left unfinished, put back to `queued`, oldest first. */
  async requeueUnfinished(): Promise<string[]> {
    await this.pg.query(`UPDATE renders SET status = 'queued', started_at = NULL WHERE status = 'rendering'`)
    const r = await this.pg.query<{ id: string }>(`SELECT id FROM renders WHERE status = 'queued' ORDER BY created_at, id`)
    return r.rows.map((row) => row.id)
  }

  // --- shares -------------------------------------------------------------------------------------------

  async createShare(input: {
    projectId: string
    renderId: string
    channel: 'link' | 'email'
    recipientEmail: string | null
    message: string | null
    expiresAt: Date | null
  }): Promise<ShareRow> {
    const r = await this.pg.query<ShareRow>(
      `INSERT INTO shares (id, project_id, render_id, share_token, channel, recipient_email, message, expires_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
      [
        uuidv7(),
        input.projectId,
        input.renderId,
        `cks_${randomBase62(32)}`,
        input.channel,
        input.recipientEmail,
        input.message,
        input.expiresAt,
        new Date(),
      ],
    )
    return r.rows[0]!
  }

  async listShares(projectId: string, renderId: string): Promise<ShareRow[]> {
    const r = await this.pg.query<ShareRow>(
      'SELECT * FROM shares WHERE project_id = $1 AND render_id = $2 ORDER BY created_at DESC, id DESC',
      [projectId, renderId],
    )
    return r.rows
  }

  async revokeShare(projectId: string, renderId: string, shareId: string): Promise<ShareRow | undefined> {
    const r = await this.pg.query<ShareRow>(
      `UPDATE shares SET revoked_at = $4, revoked_reason = 'revoked_by_partner'
       WHERE project_id = $1 AND render_id = $2 AND id = $3 AND revoked_at IS NULL RETURNING *`,
      [projectId, renderId, shareId, new Date()],
    )
    return r.rows[0]
  }

  /** A live share (not revoked, not expired) by token, counting the open; undefined otherwise. */
  async openShare(token: string, now: Date): Promise<ShareRow | undefined> {
    const r = await this.pg.query<ShareRow>(
      `UPDATE shares SET click_count = click_count + 1
       WHERE share_token = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2) RETURNING *`,
      [token, now],
    )
    return r.rows[0]
  }

  async close(): Promise<void> {
    if (!this.pg.closed) await this.pg.close()
  }
}

async function insertTemplate(
  tx: Db,
  projectId: string,
  slug: string,
  body: TemplateBody,
  templateType: TemplateType,
): Promise<TemplateRow | undefined> {
  const now = new Date()
  const r = await tx.query<TemplateRow>(
    `INSERT INTO templates (id, project_id, slug, name, description, template_type, current_version_number, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)
     ON CONFLICT (project_id, slug) WHERE deleted_at IS NULL DO NOTHING RETURNING *`,
    [uuidv7(), projectId, slug, body.name, body.description ?? null, templateType, now],
  )
  return r.rows[0]
}

async function insertVersion(tx: Db, template: TemplateRow, versionNumber: number, body: TemplateBody): Promise<VersionRow> {
  const r = await tx.query<VersionRow>(
    `INSERT INTO template_versions (id, template_id, version_number, name, manifest, json_schema, layout, page_config, created_at)
     VALUES ($1, $2, $3, $4, $5::json, $6::json, $7::json, $8::json, $9) RETURNING *`,
    [
      uuidv7(),
      template.id,
      versionNumber,
      body.name,
      JSON.stringify(body.manifest),
      JSON.stringify(manifestToJsonSchema(body.manifest)),
      body.layout === undefined ? null : JSON.stringify(body.layout),
      body.pageConfig === undefined ? null : JSON.stringify(body.pageConfig),
      new Date(),
    ],
  )
  return r.rows[0]!
}

/** Length of the random suffix a derived slug gets on collision. */
const SUFFIX_LENGTH = 6

/**
 * A slug from a template name: lower-case kebab of its letters and digits, accents folded; `template` if empty.
 * Short enough that `-<suffix>` still fits the slug limit.
 */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, LIMITS.slugLength - 1 - SUFFIX_LENGTH)
    .replace(/-+$/g, '')
  return slug === '' ? 'template' : slug
}

function randomSuffix(): string {
  return randomBase62(SUFFIX_LENGTH).toLowerCase()
}

function withSuffix(slug: string, suffix: string): string {
  return `${slug}-${suffix}`
}
