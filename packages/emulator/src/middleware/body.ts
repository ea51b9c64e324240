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
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    const detail = error instanceof SyntaxError ? `: ${error.message.slice(0, 200)}` : ''
    throw new EmulatorError(400, 'invalid_json', `Request body is not valid JSON${detail}`)
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
