import { cpSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import { PGlite } from '@electric-sql/pglite'
import { MIGRATIONS } from './migrations/index.ts'

/**
 * Opens (or creates) the PGlite database in `<dataDir>/pglite` and brings its schema up to date.
 *
 * PGlite needs ~3 s to initdb a new folder but ~0.3 s to open an existing one, and every test and CLI command
 * starts an emulator. So a new data folder is a copy of a migrated template database that is built once per
 * machine under the OS temp folder, keyed by the migrations' hash (`galley-emulator-pglite-<hash>`). Copying the
 * folder (~0.1 s) beat `loadDataDir` of a tar dump (~0.9 s) when measured here.
 */
export async function openDatabase(dataDir: string): Promise<PGlite> {
  const dir = join(dataDir, 'pglite')
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    try {
      copyTemplate(await ensureTemplate(), dir)
    } catch {
      // A broken or unreadable template cache is not fatal: initialise the folder directly (slow path).
      rmSync(dir, { recursive: true, force: true })
    }
  }
  let db: PGlite
  try {
    db = await PGlite.create(dir)
  } catch (error) {
    throw new Error(`Could not open the emulator database in ${dir}: ${error instanceof Error ? error.message : String(error)}`)
  }
  await migrate(db)
  return db
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
