import PDFDocument from 'pdfkit'
import type { Element, TextStyle } from './elements.ts'
import { FONT_BOLD, FONT_REGULAR, loadFonts } from './fonts.ts'
import type { PageSetup } from './page-setup.ts'

/** An image opened by pdfkit (`doc.openImage`), untyped in @types/pdfkit. */
export interface OpenedImage {
  width: number
  height: number
}

type Doc = PDFKit.PDFDocument & { openImage(src: Buffer): OpenedImage }

/**
 * A fixed creation date: identical input gives identical bytes (pdfkit derives the file ID from the info
 * dictionary), which keeps PDFs diffable and lets tests compare them.
 */
export const PDF_CREATION_DATE: Date = new Date(Date.UTC(2000, 0, 1))

const COLORS = { text: '#111111', muted: '#555555', rule: '#cccccc', headerFill: '#eeeeee', link: '#1a4fb5', button: '#1a4fb5' }
const BODY_SIZE = 10
const LABEL_SIZE = 9
const HEADING_SIZES = [0, 18, 15, 13, 12, 11, 10]
const CELL_PAD = 4
/** Table rows drawn between two yields to the event loop, so one long render cannot stall the server. */
const ROWS_PER_YIELD = 250

/** Creates the document: page setup, fonts, fixed metadata. */
export function createPdf(setup: PageSetup, title: string): { doc: Doc; done: Promise<Uint8Array> } {
  const doc = new PDFDocument({
    size: [setup.width, setup.height],
    margins: setup.margins,
    info: { Title: title, Producer: 'Galley emulator', Creator: 'Galley emulator', CreationDate: PDF_CREATION_DATE },
    displayTitle: true,
    compress: true,
    // No default Helvetica: pdfkit would parse its AFM metrics for every document (~4% of a render), unused.
    font: null as unknown as string,
  }) as Doc
  const fonts = loadFonts()
  doc.registerFont(FONT_REGULAR, fonts.regular as Buffer)
  doc.registerFont(FONT_BOLD, fonts.bold as Buffer)
  doc.font(FONT_REGULAR).fontSize(BODY_SIZE).fillColor(COLORS.text)
  const chunks: Buffer[] = []
  doc.on('data', (c: Buffer) => chunks.push(c))
  const done = new Promise<Uint8Array>((resolve, reject) => {
    doc.on('end', () => {
      const buf = Buffer.concat(chunks)
      resolve(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength))
    })
    doc.on('error', reject)
  })
  return { doc, done }
}

/** Lays out elements top to bottom in the content box, adding pages as needed. */
export class PdfWriter {
  private readonly doc: Doc
  private readonly setup: PageSetup
  private readonly images: Map<string, OpenedImage>
  private x: number
  private width: number

  constructor(doc: Doc, setup: PageSetup, images: Map<string, OpenedImage>) {
    this.doc = doc
    this.setup = setup
    this.images = images
    this.x = setup.margins.left
    this.width = setup.width - setup.margins.left - setup.margins.right
    doc.y = setup.margins.top
  }

  private get bottom(): number {
    return this.setup.height - this.setup.margins.bottom
  }

  private get pageHeight(): number {
    return this.bottom - this.setup.margins.top
  }

  /**
   * Starts a new page unless `height` fits below the cursor. Content taller than a whole page starts where it is
   * (pdfkit flows it on), as long as a few lines still fit.
   */
  private ensureSpace(height: number): void {
    const need = height > this.pageHeight ? Math.min(height, 40) : height
    if (this.doc.y + need > this.bottom && this.doc.y > this.setup.margins.top + 0.5) {
      this.doc.addPage()
      this.doc.y = this.setup.margins.top
    }
  }

  async drawAll(elements: Element[]): Promise<void> {
    for (const el of elements) await this.draw(el)
  }

  private async draw(el: Element): Promise<void> {
    const doc = this.doc
    switch (el.kind) {
      case 'title':
        this.text(el.text, { fontSize: 20, bold: true }, 10)
        break
      case 'heading':
        doc.y += 4
        this.text(el.text, { fontSize: HEADING_SIZES[el.level] ?? 13, bold: true, ...el.style }, 6)
        break
      case 'text':
        this.text(el.text, el.style ?? {}, 6)
        break
      case 'field':
        this.field(el.label, el.value, el.link)
        break
      case 'image':
        this.image(el)
        break
      case 'table':
        await this.table(el)
        break
      case 'divider':
        this.divider(el.color, el.thickness)
        break
      case 'button':
        this.button(el)
        break
      case 'row':
        await this.row(el)
        break
      case 'pageBreak':
        doc.addPage()
        doc.y = this.setup.margins.top
        break
    }
  }

  private useStyle(style: TextStyle): number {
    const size = style.fontSize ?? BODY_SIZE
    this.doc
      .font(style.bold ? FONT_BOLD : FONT_REGULAR)
      .fontSize(size)
      .fillColor(safeColor(style.color) ?? COLORS.text)
    return size
  }

  private measureText(raw: string, style: TextStyle, width = this.width): number {
    const text = clean(raw)
    this.useStyle(style)
    // Most values are one short line: measuring the width is much cheaper than pdfkit's full line wrap.
    if (text === '' || (!text.includes('\n') && this.doc.widthOfString(text) <= width)) return this.doc.currentLineHeight(true)
    return this.doc.heightOfString(text, { width, align: style.align ?? 'left' })
  }

  private text(raw: string, style: TextStyle, gap: number): void {
    const text = clean(raw)
    const height = this.measureText(text, style)
    this.ensureSpace(height)
    this.useStyle(style)
    if (text !== '') this.doc.text(text, this.x, this.doc.y, { width: this.width, align: style.align ?? 'left' })
    else this.doc.y += height
    this.doc.y += gap
  }

  private field(rawLabel: string, rawValue: string, link?: string): void {
    const doc = this.doc
    const label = clean(rawLabel)
    const value = clean(rawValue)
    const labelWidth = Math.min(170, this.width * 0.35)
    const valueWidth = this.width - labelWidth - 8
    const h = Math.max(this.measureText(label, { fontSize: LABEL_SIZE, bold: true }, labelWidth), this.measureText(value, {}, valueWidth))
    this.ensureSpace(h)
    const y = doc.y
    this.useStyle({ fontSize: LABEL_SIZE, bold: true, color: COLORS.muted })
    doc.text(label, this.x, y + 1, { width: labelWidth })
    const afterLabel = doc.y
    const page = doc.page
    this.useStyle({ color: link ? COLORS.link : COLORS.text })
    if (value !== '') doc.text(value, this.x + labelWidth + 8, y, link ? { width: valueWidth, link } : { width: valueWidth })
    // A value longer than the page continues on the next one, and the cursor is already below it there.
    doc.y = (doc.page === page ? Math.max(doc.y, afterLabel, y + h) : doc.y) + 5
  }

  private image(el: Extract<Element, { kind: 'image' }>): void {
    const doc = this.doc
    const img = this.images.get(el.src)
    if (!img) return
    if (el.label !== undefined) {
      this.useStyle({ fontSize: LABEL_SIZE, bold: true, color: COLORS.muted })
      this.ensureSpace(doc.currentLineHeight(true) + 40)
      doc.text(el.label, this.x, doc.y, { width: this.width })
      doc.y += 2
    }
    // Explicit sizes are CSS px (the Canvas pipeline is HTML); otherwise at most the column width and 200 pt high.
    const maxW = Math.min(this.width, el.width !== undefined ? el.width * 0.75 : this.width)
    const maxH = Math.min(this.pageHeight, el.height !== undefined ? el.height * 0.75 : 200)
    const scale = Math.min(maxW / img.width, maxH / img.height, el.width !== undefined || el.height !== undefined ? Infinity : 1)
    const w = img.width * scale
    const h = img.height * scale
    this.ensureSpace(h)
    const x = el.align === 'center' ? this.x + (this.width - w) / 2 : el.align === 'right' ? this.x + this.width - w : this.x
    doc.image(img as unknown as Buffer, x, doc.y, { width: w, height: h })
    doc.y += h + 8
  }

  private divider(color?: string, thickness?: number): void {
    const doc = this.doc
    const t = Math.min(thickness ?? 1, 20)
    this.ensureSpace(t + 12)
    const y = doc.y + 6
    doc.save().moveTo(this.x, y).lineTo(this.x + this.width, y).lineWidth(t).strokeColor(safeColor(color) ?? COLORS.rule).stroke().restore()
    doc.y = y + t + 6
  }

  private button(el: Extract<Element, { kind: 'button' }>): void {
    const doc = this.doc
    const label = clean(el.label)
    this.useStyle({ bold: true })
    const w = Math.min(this.width, doc.widthOfString(label) + 24)
    const h = doc.currentLineHeight(true) + 12
    this.ensureSpace(h + 6)
    const x = el.align === 'center' ? this.x + (this.width - w) / 2 : el.align === 'right' ? this.x + this.width - w : this.x
    const y = doc.y
    doc.save().roundedRect(x, y, w, h, 4).fill(safeColor(el.backgroundColor) ?? COLORS.button).restore()
    this.useStyle({ bold: true, color: safeColor(el.color) ?? '#ffffff' })
    doc.text(label, x + 12, y + 6, { width: w - 24, lineBreak: false })
    if (el.href) doc.link(x, y, w, h, el.href)
    doc.y = y + h + 8
  }

  /** A loop as a table: bold header row, a row per item, the header repeated at the top of every new page. */
  private async table(el: Extract<Element, { kind: 'table' }>): Promise<void> {
    const doc = this.doc
    if (el.title) this.text(el.title, { fontSize: 12, bold: true }, 4)
    const n = Math.max(1, el.header.length)
    const colW = this.width / n
    const cellW = colW - 2 * CELL_PAD
    const rowHeight = (raw: string[], bold: boolean): number => {
      const cells = raw.map(clean)
      this.useStyle({ fontSize: LABEL_SIZE, bold })
      let h = doc.currentLineHeight(true)
      for (const c of cells) {
        if (c !== '' && (c.includes('\n') || doc.widthOfString(c) > cellW)) h = Math.max(h, doc.heightOfString(c, { width: cellW }))
      }
      return Math.min(h, this.pageHeight / 2) + 2 * CELL_PAD
    }
    const drawRow = (raw: string[], bold: boolean, h: number): void => {
      const cells = raw.map(clean)
      const y = doc.y
      if (bold) doc.save().rect(this.x, y, this.width, h).fill(COLORS.headerFill).restore()
      this.useStyle({ fontSize: LABEL_SIZE, bold })
      cells.forEach((c, i) => {
        // A cell taller than half a page is cut with an ellipsis rather than spilling onto the next page.
        if (c !== '') {
          const align = el.align?.[i] ?? 'left'
          doc.text(c, this.x + i * colW + CELL_PAD, y + CELL_PAD, { width: cellW, height: h - 2 * CELL_PAD, ellipsis: true, align })
        }
      })
      doc.save().moveTo(this.x, y + h).lineTo(this.x + this.width, y + h).lineWidth(0.5).strokeColor(COLORS.rule).stroke().restore()
      doc.y = y + h
    }
    const headerH = rowHeight(el.header, true)
    const header = (): void => drawRow(el.header, true, headerH)
    const firstRowH = el.rows[0] ? rowHeight(el.rows[0], false) : 0
    this.ensureSpace(headerH + firstRowH)
    header()
    for (let i = 0; i < el.rows.length; i++) {
      const cells = el.rows[i]!
      const h = i === 0 ? firstRowH : rowHeight(cells, false)
      if (doc.y + h > this.bottom) {
        doc.addPage()
        doc.y = this.setup.margins.top
        header()
      }
      drawRow(cells, false, h)
      if (i % ROWS_PER_YIELD === ROWS_PER_YIELD - 1) await new Promise((resolve) => setImmediate(resolve))
    }
    doc.y += 10
  }

  /**
   * Columns side by side when the whole row fits on the page; otherwise (tall content, or tables that paginate)
   * the columns are stacked, so nothing overlaps across a page break.
   */
  private async row(el: Extract<Element, { kind: 'row' }>): Promise<void> {
    const total = el.columns.reduce((s, c) => s + c.weight, 0)
    const gutter = 12
    const usable = this.width - gutter * (el.columns.length - 1)
    const widths = el.columns.map((c) => (usable * c.weight) / total)
    const heights = el.columns.map((c, i) => this.measureColumn(c.elements, widths[i]!))
    const tallest = Math.max(...heights.map((h) => h ?? Infinity))
    if (!Number.isFinite(tallest) || tallest > this.pageHeight) {
      for (const col of el.columns) await this.drawAll(col.elements)
      return
    }
    this.ensureSpace(tallest)
    const top = this.doc.y
    const saved = { x: this.x, width: this.width }
    let x = this.x
    for (let i = 0; i < el.columns.length; i++) {
      this.x = x
      this.width = widths[i]!
      this.doc.y = top
      await this.drawAll(el.columns[i]!.elements)
      x += widths[i]! + gutter
    }
    this.x = saved.x
    this.width = saved.width
    this.doc.y = top + tallest
  }

  /** The height a column would take, or undefined when it holds something that paginates by itself. */
  private measureColumn(elements: Element[], width: number): number | undefined {
    let h = 0
    for (const el of elements) {
      switch (el.kind) {
        case 'title':
          h += this.measureText(el.text, { fontSize: 20, bold: true }, width) + 10
          break
        case 'heading':
          h += this.measureText(el.text, { fontSize: HEADING_SIZES[el.level] ?? 13, bold: true, ...el.style }, width) + 10
          break
        case 'text':
          h += this.measureText(el.text, el.style ?? {}, width) + 6
          break
        case 'field': {
          const lw = Math.min(170, width * 0.35)
          h += Math.max(this.measureText(el.label, { fontSize: LABEL_SIZE, bold: true }, lw), this.measureText(el.value, {}, width - lw - 8)) + 5
          break
        }
        case 'divider':
          h += Math.min(el.thickness ?? 1, 20) + 12
          break
        case 'button':
          h += this.measureText(el.label, { bold: true }, width) + 26
          break
        case 'image': {
          const img = this.images.get(el.src)
          if (!img) break
          const maxW = Math.min(width, el.width !== undefined ? el.width * 0.75 : width)
          const maxH = Math.min(this.pageHeight, el.height !== undefined ? el.height * 0.75 : 200)
          const scale = Math.min(maxW / img.width, maxH / img.height, el.width !== undefined || el.height !== undefined ? Infinity : 1)
          h += img.height * scale + 8 + (el.label !== undefined ? 14 : 0)
          break
        }
        default:
          return undefined
      }
    }
    return h
  }
}

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g

/** Drops control characters (data may carry NULs or form feeds) and normalises CRLF; keeps tabs and newlines. */
function clean(s: string): string {
  return /[\u0000-\u001f\u007f]/.test(s) ? s.replace(/\r\n?/g, '\n').replace(CONTROL, '') : s
}

/** Hex (`#abc`, `#aabbcc`) and plain CSS names only; anything else (`var(--x)`, classes) gets the default. */
function safeColor(c: string | undefined): string | undefined {
  if (c === undefined) return undefined
  return /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(c) || /^[a-z]{3,20}$/i.test(c) ? c : undefined
}

