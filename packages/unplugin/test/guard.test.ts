import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as esbuild from 'esbuild'
import { build as viteBuild } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import galleyEsbuild from '../src/esbuild.ts'
import galleyVite from '../src/vite.ts'
import galleyWebpack from '../src/webpack.ts'
import { runWebpack } from './bundlers.ts'
import { makeProject, removeProject } from './utils.ts'

// The server-only guard: the generated module (and @galley/client) read the API key at run time, so a browser
// bundle that imports them is a build error that says why and how to fix it. Server bundles of the same code pass
// (build.test.ts).
let dir: string

beforeAll(() => {
  dir = makeProject('guard')
  writeFileSync(join(dir, 'client.ts'), "import { renderCharterHandover } from './craftkit.gen'\ndocument.body.onclick = () => renderCharterHandover({} as never)\n")
  writeFileSync(join(dir, 'client-direct.ts'), "import { createClient } from '@galley/client'\nconsole.log(createClient)\n")
})
afterAll(() => removeProject(dir))

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  )

function expectGuardMessage(message: string | null, importer: string, what: RegExp): void {
  expect(message, 'the browser build should fail').not.toBeNull()
  expect(message).toContain(`${importer} imports`)
  expect(message).toMatch(what)
  expect(message).toContain('browser bundle')
  // Why: the key is read at run time and must stay on the server. How: call render<Template>() from server code.
  expect(message).toContain('CRAFTKIT_API_KEY')
  expect(message).toContain('must stay on the server')
  expect(message).toMatch(/call render<Template>\(\).*from server code/)
}

describe('the server-only guard', () => {
  it('fails a Vite client build that imports the generated module', async () => {
    const message = await failure(
      viteBuild({ root: dir, configFile: false, logLevel: 'silent', plugins: [galleyVite()], build: { outDir: 'dist-client', rollupOptions: { input: join(dir, 'client.ts') } } }),
    )
    expectGuardMessage(message, 'client.ts', /the generated Craftkit module craftkit\.gen\.ts/)
    expect(message).toContain('Vite environment "client"')
  })

  it('fails a Vite client build that imports @galley/client', async () => {
    const message = await failure(
      viteBuild({ root: dir, configFile: false, logLevel: 'silent', plugins: [galleyVite()], build: { outDir: 'dist-client', rollupOptions: { input: join(dir, 'client-direct.ts') } } }),
    )
    expectGuardMessage(message, 'client-direct.ts', /`@galley\/client`/)
  })

  it("fails a webpack build with target 'web' that imports the generated module", async () => {
    const message = await failure(
      runWebpack({
        context: dir,
        mode: 'production',
        target: 'web',
        entry: './client.ts',
        output: { path: join(dir, 'dist-web') },
        resolve: { extensions: ['.ts', '.mjs', '.js'] },
        module: { rules: [{ test: /\.ts$/, loader: 'esbuild-loader' }] },
        plugins: [galleyWebpack()],
      }),
    )
    expectGuardMessage(message, 'client.ts', /the generated Craftkit module craftkit\.gen\.ts/)
    expect(message).toContain('webpack target "web"')
  })

  it('fails an esbuild browser build that imports the generated module', async () => {
    const message = await failure(
      esbuild.build({ absWorkingDir: dir, entryPoints: ['client.ts'], bundle: true, platform: 'browser', outfile: 'dist-esbuild-web/client.js', logLevel: 'silent', plugins: [galleyEsbuild()] }),
    )
    expectGuardMessage(message, 'client.ts', /the generated Craftkit module craftkit\.gen\.ts/)
  })
})
