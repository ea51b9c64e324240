/** Image bytes larger than this fail the render rather than exhaust memory. */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024

export type FetchImage = (url: string, signal: AbortSignal) => Promise<Uint8Array>

/** The default `fetchImage`: global fetch, following redirects; a non-2xx status is an error. */
export const fetchImageDefault: FetchImage = async (url, signal) => {
  const res = await fetch(url, { signal, redirect: 'follow', headers: { accept: 'image/png,image/jpeg,image/*;q=0.8' } })
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined)
    throw new Error(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`)
  }
  const length = Number(res.headers.get('content-length') ?? 0)
  if (length > MAX_IMAGE_BYTES) {
    await res.body?.cancel().catch(() => undefined)
    throw new Error(`the image is larger than ${MAX_IMAGE_BYTES / 1024 / 1024} MB`)
  }
  return new Uint8Array(await res.arrayBuffer())
}

/** `png`, `jpeg`, or the reason the bytes are not an image pdfkit can embed. */
export function sniffImage(bytes: Uint8Array): { type: 'png' | 'jpeg' } | { error: string } {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return { type: 'png' }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return { type: 'jpeg' }
  if (bytes.length === 0) return { error: 'the response was empty' }
  const head = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart().toLowerCase()
  if (head.startsWith('<svg') || head.startsWith('<?xml')) return { error: 'SVG images are not supported (use PNG or JPEG)' }
  if (head.startsWith('<')) return { error: 'the response is HTML, not an image' }
  if (head.startsWith('gif8')) return { error: 'GIF images are not supported (use PNG or JPEG)' }
  if (head.startsWith('riff')) return { error: 'WebP images are not supported (use PNG or JPEG)' }
  return { error: 'the response is not a PNG or JPEG image' }
}

/** Decodes a `data:image/…;base64,` URI (accepted in Canvas layouts, API.md §5.2). */
export function decodeDataUri(src: string): Uint8Array | undefined {
  const m = /^data:image\/[a-z0-9.+-]+;base64,([a-z0-9+/=\s]*)$/i.exec(src.trim())
  return m ? new Uint8Array(Buffer.from(m[1]!, 'base64')) : undefined
}

/** The URL without its query and fragment, for messages (signed URLs carry secrets there). */
export function describeUrl(src: string): string {
  if (/^data:/i.test(src)) return 'a data: URI'
  try {
    const u = new URL(src)
    return `${u.origin}${u.pathname}`
  } catch {
    return JSON.stringify(src.slice(0, 200))
  }
}

/**
 * Fetches one image with a deadline. The timeout is enforced here too, so a `fetchImage` that ignores its signal
 * still cannot stall the render.
 */
export async function fetchWithTimeout(fetchImage: FetchImage, url: string, timeoutMs: number): Promise<Uint8Array> {
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new Error(`no response within ${timeoutMs} ms`)
      err.name = 'TimeoutError'
      controller.abort(err)
      reject(err)
    }, timeoutMs)
  })
  try {
    return await Promise.race([fetchImage(url, controller.signal), timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** A readable reason for a failed fetch (undici hides the useful part in `cause`). */
export function describeFetchError(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: { code?: string; message?: string } }
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no response within ${timeoutMs} ms`
  const code = e?.cause?.code
  if (code === 'ECONNREFUSED') return 'connection refused'
  if (code === 'ENOTFOUND') return 'host not found'
  if (code) return e.cause?.message ? `${code}: ${e.cause.message}` : code
  return e?.message ?? String(err)
}
