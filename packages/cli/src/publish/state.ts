/**
 * @module Publish records per target (`<root>/.galley/state/<target-id>.json`): what each successful PUT
 * published (content, pageConfig and layout hashes) and the version it produced. Craftkit never returns layout or
 * pageConfig, so these records are the only way to tell whether they changed; they are trusted only while the
 * remote version still equals the recorded one.
 */
import { appendFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { writeFileAtomic } from '@galley/codegen'
import type { Manifest, PublishRecord } from '@galley/core'
import type { Target } from '../target.ts'

export interface StateRecord extends PublishRecord {
  /** The template id the PUT answered with: a record of a template that was deleted and re-created is void. */
  id?: string
  /** The remote `updatedAt` seen for this version (filled by a list after publishing); lets a plan skip the GET. */
  updatedAt?: string
  publishedAt: string
  /**
   * The observable fields that were published (canonical manifest). While the listed version and updatedAt
   * still equal the record, a plan diffs against these instead of a GET: one list request covers every template.
   */
  published?: { name: string; description: string | null; manifest: Manifest }
}

export interface PublishState {
  formatVersion: 1
  target: string
  templates: Record<string, StateRecord>
}

export function stateFile(root: string, targetId: string): string {
  return join(root, '.galley', 'state', `${targetId}.json`)
}

/** The journal beside the state file: one line per write since the last compaction. */
export function journalFile(root: string, targetId: string): string {
  return join(root, '.galley', 'state', `${targetId}.journal.jsonl`)
}

/**
 * Reads the records: the state file, then the journal of writes recorded since (a run that died half-way left
 * them there). A missing or unreadable file is an empty state: records are a cache, never the truth.
 */
export function loadState(root: string, targetId: string, targetName: string): PublishState {
  let state: PublishState = { formatVersion: 1, target: targetName, templates: {} }
  try {
    const parsed = JSON.parse(readFileSync(stateFile(root, targetId), 'utf8')) as PublishState
    if (parsed.formatVersion === 1 && parsed.templates && typeof parsed.templates === 'object') state = parsed
  } catch {
    // no records
  }
  let journal = ''
  try {
    journal = readFileSync(journalFile(root, targetId), 'utf8')
  } catch {
    return state
  }
  for (const line of journal.split('\n')) {
    if (!line) continue
    try {
      const entry = JSON.parse(line) as { slug: string; record: StateRecord | null }
      if (entry.record) state.templates[entry.slug] = entry.record
      else delete state.templates[entry.slug]
    } catch {
      // a line cut off by a crash: ignore it
    }
  }
  return state
}

/**
 * Records one write at once: updates `state` and appends a line to the journal (cheap and durable, so a publish
 * of hundreds of templates does not rewrite the whole file after every PUT). `saveState` compacts.
 */
export function recordWrite(root: string, targetId: string, state: PublishState, slug: string, record: StateRecord | null): void {
  if (record) state.templates[slug] = record
  else delete state.templates[slug]
  const file = journalFile(root, targetId)
  mkdirSync(dirname(file), { recursive: true })
  appendFileSync(file, `${JSON.stringify({ slug, record })}\n`)
}

/** Writes the records atomically (temp file + rename in the same folder), then drops the journal. */
export async function saveState(root: string, targetId: string, state: PublishState): Promise<void> {
  const file = stateFile(root, targetId)
  const sorted: PublishState = {
    formatVersion: 1,
    target: state.target,
    templates: Object.fromEntries(Object.keys(state.templates).sort().map((slug) => [slug, state.templates[slug]!])),
  }
  await writeFileAtomic(file, `${JSON.stringify(sorted, null, 2)}\n`)
  rmSync(journalFile(root, targetId), { force: true })
}

/** One list after publishing records each new version's updatedAt, so the next plan needs no GETs. */
export async function recordUpdatedAt(target: Pick<Target, 'client'>, state: PublishState): Promise<void> {
  try {
    const listed = await target.client.templates.list()
    for (const t of listed) {
      const record = state.templates[t.slug]
      if (record && record.versionNumber === t.currentVersionNumber) record.updatedAt = t.updatedAt
    }
  } catch {
    // Only an optimisation: the next plan reads those templates instead.
  }
}
