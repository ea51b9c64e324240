import { createHash, randomBytes } from 'node:crypto'

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** A random string of `length` base62 characters. */
export function randomBase62(length: number): string {
  // 248 = 4 * 62: bytes at or above it are rejected so every character is equally likely.
  let out = ''
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 248 && out.length < length) out += BASE62[b % 62]
    }
  }
  return out
}

/** A UUIDv7 (time-ordered, 74 random bits), the id format of Craftkit renders (API.md §4). */
export function uuidv7(now: number = Date.now()): string {
  const bytes = randomBytes(16)
  bytes.writeUIntBE(now, 0, 6)
  bytes[6] = (bytes[6]! & 0x0f) | 0x70
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Hex SHA-256: how project keys are stored (API.md §2). */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex')
}

/** Project keys: `ck_live_…` or `ck_test_…` (API.md §2). */
export const API_KEY_PATTERN = /^ck_(?:live|test)_[A-Za-z0-9_-]{1,200}$/

/** A new test-flavour project key. */
export function generateApiKey(): string {
  return `ck_test_${randomBase62(32)}`
}

/** Display prefix of a key, e.g. `ck_test_aBcDe` (API.md §2): safe to store and show. */
export function keyPrefix(key: string): string {
  const m = /^(ck_(?:live|test)_)(.*)$/.exec(key)
  return m ? `${m[1]}${m[2]!.slice(0, 5)}` : key.slice(0, 5)
}
