import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PGlite } from '@electric-sql/pglite'
import { GalleyError } from '@galley/core'
import { MIGRATIONS } from './migrations/index.ts'

/**
 * Opens the emulator's database and brings its schema up to date: PGlite in `<dataDir>/pglite`, or, with no
 * `dataDir` (a throw-away emulator), PGlite in memory.
 *
 * PGlite needs ~3 s to initdb but ~0.3 s to open an existing folder, and every test and CLI command starts an
 * emulator. So a new database starts from a migrated template built once per machine under the OS temp folder
 * (`galley-emulator-pglite-<hash>` and its `.tar` dump; the hash covers the PGlite version and the migrations).
 * A new data folder is a copy of the template folder; an in-memory database loads the dump. Measured here on a
 * busy 2-core machine: copy + open 0.3–4 s (the 40 MB copy competes for the disk), in-memory load 0.3–1.2 s.
 */
export async function openDatabase(dataDir: string | undefined): Promise<PGlite> {
  const db = dataDir === undefined ? await openInMemory() : await openFolder(join(dataDir, 'pglite'))
  await migrate(db)
  return db
}

async function openInMemory(): Promise<PGlite> {
  try {
    return await PGlite.create({ loadDataDir: await templateDump() })
  } catch {
    templateDumpCache = undefined
    return PGlite.create()
  }
}

async function openFolder(dir: string): Promise<PGlite> {
  let template: Template | undefined
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    try {
      template = await ensureTemplate()
      copyTemplate(template.dir, dir)
    } catch {
      // A broken or unreadable template cache is not fatal: initialise the folder directly (slow path).
      template = undefined
      rmSync(dir, { recursive: true, force: true })
    }
  }
  try {
    return await PGlite.create(dir)
  } catch (error) {
    if (template === undefined) {
      throw new GalleyError('emulator_database', `Could not open the emulator database in ${dir}: ${describe(error)}`, {
        hint: 'Another program may have changed or truncated it; move the folder away to start with an empty database.',
      })
    }
    // The cached template did not open (a damaged cache): drop it and initialise this folder directly.
    rmSync(template.dir, { recursive: true, force: true })
    rmSync(template.tar, { force: true })
    rmSync(dir, { recursive: true, force: true })
    return PGlite.create(dir)
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

interface Template {
  /** A closed, migrated PGlite folder; only ever copied, never opened. */
  dir: string
  /** `dumpDataDir` of the same database. */
  tar: string
}

/** The per-machine template, built on first use; both files appear atomically (temp name + rename). */
async function ensureTemplate(): Promise<Template> {
  const hash = createHash('sha256')
    .update(`${pgliteVersion()}\n`)
    .update(MIGRATIONS.map((m) => `${m.version}\n${m.sql}`).join('\n'))
    .digest('hex')
    .slice(0, 12)
  const dir = join(tmpdir(), `galley-emulator-pglite-${hash}`)
  const tar = `${dir}.tar`
  if (existsSync(join(dir, READY_MARKER)) && existsSync(tar)) return { dir, tar }
  const suffix = `.tmp-${process.pid}-${Date.now()}`
  const building = `${dir}${suffix}`
  try {
    const db = await PGlite.create(building)
    await migrate(db)
    const dump = await db.dumpDataDir('none')
    await db.close()
    writeFileSync(`${tar}${suffix}`, new Uint8Array(await dump.arrayBuffer()))
    renameSync(`${tar}${suffix}`, tar)
    writeFileSync(join(building, READY_MARKER), '')
    if (!existsSync(join(dir, READY_MARKER))) {
      // Another process may win this race; a stale, unmarked folder in the way is replaced.
      rmSync(dir, { recursive: true, force: true })
      try {
        renameSync(building, dir)
      } catch {
        if (!existsSync(join(dir, READY_MARKER))) throw new Error(`could not create ${dir}`)
      }
    }
  } finally {
    rmSync(building, { recursive: true, force: true })
    rmSync(`${tar}${suffix}`, { force: true })
  }
  return { dir, tar }
}

let templateDumpCache: Promise<Blob> | undefined

/** The template dump, read once per process (tests start many in-memory emulators). */
function templateDump(): Promise<Blob> {
  templateDumpCache ??= ensureTemplate().then((t) => new Blob([readFileSync(t.tar)]))
  return templateDumpCache
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
