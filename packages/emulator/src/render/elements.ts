/** The renderer's intermediate form: layouts become a flat list of these, then `draw.ts` lays them out. */
export type Align = 'left' | 'center' | 'right' | 'justify'

export interface TextStyle {
  align?: Align
  fontSize?: number
  bold?: boolean
  color?: string
}

export type Element =
  | { kind: 'title'; text: string }
  | { kind: 'heading'; text: string; level: number; style?: TextStyle }
  | { kind: 'text'; text: string; style?: TextStyle }
  | { kind: 'field'; label: string; value: string; link?: string }
  | {
      kind: 'image'
      src: string
      /** Names the image in error messages: `image "Signature" (handover.signatureUrl)`. */
      source: string
      label?: string
      width?: number
      height?: number
      align?: Align
    }
  | { kind: 'table'; title?: string; header: string[]; rows: string[][]; /** Per column; numbers align right. */ align?: Align[] }
  | { kind: 'divider'; color?: string; thickness?: number }
  | { kind: 'button'; label: string; href?: string; align?: Align; color?: string; backgroundColor?: string }
  | { kind: 'row'; columns: { weight: number; elements: Element[] }[] }
  | { kind: 'pageBreak' }

/** Every image element, in document order, including those inside rows. */
export function collectImages(elements: Element[], out: Extract<Element, { kind: 'image' }>[] = []): Extract<Element, { kind: 'image' }>[] {
  for (const el of elements) {
    if (el.kind === 'image') out.push(el)
    else if (el.kind === 'row') for (const col of el.columns) collectImages(col.elements, out)
  }
  return out
}
