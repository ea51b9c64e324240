import type { Manifest } from '@galley/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderDocument, RenderFailure } from '../src/render/index.ts'
import { flat, makeJpeg, makePng, readPdf, startLocalServer, type LocalServer } from './render-helpers.ts'

const manifest: Manifest = {
  variables: [
    { key: 'ref', label: 'Reference', dataType: 'text' },
    { key: 'inspector.signatureUrl', label: 'Signature', dataType: 'image' },
  ],
  loops: [],
}

const png = makePng(40, 20)

let server: LocalServer
let hanging: LocalServer
beforeAll(async () => {
  server = await startLocalServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    if (path === '/sig.png') {
      res.writeHead(200, { 'content-type': 'image/png' }).end(png)
    } else if (path === '/photo.jpg') {
      res.writeHead(200, { 'content-type': 'image/jpeg' }).end(makeJpeg())
    } else if (path === '/page.html') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html><body>not an image</body></html>')
    } else if (path === '/anim.gif') {
      res.writeHead(200, { 'content-type': 'image/gif' }).end(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'))
    } else if (path === '/broken.png') {
      res.writeHead(200, { 'content-type': 'image/png' }).end(png.subarray(0, 30))
    } else if (path === '/redirect.png') {
      res.writeHead(302, { location: '/sig.png' }).end()
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('missing')
    }
  })
  // Accepts the request and never answers.
  hanging = await startLocalServer(() => {})
})
afterAll(async () => {
  await server.close()
  await hanging.close()
})

const render = (url: string, options = {}) =>
  renderDocument({ name: 'Signed', manifest, pageConfig: null, layout: null, templateType: 'document', data: { ref: 'R-1', inspector: { signatureUrl: url } } }, options)

/** Image XObjects in the PDF (pdfkit writes `/Subtype /Image`). */
function imageCount(pdf: Uint8Array): number {
  return Buffer.from(pdf).toString('latin1').split('/Subtype /Image').length - 1
}

describe('renderDocument: images', () => {
  it('fetches an image variable from its URL over real HTTP and embeds it', async () => {
    const before = server.requests.length
    const pdf = await render(`${server.url}/sig.png?token=abc`)
    expect(server.requests.slice(before).map((r) => r.url)).toEqual(['/sig.png?token=abc'])
    expect(imageCount(pdf)).toBe(1)
    const s = flat((await readPdf(pdf)).text)
    expect(s).toContain('Signature')
    expect(s).toContain('R-1')
  })

  it('embeds a JPEG as is (DCTDecode)', async () => {
    const pdf = await render(`${server.url}/photo.jpg`)
    expect(imageCount(pdf)).toBe(1)
    expect(Buffer.from(pdf).toString('latin1')).toContain('/DCTDecode')
  })

  it('follows redirects', async () => {
    expect(imageCount(await render(`${server.url}/redirect.png`))).toBe(1)
  })

  it('renders without an image when the optional image variable is absent', async () => {
    const pdf = await renderDocument({ name: 'Unsigned', manifest, pageConfig: null, layout: null, templateType: 'document', data: { ref: 'R-2' } })
    expect(imageCount(pdf)).toBe(0)
    expect(flat((await readPdf(pdf)).text)).toContain('R-2')
  })

  it('fails with RenderFailure on a 404, naming the variable and the URL without its query', async () => {
    const err = await render(`${server.url}/missing.png?secret=s3cr3t`).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RenderFailure)
    const message = (err as Error).message
    expect(message).toContain('HTTP 404')
    expect(message).toContain('Signature')
    expect(message).toContain('inspector.signatureUrl')
    expect(message).toContain(`${server.url}/missing.png`)
    expect(message).not.toContain('s3cr3t')
  })

  it('fails with RenderFailure when the host is unreachable', async () => {
    const gone = await startLocalServer(() => {})
    const url = `${gone.url}/sig.png`
    await gone.close()
    await expect(render(url)).rejects.toThrow(RenderFailure)
    await expect(render(url)).rejects.toThrow(/could not be fetched .*connection refused/)
  })

  it('fails with RenderFailure when the server does not answer within the timeout', async () => {
    const err = await render(`${hanging.url}/slow.png`, { imageTimeoutMs: 300 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RenderFailure)
    expect((err as Error).message).toContain('no response within 300 ms')
    expect(hanging.requests.map((r) => r.url)).toContain('/slow.png')
  })

  it('enforces the timeout even when fetchImage ignores its signal', async () => {
    const err = await render('https://images.example/never.png', { imageTimeoutMs: 100, fetchImage: () => new Promise<Uint8Array>(() => {}) }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RenderFailure)
    expect((err as Error).message).toMatch(/no response within 100 ms/)
  })

  it.each([
    ['/page.html', /HTML, not an image/],
    ['/anim.gif', /GIF images are not supported/],
    ['/broken.png', /could not be decoded/],
  ])('fails with RenderFailure on an unusable image (%s)', async (path, message) => {
    const err = await render(`${server.url}${path}`).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RenderFailure)
    expect((err as Error).message).toMatch(message)
  })

  it('uses an injected fetchImage', async () => {
    const seen: string[] = []
    const pdf = await render('https://cdn.example/sig.png', {
      fetchImage: async (url: string, signal: AbortSignal) => {
        seen.push(url)
        expect(signal).toBeInstanceOf(AbortSignal)
        return new Uint8Array(png)
      },
    })
    expect(seen).toEqual(['https://cdn.example/sig.png'])
    expect(imageCount(pdf)).toBe(1)
  })

  it('renders Canvas image blocks from a placeholder src and from a data: URI', async () => {
    const layout = {
      sections: [
        {
          rows: [
            {
              columns: [
                {
                  blocks: [
                    { type: 'text', props: { content: 'Ref {{ ref }}' } },
                    { type: 'image', props: { src: '{{ inspector.signatureUrl }}', width: 120, align: 'center' } },
                    { type: 'image', props: { src: `data:image/png;base64,${makePng(4, 4, [0, 0, 255]).toString('base64')}` } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    }
    const pdf = await renderDocument({
      name: 'Canvas',
      manifest,
      pageConfig: null,
      layout,
      templateType: 'document',
      data: { ref: 'R-3', inspector: { signatureUrl: `${server.url}/sig.png` } },
    })
    expect(imageCount(pdf)).toBe(2)
    expect(flat((await readPdf(pdf)).text)).toContain('Ref R-3')
  })
})
