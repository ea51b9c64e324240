import type { Context } from 'hono'
import { EmulatorError } from '../errors.ts'

/**
 * Largest request body accepted. Craftkit documents no limit (API.md §12); 5 MB holds a 10,000-row loop of a
 * typical manifest several times over, and anything larger is answered 413 `payload_too_large`.
 */
export const DEFAULT_BODY_LIMIT_BYTES = 5 * 1024 * 1024

/**
 * Reads a JSON request body: `Content-Type` must be JSON (`application/json` or `+json`), the body at most
 * `limit` bytes, and the text valid JSON. An empty body is `{}` when `optional`.
 */
export async function readJson(c: Context, limit: number, options: { optional?: boolean } = {}): Promise<unknown> {
  const contentType = c.req.header('content-type')
  const text = await readText(c, limit)
  if (text.trim() === '') {
    if (options.optional) return {}
    throw new EmulatorError(400, 'invalid_json', 'Request body is empty: send a JSON object')
  }
  if (!contentType || !/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType)) {
    throw new EmulatorError(
      400,
      'invalid_request',
      `Unsupported Content-Type ${contentType ? `"${contentType.slice(0, 100)}"` : '(none)'}: send "Content-Type: application/json"`,
    )
  }
  let value: unknown
  try {
    value = JSON.parse(text) as unknown
  } catch (error) {
    const detail = error instanceof SyntaxError ? `: ${error.message.slice(0, 200)}` : ''
    throw new EmulatorError(400, 'invalid_json', `Request body is not valid JSON${detail}`)
  }
  if (exceedsDepth(value, MAX_JSON_DEPTH)) {
    throw new EmulatorError(400, 'invalid_request', `Request body is nested deeper than ${MAX_JSON_DEPTH} levels`)
  }
  return value
}

/**
 * Deepest nesting of arrays/objects accepted. Undocumented by Craftkit; real layouts nest about ten levels, and
 * without a bound a 5 MB `[[[[…]]]]` would overflow the stack when the body is serialised for storage.
 */
export const MAX_JSON_DEPTH = 64

/** Iterative, so the check itself cannot overflow the stack. */
function exceedsDepth(root: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[root, 1]]
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!
    if (value === null || typeof value !== 'object') continue
    if (depth > max) return true
    for (const child of Object.values(value)) stack.push([child, depth + 1])
  }
  return false
}

/**
 * Postgres text cannot hold U+0000, so strings stored in text columns are checked first: a 400 naming the
 * field instead of a 500 from the database.
 */
export function rejectNul(fields: Record<string, string | null | undefined>): void {
  for (const [field, value] of Object.entries(fields)) {
    if (typeof value === 'string' && value.includes('\u0000')) {
      throw new EmulatorError(400, 'invalid_request', `${field} must not contain NUL (U+0000) characters`, {
        formErrors: [],
        fieldErrors: { [field]: ['Must not contain NUL (U+0000) characters'] },
      })
    }
  }
}

function tooLarge(limit: number): EmulatorError {
  return new EmulatorError(
    413,
    'payload_too_large',
    `Request body is larger than ${Math.round(limit / 1024 / 1024)} MB, the emulator's limit`,
  )
}

async function readText(c: Context, limit: number): Promise<string> {
  const declared = Number(c.req.header('content-length'))
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit)
  const body = c.req.raw.body
  if (!body) return ''
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => {})
      throw tooLarge(limit)
    }
    chunks.push(value)
  }
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks))
}
