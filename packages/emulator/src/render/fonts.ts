import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

/** Font names registered on every document. */
export const FONT_REGULAR = 'Galley-Sans'
export const FONT_BOLD = 'Galley-Sans-Bold'

/** What `doc.registerFont` takes: a parsed fontkit font when available, else the TTF bytes. */
export type FontSource = Buffer | { layout: (...args: unknown[]) => unknown }

export interface FontFiles {
  regular: FontSource
  bold: FontSource
}

let cached: FontFiles | undefined

/**
 * DejaVu Sans (Latin, Greek, Cyrillic and much more) from the `dejavu-fonts-ttf` package, resolved with
 * `createRequire` from this module so it works from `src` under vitest and from `dist` once built.
 *
 * The fonts are parsed once with pdfkit's own fontkit and the parsed fonts are shared by every document: pdfkit
 * accepts a fontkit font in `registerFont`, and parsing the 750 KB TTF per document cost about 15 ms of a 20 ms
 * invoice render. Subsets stay per document (pdfkit's `EmbeddedFont`), so output does not change.
 */
export function loadFonts(): FontFiles {
  if (cached) return cached
  const require = createRequire(import.meta.url)
  const file = (name: string): Buffer => readFileSync(require.resolve(`dejavu-fonts-ttf/ttf/${name}`))
  const regular = file('DejaVuSans.ttf')
  const bold = file('DejaVuSans-Bold.ttf')
  let parse: (b: Buffer) => FontSource = (b) => b
  try {
    const fontkit = createRequire(require.resolve('pdfkit'))('fontkit') as { create?: (b: Buffer) => FontSource }
    if (typeof fontkit.create === 'function') parse = (b) => fontkit.create!(b)
  } catch {
    // pdfkit's fontkit not resolvable from here: pdfkit parses the bytes per document instead.
  }
  cached = { regular: parse(regular), bold: parse(bold) }
  return cached
}
