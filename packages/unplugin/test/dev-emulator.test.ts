import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createLogger, createServer, type ViteDevServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import galleyVite from '../src/vite.ts'
import { checkoutData, downloadText, makeProject, removeProject } from './utils.ts'

// `dev: { emulator: true }`: the dev server starts the local emulator, publishes the templates to it and points
// server code at it, so SSR code renders a PDF with no key set; a ck_live_ key is refused; closing the server
// stops the emulator.
let dir: string
const saved = { baseUrl: process.env.CRAFTKIT_BASE_URL, apiKey: process.env.CRAFTKIT_API_KEY }
const logs: string[] = []

function restoreEnv(): void {
  for (const [name, value] of [['CRAFTKIT_BASE_URL', saved.baseUrl], ['CRAFTKIT_API_KEY', saved.apiKey]] as const) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
}

function devServer(): Promise<ViteDevServer> {
  const logger = createLogger('silent')
  for (const level of ['info', 'warn', 'warnOnce', 'error'] as const) logger[level] = (message: string) => void logs.push(message)
  return createServer({
    root: dir,
    configFile: false,
    customLogger: logger,
    appType: 'custom',
    server: { middlewareMode: true, ws: false, watch: null },
    plugins: [galleyVite({ dev: { emulator: true } })],
  })
}

beforeAll(() => {
  delete process.env.CRAFTKIT_BASE_URL
  delete process.env.CRAFTKIT_API_KEY
  dir = makeProject('dev-emulator')
  writeFileSync(
    join(dir, 'render.ts'),
    `import { renderCharterHandover, type CharterHandoverData } from './craftkit.gen'

export async function renderCheckout(data: CharterHandoverData): Promise<{ status: string; downloadUrl: string | null }> {
  const done = await (await renderCharterHandover(data)).wait()
  return { status: done.status, downloadUrl: done.downloadUrl }
}
`,
  )
})

afterAll(() => {
  restoreEnv()
  removeProject(dir)
})

describe('dev.emulator', () => {
  it('renders a PDF from SSR code with no key set, and stops the emulator with the server', async () => {
    expect(process.env.CRAFTKIT_API_KEY).toBeUndefined()
    const server = await devServer()
    let baseUrl: string
    let key: string
    try {
      baseUrl = process.env.CRAFTKIT_BASE_URL!
      key = process.env.CRAFTKIT_API_KEY!
      expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(key.startsWith('ck_test_')).toBe(true)

      const mod = (await server.ssrLoadModule('/render.ts')) as { renderCheckout: (data: unknown) => Promise<{ status: string; downloadUrl: string }> }
      const done = await mod.renderCheckout(checkoutData())
      expect(done.status).toBe('succeeded')
      expect(await downloadText(done.downloadUrl)).toContain('BK-12345')

      // The key stays out of what the plugin writes and logs.
      expect(readFileSync(join(dir, 'craftkit.gen.ts'), 'utf8')).not.toContain(key)
      expect(logs.join('\n')).not.toContain(key)
    } finally {
      await server.close()
    }
    // The emulator is stopped, and the environment is as it was.
    await expect(fetch(`${baseUrl}/v1/templates`)).rejects.toThrow()
    expect(process.env.CRAFTKIT_BASE_URL).toBeUndefined()
    expect(process.env.CRAFTKIT_API_KEY).toBeUndefined()
  })

  it('refuses a ck_live_ key in the environment, without printing it', async () => {
    const live = `ck_live_${'a1B2c3D4'.repeat(4)}`
    process.env.CRAFTKIT_API_KEY = live
    try {
      const error = await devServer().then(
        async (server) => {
          await server.close()
          return null
        },
        (e: unknown) => e as Error,
      )
      expect(error, 'the dev server should refuse to start').not.toBeNull()
      expect(error!.message).toContain('ck_live_')
      expect(error!.message).toContain('dev.emulator')
      expect(error!.message).not.toContain(live)
      expect(logs.join('\n')).not.toContain(live)
      expect(process.env.CRAFTKIT_API_KEY).toBe(live)
    } finally {
      delete process.env.CRAFTKIT_API_KEY
    }
  })
})
