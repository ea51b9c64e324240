import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { shortDiff } from './diff.ts'

export interface WriteGeneratedResult {
  file: string
  /** false when the file already held these exact bytes (nothing was written). */
  written: boolean
}

/**
 * Writes `content` to `file` atomically: the bytes go to a temporary file in the same folder, and the temporary
 * file is renamed over `file` (a rename within one file system is atomic). A failure at any step
 * leaves the previous file as it was and removes the temporary one. Equal bytes are not rewritten, so watchers
 * and build caches see no change.
 */
export async function writeGenerated(file: string, content: string): Promise<WriteGeneratedResult> {
  // Encoded once: the size check, the comparison and the write all use these bytes.
  const bytes = Buffer.from(content, 'utf8')
  if (await sameContent(file, bytes)) return { file, written: false }
  await writeFileAtomic(file, bytes)
  return { file, written: true }
}

/** Writes a file through a temporary file and a rename; see `writeGenerated`. */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  const dir = dirname(file)
  await mkdir(dir, { recursive: true })
  const temp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    // No fsync: a crash can at worst lose a file that the next run regenerates, and fsync of a few MB costs
    // about as much as the whole regeneration of one changed template (TanStack's safeFileWrite skips it too).
    const handle = await open(temp, 'wx')
    try {
      await handle.writeFile(content)
    } finally {
      await handle.close()
    }
    await rename(temp, file)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
}

export interface CheckGeneratedResult {
  file: string
  upToDate: boolean
  /** Why it is stale: no file yet, or other bytes. */
  reason?: 'missing' | 'different'
  /** Which templates differ, from the descriptors in both texts: a one-line summary. */
  summary?: string
  /** A short unified diff (on disk vs generated). */
  diff?: string
}

/** Compares `file` with `content` without writing anything (`galley generate --check`). */
export async function checkGenerated(file: string, content: string): Promise<CheckGeneratedResult> {
  const current = await readIfExists(file)
  if (current === content) return { file, upToDate: true }
  if (current === null) return { file, upToDate: false, reason: 'missing', summary: 'the file does not exist' }
  return {
    file,
    upToDate: false,
    reason: 'different',
    summary: summarizeTemplateChanges(current, content),
    diff: shortDiff(current, content, { old: `${file} (on disk)`, new: `${file} (generated)` }),
  }
}

/**
 * Names the templates that were added, removed or changed between two generated modules, read from their
 * descriptor constants (slug and manifest hash, printed as the first two members by this package).
 */
export function summarizeTemplateChanges(oldText: string, newText: string): string {
  const before = readDescriptors(oldText)
  const after = readDescriptors(newText)
  const added = [...after.keys()].filter((s) => !before.has(s))
  const removed = [...before.keys()].filter((s) => !after.has(s))
  const both = [...after.keys()].filter((s) => before.has(s))
  const changed = both.filter((s) => before.get(s)!.hash !== after.get(s)!.hash)
  const repinned = both.filter((s) => before.get(s)!.hash === after.get(s)!.hash && before.get(s)!.version !== after.get(s)!.version)
  const parts: string[] = []
  if (added.length > 0) parts.push(`added ${list(added)}`)
  if (removed.length > 0) parts.push(`removed ${list(removed)}`)
  if (changed.length > 0) parts.push(`manifest changed: ${list(changed)}`)
  if (repinned.length > 0) parts.push(`version pin changed: ${list(repinned)}`)
  if (parts.length === 0) return 'same templates and manifests; names, docs, pins or the generator differ'
  return parts.join('; ')
}

function list(slugs: string[]): string {
  const shown = slugs.slice(0, 10).join(', ')
  return slugs.length > 10 ? `${shown} and ${slugs.length - 10} more` : shown
}

function readDescriptors(text: string): Map<string, { hash: string; version: string | undefined }> {
  const out = new Map<string, { hash: string; version: string | undefined }>()
  const pattern = /^export const \w+: TemplateDescriptor = \{\n {2}slug: '([a-z0-9-]+)',\n {2}manifestHash: '([0-9a-f]+)',\n(?: {2}versionNumber: (\d+),\n)?/gm
  for (const m of text.matchAll(pattern)) out.set(m[1]!, { hash: m[2]!, version: m[3] })
  return out
}

/** Whether `file` holds exactly `bytes`; a different size answers without reading the file. */
async function sameContent(file: string, bytes: Buffer): Promise<boolean> {
  try {
    if ((await stat(file)).size !== bytes.length) return false
    return bytes.equals(await readFile(file))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw error
  }
}

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}
