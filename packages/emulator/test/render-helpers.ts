import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { deflateSync } from 'node:zlib'
import type { Manifest, PageConfig, VariableDefinition } from '@galley/core'
import { parse } from 'yaml'

export const REPO_ROOT: string = fileURLToPath(new URL('../../../', import.meta.url))

export interface LoadedTemplate {
  name: string
  manifest: Manifest
  pageConfig: PageConfig | null
  layout: unknown
}

/** Reads templates/<slug>/template.yaml (variables and item fields are maps keyed by key, in file order). */
export function loadTemplate(slug: string): LoadedTemplate {
  const doc = parse(readFileSync(`${REPO_ROOT}templates/${slug}/template.yaml`, 'utf8')) as {
    name: string
    pageConfig?: PageConfig
    layout?: unknown
    variables?: Record<string, Omit<VariableDefinition, 'key'>>
    loops?: Record<string, { label: string; itemFields: Record<string, Omit<VariableDefinition, 'key'>> }>
  }
  const fields = (m: Record<string, Omit<VariableDefinition, 'key'>> = {}): VariableDefinition[] =>
    Object.entries(m).map(([key, def]) => ({ key, ...def }))
  return {
    name: doc.name,
    pageConfig: doc.pageConfig ?? null,
    layout: doc.layout ?? null,
    manifest: {
      variables: fields(doc.variables),
      loops: Object.entries(doc.loops ?? {}).map(([key, l]) => ({ key, label: l.label, itemFields: fields(l.itemFields) })),
    },
  }
}

export function loadFixture(slug: string, name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`${REPO_ROOT}templates/${slug}/fixtures/${name}.json`, 'utf8')) as Record<string, unknown>
}

export interface PdfContent {
  pages: string[]
  text: string
  pageCount: number
  /** `[x0, y0, x1, y1]` of each page, in points. */
  mediaBoxes: number[][]
  info: Record<string, unknown>
}

/** Reads a PDF back with pdfjs (the legacy build runs on Node): text per page, page boxes, info. */
export async function readPdf(pdf: Uint8Array): Promise<PdfContent> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs')
  // pdfjs transfers the buffer it is given; hand it a copy so the caller's bytes stay usable.
  const doc = await pdfjs.getDocument({ data: pdf.slice(), verbosity: 0, isEvalSupported: false }).promise
  const pages: string[] = []
  const mediaBoxes: number[][] = []
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i)
    mediaBoxes.push([...page.view])
    const content = await page.getTextContent()
    pages.push(content.items.map((it) => ('str' in it ? it.str + (it.hasEOL ? '\n' : ' ') : '')).join(''))
  }
  const meta = await doc.getMetadata()
  const out = { pages, text: pages.join('\n'), pageCount: doc.numPages, mediaBoxes, info: meta.info as Record<string, unknown> }
  await doc.destroy()
  return out
}

/** Text with runs of whitespace collapsed, so assertions don't depend on how pdfjs splits runs. */
export function flat(text: string): string {
  return text.replace(/\s+/g, ' ')
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(buf: Buffer): number {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}

/** A real RGB PNG of `width` x `height` pixels in one colour, built from bytes. */
export function makePng(width: number, height: number, rgb: [number, number, number] = [200, 30, 30]): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 2 // colour type RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => rgb).flat())])
  const raw = Buffer.concat(Array.from({ length: height }, () => row))
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/**
 * A real baseline JPEG (8x8, one grey component, all-ones quantisation, one-code Huffman tables), built from bytes:
 * one block whose DC difference is 0 followed by end-of-block, so the entropy-coded data is the single byte 0x3f.
 */
export function makeJpeg(): Buffer {
  const segment = (marker: number, body: number[]): number[] => [0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body]
  const oneCodeTable = (tableClass: number): number[] => [(tableClass << 4) | 0, 1, ...Array<number>(15).fill(0), 0x00]
  return Buffer.from([
    0xff, 0xd8, // SOI
    ...segment(0xdb, [0x00, ...Array<number>(64).fill(1)]), // DQT
    ...segment(0xc0, [8, 0, 8, 0, 8, 1, 1, 0x11, 0]), // SOF0: 8-bit, 8x8, 1 component
    ...segment(0xc4, oneCodeTable(0)), // DHT DC: category 0 = '0'
    ...segment(0xc4, oneCodeTable(1)), // DHT AC: EOB = '0'
    ...segment(0xda, [1, 1, 0x00, 0, 63, 0]), // SOS
    0x3f, // '00' + padding ones
    0xff, 0xd9, // EOI
  ])
}

export interface LocalServer {
  url: string
  requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[]
  close(): Promise<void>
}

/** A real HTTP server on a free port; `handler` answers each request after its body was read. */
export async function startLocalServer(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<LocalServer> {
  const requests: LocalServer['requests'] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      handler(req, res, body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
