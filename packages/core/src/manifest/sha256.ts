import { createHash } from 'node:crypto'

/** sha256 (hex) of a string: the hash behind every content, manifest and publish-record hash. Not exported from the package. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}
