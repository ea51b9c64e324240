import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startEmulatorProcess, type EmulatorProcess } from './publish-utils.ts'

// Spawns the built binary (bin/galley.mjs -> dist), as users run it.
const BIN = new URL('../bin/galley.mjs', import.meta.url).pathname
const cwd = mkdtempSync(join(tmpdir(), 'galley-cli-emulator-'))
const children: ChildProcess[] = []
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  rmSync(cwd, { recursive: true, force: true })
})

const startCli = (args: string[]): Promise<EmulatorProcess> => startEmulatorProcess(args, { cwd, track: children })

describe('galley emulator', () => {
  it('serves /health, logs requests without the key, and stops cleanly on SIGTERM', async () => {
    const key = 'ck_test_cliEmulatorKey1'
    const run = await startCli(['--data', 'with-key', '--api-key', key])
    expect(run.stdout()).toContain('projects: 1 (one per --api-key)')
    expect(run.stdout()).not.toContain(key)
    expect(await (await fetch(`${run.url}/health`)).json()).toEqual({ status: 'ok' })
    const list = await fetch(`${run.url}/v1/templates`, { headers: { authorization: `Bearer ${key}` } })
    expect(await list.json()).toEqual({ templates: [] })
    run.child.kill('SIGTERM')
    expect(await run.exit).toBe(0)
    expect(run.stderr()).toMatch(/^GET \/health 200 \d+ms$/m)
    expect(run.stderr()).toMatch(/^GET \/v1\/templates 200 \d+ms$/m)
    expect(run.stderr()).toContain('emulator stopped')
    expect(run.stderr()).not.toContain(key)
  }, 60_000)

  it('prints the lines to export, with a generated key on the first start only, and reuses it', async () => {
    const first = await startCli(['--data', 'generated', '--quiet'])
    expect(first.stdout()).toContain(`export CRAFTKIT_BASE_URL=${first.url}\n`)
    const key = /^ {2}export CRAFTKIT_API_KEY=(ck_test_\S+)$/m.exec(first.stdout())?.[1]
    expect(key).toBeDefined()
    expect(readFileSync(join(cwd, 'generated', 'api-key'), 'utf8').trim()).toBe(key)
    first.child.kill('SIGINT')
    expect(await first.exit).toBe(0)

    // Node 20 takes `--env-file FILE` for its own flag when FILE does not exist yet: hence --dotenv (and on
    // Node 22 --env-file alike). With the file present, --env-file reaches galley on Node 20 too.
    const second = await startCli(['--data', 'generated', '--quiet', '--dotenv', 'app/.env.local'])
    expect(second.stdout()).not.toContain(key!)
    expect(second.stdout()).toContain('export CRAFTKIT_API_KEY="$(cat generated/api-key)"')
    // --env-file: the two lines, with the key, in a file only its owner can read.
    expect(readFileSync(join(cwd, 'app/.env.local'), 'utf8')).toBe(`CRAFTKIT_BASE_URL=${second.url}\nCRAFTKIT_API_KEY=${key}\n`)
    expect(statSync(join(cwd, 'app/.env.local')).mode & 0o777).toBe(0o600)
    second.child.kill('SIGTERM')
    expect(await second.exit).toBe(0)

    const third = await startCli(['--data', 'generated', '--quiet', '--env-file', 'app/.env.local'])
    expect(readFileSync(join(cwd, 'app/.env.local'), 'utf8')).toBe(`CRAFTKIT_BASE_URL=${third.url}\nCRAFTKIT_API_KEY=${key}\n`)
    expect(third.stdout()).not.toContain(key!)
    const res = await fetch(`${third.url}/v1/templates`, { headers: { authorization: `Bearer ${key}` } })
    expect(res.status).toBe(200)
    third.child.kill('SIGTERM')
    expect(await third.exit).toBe(0)
  }, 60_000)

  it('rejects bad flags with a message and exit code 1, no stack trace', async () => {
    for (const args of [['--faults', 'boom:1'], ['--api-key', 'not-a-key'], ['--port', 'x'], ['--webhook', 'http://x.test/h']]) {
      const child = spawn(process.execPath, [BIN, 'emulator', '--data', 'bad', ...args], { cwd })
      children.push(child)
      let err = ''
      child.stderr.on('data', (c: Buffer) => (err += c.toString()))
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
      expect(code).toBe(1)
      expect(err).toMatch(/error: /)
      expect(err).not.toMatch(/\n\s+at /)
    }
  }, 60_000)
})
