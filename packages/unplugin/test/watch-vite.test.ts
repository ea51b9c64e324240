import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createLogger, createServer, type HotPayload, type Plugin, type ViteDevServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import galleyVite from '../src/vite.ts'
import { BROKEN_YAML, galleyGenerate, makeProject, read, removeProject, waitFor, workOrderTemplate } from './utils.ts'

// Vite's dev server with the plugin's own watcher: a template added, changed and deleted, and a YAML error in
// between, each followed by the generated file and by the module the SSR environment serves, with no restart.
let dir: string
let server: ViteDevServer
const sent: HotPayload[] = []
const logged: string[] = []

/** Records what goes to the browser over the client environment's hot channel (the overlay, reloads). */
const recordHotChannel: Plugin = {
  name: 'test:record-hot-channel',
  enforce: 'pre',
  configureServer(devServer) {
    const hot = devServer.environments.client.hot
    const send = hot.send.bind(hot)
    hot.send = ((payload: HotPayload) => {
      sent.push(payload)
      return send(payload)
    }) as typeof hot.send
  },
}

beforeAll(async () => {
  dir = makeProject('watch-vite')
  writeFileSync(join(dir, 'entry.ts'), "export * from './craftkit.gen'\n")
  const logger = createLogger('silent')
  logger.error = (message) => void logged.push(message)
  server = await createServer({
    root: dir,
    configFile: false,
    customLogger: logger,
    appType: 'custom',
    server: { middlewareMode: true, ws: false, watch: null },
    plugins: [recordHotChannel, galleyVite()],
  })
})

afterAll(async () => {
  await server?.close()
  removeProject(dir)
})

const generatedFile = () => join(dir, 'craftkit.gen.ts')
const load = () => server.ssrLoadModule('/entry.ts') as Promise<Record<string, unknown>>
const templateDir = () => join(dir, 'templates/work-order')

describe('vite dev server', () => {
  it('generates on start and serves the module to SSR', async () => {
    const mod = await load()
    expect(typeof mod.renderCharterHandover).toBe('function')
    expect(mod.renderWorkOrder).toBeUndefined()
  })

  it('follows a new template without a restart', async () => {
    mkdirSync(templateDir(), { recursive: true })
    writeFileSync(join(templateDir(), 'template.yaml'), workOrderTemplate('number'))
    await waitFor(() => read(generatedFile()).includes('renderWorkOrder'), 'the new template in the generated file')
    const mod = await waitFor(async () => {
      const m = await load()
      return typeof m.renderWorkOrder === 'function' ? m : null
    }, 'renderWorkOrder from the SSR module')
    expect(read(generatedFile())).toContain('hours?: number')
    expect(read(generatedFile())).toBe(galleyGenerate(dir, '.expected.gen.ts'))
    expect(sent.some((p) => p.type === 'full-reload')).toBe(true)
    expect((mod.workOrderDescriptor as { slug: string }).slug).toBe('work-order')
  })

  it("follows a variable's type change", async () => {
    const before = ((await load()).workOrderDescriptor as { manifestHash: string }).manifestHash
    writeFileSync(join(templateDir(), 'template.yaml'), workOrderTemplate('text'))
    await waitFor(() => read(generatedFile()).includes('hours?: string'), 'the new type in the generated file')
    await waitFor(async () => ((await load()).workOrderDescriptor as { manifestHash: string }).manifestHash !== before, 'the new manifest hash from the SSR module')
    expect(read(generatedFile())).toBe(galleyGenerate(dir, '.expected.gen.ts'))
  })

  it('reports a YAML error to the overlay and the terminal, keeps serving, and recovers on the fix', async () => {
    const good = read(generatedFile())
    const errorsBefore = sent.filter((p) => p.type === 'error').length
    writeFileSync(join(templateDir(), 'template.yaml'), BROKEN_YAML)
    const overlay = await waitFor(() => sent.filter((p) => p.type === 'error')[errorsBefore], 'an error on the overlay channel')
    if (overlay.type !== 'error') throw new Error('unreachable')
    expect(overlay.err.message).toContain('templates/work-order/template.yaml:')
    expect(overlay.err.plugin).toBe('galley')
    expect(overlay.err.loc?.file).toBe(join(templateDir(), 'template.yaml'))
    await waitFor(() => logged.some((m) => m.includes('templates/work-order/template.yaml:')), 'the error in the terminal')
    // The server survives: the last good module is still there and still served.
    expect(read(generatedFile())).toBe(good)
    expect(typeof (await load()).renderWorkOrder).toBe('function')

    const reloadsBefore = sent.filter((p) => p.type === 'full-reload').length
    writeFileSync(join(templateDir(), 'template.yaml'), workOrderTemplate('number'))
    await waitFor(() => read(generatedFile()).includes('hours?: number'), 'the fixed template in the generated file')
    await waitFor(() => sent.filter((p) => p.type === 'full-reload').length > reloadsBefore, 'a reload that clears the overlay')
    expect(typeof (await load()).renderWorkOrder).toBe('function')
  })

  it('follows a deleted template', async () => {
    rmSync(templateDir(), { recursive: true, force: true })
    await waitFor(() => !read(generatedFile()).includes('renderWorkOrder'), 'the template gone from the generated file')
    await waitFor(async () => (await load()).renderWorkOrder === undefined, 'renderWorkOrder gone from the SSR module')
    expect(typeof (await load()).renderCharterHandover).toBe('function')
    expect(read(generatedFile())).toBe(galleyGenerate(dir, '.expected.gen.ts'))
  })
})
