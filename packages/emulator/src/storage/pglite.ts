import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PGlite } from '@electric-sql/pglite'
import { GalleyError } from '@galley/core'
import { MIGRATIONS } from './migrations/index.ts'

/**
 * Opens (or creates) the PGlite database in `<dataDir>/pglite` and brings its schema up to date.
 *
 * PGlite needs ~3 s to initdb a new folder but ~0.3 s to open an existing one, and every test and CLI command
 * starts an emulator. So a new data folder is a copy of a migrated template database that is built once per
 * machine under the OS temp folder, keyed by a hash of the PGlite version and the migrations (`galley-emulator-pglite-<hash>`). Copying the
 * folder (~0.1 s) beat `loadDataDir` of a tar dump (~0.9 s) when measured here.
 */
export async function openDatabase(dataDir: string): Promise<PGlite> {
  const dir = join(dataDir, 'pglite')
  let template: string | undefined
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    try {
      template = await ensureTemplate()
      copyTemplate(template, dir)
    } catch {
      // A broken or unreadable template cache is not fatal: initialise the folder directly (slow path).
      template = undefined
      rmSync(dir, { recursive: true, force: true })
    }
  }
  let db: PGlite
  try {
    db = await PGlite.create(dir)
  } catch (error) {
    if (template === undefined) {
      throw new GalleyError('emulator_database', `Could not open the emulator database in ${dir}: ${describe(error)}`, {
        hint: 'Another program may have changed or truncated it; move the folder away to start with an empty database.',
      })
    }
    // The cached template did not open (a damaged cache): drop it and initialise this folder directly.
    rmSync(template, { recursive: true, force: true })
    rmSync(dir, { recursive: true, force: true })
    db = await PGlite.create(dir)
  }
  await migrate(db)
  return db
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** Part of the template cache key, so a PGlite upgrade never copies a folder from another version. */
function pgliteVersion(): string {
  try {
    const entry = fileURLToPath(import.meta.resolve('@electric-sql/pglite'))
    const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version?: string }
    return pkg.version ?? 'unknown'
  } catch {
    return 'unknown'
  }
}

/** Applies the migrations the database has not seen yet, each in its own transaction. */
export async function migrate(db: PGlite): Promise<void> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT clock_timestamp())`)
  const applied = new Set(
    (await db.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version),
  )
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue
    await db.transaction(async (tx) => {
      await tx.exec(m.sql)
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name])
    })
  }
}

const READY_MARKER = '.galley-template-ready'

/** The per-machine template folder; built on first use, atomically (temp folder + rename). */
async function ensureTemplate(): Promise<string> {
  const hash = createHash('sha256')
    .update(`${pgliteVersion()}\n`)
    .update(MIGRATIONS.map((m) => `${m.version}\n${m.sql}`).join('\n'))
    .digest('hex')
    .slice(0, 12)
  const templateDir = join(tmpdir(), `galley-emulator-pglite-${hash}`)
  if (existsSync(join(templateDir, READY_MARKER))) return templateDir
  const building = `${templateDir}.tmp-${process.pid}-${Date.now()}`
  try {
    const db = await PGlite.create(building)
    await migrate(db)
    await db.close()
    writeFileSync(join(building, READY_MARKER), '')
    try {
      renameSync(building, templateDir)
    } catch {
      // Another process won the race (or a stale, unmarked folder is in the way): use theirs, or replace it.
      if (!existsSync(join(templateDir, READY_MARKER))) {
        rmSync(templateDir, { recursive: true, force: true })
        renameSync(building, templateDir)
      }
    }
  } finally {
    rmSync(building, { recursive: true, force: true })
  }
  return templateDir
}

/** Copies the template into `dir` through a temp folder, so a crash mid-copy never leaves a half database. */
function copyTemplate(templateDir: string, dir: string): void {
  const staging = `${dir}.tmp-${process.pid}`
  rmSync(staging, { recursive: true, force: true })
  mkdirSync(staging, { recursive: true })
  cpSync(templateDir, staging, { recursive: true, filter: (src) => !src.endsWith(READY_MARKER) })
  rmSync(dir, { recursive: true, force: true })
  renameSync(staging, dir)
}
