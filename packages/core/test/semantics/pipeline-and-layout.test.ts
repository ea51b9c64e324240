import { describe, expect, it } from 'vitest'
import { extractLayoutKeys, PIPELINE_CAPABILITIES, resolvePipeline } from '../../src/index.ts'

describe('resolvePipeline (API.md §6.1)', () => {
  it.each([
    [{}, 'canvas'],
    [{ layout: { sections: [] } }, 'canvas'],
    [{ layout: { pages: [] } }, 'document'],
    [{ templateType: 'pdf-overlay', layout: { pages: [] } }, 'pdf-overlay'],
    [{ templateType: 'document', layout: { sections: [] } }, 'canvas'],
  ])('%j -> %s', (input, pipeline) => {
    expect(resolvePipeline(input)).toBe(pipeline)
  })

  it('knows that only Canvas renders loops, and Document mode no data-bound images', () => {
    expect(PIPELINE_CAPABILITIES.canvas).toEqual({ loops: true, dataImages: true })
    expect(PIPELINE_CAPABILITIES.document).toEqual({ loops: false, dataImages: false })
    expect(PIPELINE_CAPABILITIES['pdf-overlay'].loops).toBe(false)
  })
})

describe('extractLayoutKeys', () => {
  it('finds placeholders with their JSON paths and attributes fields inside each blocks to the loop', () => {
    const layout = {
      sections: [
        { rows: [{ columns: [{ blocks: [{ type: 'text', props: { content: 'Booking {{ booking.code }} {{{raw}}}' } }] }] }] },
        { blocks: [{ props: { content: '{{#each areas}}{{ areaKey }} {{this.condition}} {{@index}}{{/each}} {{ after }}' } }] },
      ],
    }
    expect(extractLayoutKeys(layout).map(({ key, kind, loop }) => ({ key, kind, loop }))).toEqual([
      { key: 'booking.code', kind: 'value', loop: undefined },
      { key: 'raw', kind: 'value', loop: undefined },
      { key: 'areas', kind: 'each', loop: undefined },
      { key: 'areaKey', kind: 'value', loop: 'areas' },
      { key: 'condition', kind: 'value', loop: 'areas' },
      { key: 'after', kind: 'value', loop: undefined },
    ])
    expect(extractLayoutKeys(layout)[0]!.path).toEqual(['sections', 0, 'rows', 0, 'columns', 0, 'blocks', 0, 'props', 'content'])
  })

  it('reads the key arguments of a helper call, not the helper name', () => {
    const refs = extractLayoutKeys({ sections: ['{{formatDate handover.date "DD/MM/YYYY"}} {{upper this.name}} {{t 3 locale=en}}'] })
    expect(refs.map(({ key, helper }) => ({ key, helper }))).toEqual([
      { key: 'handover.date', helper: 'formatDate' },
      { key: 'name', helper: 'upper' },
    ])
  })
})
