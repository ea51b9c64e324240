/**
 * The database schema, as ordered migrations. Append only: a released migration is never edited, because data
 * folders created by earlier versions replay the list from where they stopped.
 */
export interface Migration {
  version: number
  name: string
  sql: string
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'projects, keys, templates, versions, renders, shares',
    // json, not jsonb: a json column keeps the key order clients sent, so manifests echo back as written.
    sql: `
CREATE TABLE projects (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Keys are stored as SHA-256 hashes; the plaintext is shown once (API.md §2).
CREATE TABLE api_keys (
  id uuid PRIMARY KEY,
  project_id uuid NOT NULL REFERENCES projects(id),
  key_hash text NOT NULL UNIQUE,
  prefix text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE templates (
  id uuid PRIMARY KEY,
  project_id uuid NOT NULL REFERENCES projects(id),
  slug text NOT NULL,
  name text NOT NULL,
  description text,
  template_type text NOT NULL DEFAULT 'document',
  current_version_number integer,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  deleted_at timestamptz
);
-- A slug is unique among the live templates of a project; a soft delete frees it (API.md §7.1).
CREATE UNIQUE INDEX templates_live_slug ON templates (project_id, slug) WHERE deleted_at IS NULL;

CREATE TABLE template_versions (
  id uuid PRIMARY KEY,
  template_id uuid NOT NULL REFERENCES templates(id),
  version_number integer NOT NULL,
  name text NOT NULL,
  manifest json NOT NULL,
  json_schema json NOT NULL,
  layout json,
  page_config json,
  created_at timestamptz NOT NULL,
  UNIQUE (template_id, version_number)
);

CREATE TABLE renders (
  id uuid PRIMARY KEY,
  project_id uuid NOT NULL REFERENCES projects(id),
  template_id uuid NOT NULL REFERENCES templates(id),
  template_version_id uuid NOT NULL REFERENCES template_versions(id),
  idempotency_key text,
  status text NOT NULL CHECK (status IN ('queued', 'rendering', 'succeeded', 'failed', 'cancelled')),
  data json NOT NULL,
  filename text,
  error_message text,
  created_at timestamptz NOT NULL,
  started_at timestamptz,
  completed_at timestamptz,
  duration_ms integer
);
-- Idempotency: one render per (project, key), guaranteed by the database, not by a lookup (API.md §9).
-- NULL keys never collide, so renders without a key are never deduplicated.
CREATE UNIQUE INDEX renders_idempotency ON renders (project_id, idempotency_key);
CREATE INDEX renders_pending ON renders (created_at) WHERE status IN ('queued', 'rendering');

CREATE TABLE shares (
  id uuid PRIMARY KEY,
  project_id uuid NOT NULL REFERENCES projects(id),
  render_id uuid NOT NULL REFERENCES renders(id),
  share_token text NOT NULL UNIQUE,
  channel text NOT NULL,
  recipient_email text,
  message text,
  expires_at timestamptz,
  revoked_at timestamptz,
  revoked_reason text,
  click_count integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL
);
CREATE INDEX shares_render ON shares (render_id, created_at);
`,
  },
  {
    version: 2,
    name: 'webhook outbox',
    // One row per (finished render, subscription), inserted in the transaction that makes the render terminal.
    // `id` is the delivery id sent as x-craftkit-delivery-id on every attempt. `body` is the exact JSON that is
    // signed and sent, so every attempt (and every restart) sends the same bytes. Secrets are not stored: the
    // subscription is matched by url to the running emulator's webhooks.
    sql: `
CREATE TABLE webhook_deliveries (
  id uuid PRIMARY KEY,
  render_id uuid NOT NULL REFERENCES renders(id),
  subscription_url text NOT NULL,
  event text NOT NULL,
  body text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'delivered', 'abandoned')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  last_error text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  completed_at timestamptz
);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_render ON webhook_deliveries (render_id);
`,
  },
]

/** The schema version a fully migrated database has: the last migration's. */
export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]!.version
