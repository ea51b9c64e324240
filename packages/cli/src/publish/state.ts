/**
 * @module Publish records per target (`<root>/.galley/state/<target-id>.json`): what each successful PUT
 * published (content, pageConfig and layout hashes) and the version it produced. Craftkit never returns layout or
 * pageConfig, so these records are the only way to tell whether they changed; they are trusted only while the
 * remote version still equals the recorded one.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { PublishRecord } from '@galley/core'

export interface StateRecord extends PublishRecord {
  /** The remote `updatedAt` seen for this version (filled by a list after publishing); lets a plan skip the GET. */
  updatedAt?: string
  publishedAt: string
}

export interface PublishState {
  formatVersion: 1
  target: string
  templates: Record<string, StateRecord>
}

export function stateFile(root: string, targetId: string): string {
  return join(root, '.galley', 'state', `${targetId}.json`)
}

/** Reads the records; a missing or unreadable file is an empty state (records are a cache, never the truth). */
export function loadState(root: string, targetId: string, targetName: string): PublishState {
  try {
    const parsed = JSON.parse(readFileSync(stateFile(root, targetId), 'utf8')) as PublishState
    if (parsed.formatVersion === 1 && parsed.templates && typeof parsed.templates === 'object') return parsed
  } catch {
    // fall through: no records
  }
  return { formatVersion: 1, target: targetName, templates: {} }
}

/** Writes the records atomically (temp file + rename in the same folder). */
export function saveState(root: string, targetId: string, state: PublishState): void {
  const file = stateFile(root, targetId)
  mkdirSync(dirname(file), { recursive: true })
  const sorted: PublishState = {
    formatVersion: 1,
    target: state.target,
    templates: Object.fromEntries(Object.keys(state.templates).sort().map((slug) => [slug, state.templates[slug]!])),
  }
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  writeFileSync(tmp, `${JSON.stringify(sorted, null, 2)}\n`)
  renameSync(tmp, file)
}
