import { createReadStream, existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'

/** Rendered PDFs as files: `<dataDir>/renders/<render id>.pdf`, written atomically (temp file + rename). */
export class PdfFiles {
  readonly dir: string
  constructor(dataDir: string) {
    this.dir = join(dataDir, 'renders')
    mkdirSync(this.dir, { recursive: true })
  }

  path(renderId: string): string {
    return join(this.dir, `${renderId}.pdf`)
  }

  write(renderId: string, pdf: Uint8Array): void {
    const tmp = `${this.path(renderId)}.tmp-${process.pid}`
    writeFileSync(tmp, pdf)
    renameSync(tmp, this.path(renderId))
  }

  /** The file as a web stream and its size, or undefined when it is not there. */
  open(renderId: string): { stream: ReadableStream<Uint8Array>; size: number } | undefined {
    const path = this.path(renderId)
    if (!existsSync(path)) return undefined
    const size = statSync(path).size
    return { stream: Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>, size }
  }
}
