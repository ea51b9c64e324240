/**
 * The app's local outbox: sign-offs made while offline, kept in a JSON file until the server has answered for
 * them. Written atomically (temp file + rename), as a phone app's storage would be.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { CharterHandoverData } from './craftkit.gen.ts'

export interface QueuedSignOff {
  /** A local id (the app's row id; not sent to Craftkit). */
  localId: string
  queuedAt: string
  data: CharterHandoverData
}

export class Outbox {
  constructor(readonly file: string) {}

  list(): QueuedSignOff[] {
    return existsSync(this.file) ? (JSON.parse(readFileSync(this.file, 'utf8')) as QueuedSignOff[]) : []
  }

  add(item: QueuedSignOff): void {
    this.write([...this.list(), item])
  }

  /** Removes a sign-off once the server's answer for it has been received. */
  remove(localId: string): void {
    this.write(this.list().filter((i) => i.localId !== localId))
  }

  clear(): void {
    this.write([])
  }

  private write(items: QueuedSignOff[]): void {
    mkdirSync(dirname(this.file), { recursive: true })
    const tmp = `${this.file}.${process.pid}.tmp`
    writeFileSync(tmp, JSON.stringify(items, null, 2) + '\n')
    renameSync(tmp, this.file)
  }
}
