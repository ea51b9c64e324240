import { dirname, relative, resolve } from 'node:path'
import { GalleyError } from '@galley/core'
import type { EmulatorOptions } from '@galley/emulator'
import type { CliContext } from '../context.ts'
import { ExitCode } from '../exit-codes.ts'
import type { RegisterCommand } from './registry.ts'

interface EmulatorFlags {
  port: string
  host: string
  data: string
  apiKey: string[]
  webhook: string[]
  webhookSecret: string[]
  publicBaseUrl?: string
  faults?: string
  seed?: string
  renderConcurrency?: string
  renderWorkers?: string
  quiet?: boolean
  cwd?: string
  envFile?: string
  dotenv?: string
}

const collect = (value: string, previous: string[]): string[] => [...previous, value]

export const registerEmulator: RegisterCommand = (program, ctx) => {
  program
    .command('emulator')
    .description('run a local Craftkit API (the @galley/emulator server) until Ctrl+C')
    .option('--port <port>', 'port to listen on (0 = a free one)', '3000')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--data <dir>', 'data folder (database, PDFs, the generated key)', '.galley/emulator')
    .option('--api-key <key>', 'seed a project with this ck_test_/ck_live_ key (repeatable); default: a generated key kept in <data>/api-key', collect, [])
    .option('--webhook <url>', 'send render.succeeded/render.failed webhooks here (repeatable, each with --webhook-secret)', collect, [])
    .option('--webhook-secret <secret>', 'HMAC secret of the matching --webhook', collect, [])
    .option('--public-base-url <url>', 'base of downloadUrl and shareUrl (default: the server url)')
    .option('--faults <spec>', 'inject faults on /v1, e.g. 503:0.2,reset:0.1,latency:0.2')
    .option('--seed <n>', 'seed of the fault schedule', '1')
    .option('--render-concurrency <n>', 'renders in flight at once (default: 4, or --render-workers when larger)')
    .option('--render-workers <n>', 'worker threads that run pdfkit (default: one per core; 0 = render on the main thread)')
    .option('--quiet', 'no request log')
    .option('--env-file <file>', 'write CRAFTKIT_BASE_URL and CRAFTKIT_API_KEY to this dotenv file (mode 0600) for an app to load')
    // Node 20 reads `--env-file FILE` anywhere on its command line as its own flag and exits when FILE does not
    // exist yet (fixed in Node 22), so the same option has a second name that Node leaves alone.
    .option('--dotenv <file>', 'the same as --env-file (use it on Node 20 when the file does not exist yet)')
    .option('--cwd <dir>', 'resolve --data and --env-file from this folder')
    .action(async (flags: EmulatorFlags) => {
      ctx.exitCode = await runEmulator(flags, ctx)
    })
}

async function runEmulator(flags: EmulatorFlags, ctx: CliContext): Promise<number> {
  const cwd = resolve(ctx.io.cwd, flags.cwd ?? '.')
  const dataDir = resolve(cwd, flags.data)
  if (flags.webhook.length !== flags.webhookSecret.length) {
    throw new GalleyError('emulator_webhook_secret', `Got ${flags.webhook.length} --webhook and ${flags.webhookSecret.length} --webhook-secret`, {
      hint: 'Give one --webhook-secret per --webhook, in the same order: --webhook https://example.test/hook --webhook-secret s3cret',
    })
  }
  for (const url of flags.webhook) {
    if (!/^https?:\/\/[^/]/.test(url)) throw new GalleyError('emulator_webhook_url', `--webhook "${url}" is not an http(s) URL`)
  }
  const options: EmulatorOptions = {
    port: parseInteger(flags.port, '--port', 0, 65_535),
    host: flags.host,
    dataDir,
    ...(flags.apiKey.length > 0 ? { apiKeys: flags.apiKey } : {}),
    webhooks: flags.webhook.map((url, i) => ({ url, secret: flags.webhookSecret[i]! })),
    ...(flags.publicBaseUrl ? { publicBaseUrl: flags.publicBaseUrl } : {}),
    ...(flags.faults ? { faults: flags.faults, seed: parseInteger(flags.seed ?? '1', '--seed', 0, 2 ** 32 - 1) } : {}),
    ...(flags.renderConcurrency !== undefined ? { renderConcurrency: parseInteger(flags.renderConcurrency, '--render-concurrency', 1, 256) } : {}),
    ...(flags.renderWorkers !== undefined ? { renderWorkers: parseInteger(flags.renderWorkers, '--render-workers', 0, 256) } : {}),
    quiet: flags.quiet === true,
    log: (line) => ctx.error(line),
  }

  // Imported on use: every other command would pay ~0.2-0.3 s for the emulator's modules otherwise.
  const { startEmulator } = await import('@galley/emulator')
  const emulator = await startEmulator(options)
  const shownData = relative(cwd, dataDir) || '.'
  const keyFile = `${shownData}/api-key`
  ctx.out(`Craftkit emulator listening on ${emulator.url}`)
  ctx.out(`  data: ${dataDir}`)
  if (flags.apiKey.length > 0) ctx.out(`  projects: ${flags.apiKey.length} (one per --api-key)`)
  if (options.faults) ctx.out(`  faults: ${options.faults} (seed ${options.seed})`)
  // How to point an app at it. The key itself is printed only on the first start (it was just minted and is
  // nowhere else yet); later starts print a command that reads the key file, so the key stays out of logs.
  const key = flags.apiKey.length > 0 ? flags.apiKey[0]! : emulator.apiKey
  const keyLine = flags.apiKey.length > 0 ? '<one of your --api-key keys>' : emulator.apiKeyCreated ? key : `"$(cat ${shellQuote(keyFile)})"`
  ctx.out('Point an app at it:')
  ctx.out(`  export CRAFTKIT_BASE_URL=${emulator.url}`)
  ctx.out(`  export CRAFTKIT_API_KEY=${keyLine}`)
  if (emulator.apiKeyCreated && flags.apiKey.length === 0) ctx.out(`  (the key is shown this once; it is kept in ${keyFile})`)
  const envFileFlag = flags.envFile ?? flags.dotenv
  if (envFileFlag) {
    const envFile = resolve(cwd, envFileFlag)
    if (key) await writeFileAtomicMode(envFile, `CRAFTKIT_BASE_URL=${emulator.url}\nCRAFTKIT_API_KEY=${key}\n`, 0o600)
    ctx.out(`  wrote ${relative(cwd, envFile) || envFile} (mode 0600)`)
  }
  ctx.out(`  try: curl ${emulator.url}/health`)
  ctx.out('Press Ctrl+C to stop.')

  const signal = await new Promise<NodeJS.Signals>((done) => {
    const stop = (s: NodeJS.Signals) => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      done(s)
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  ctx.error(`${signal}: stopping the emulator…`)
  await emulator.close()
  ctx.error('emulator stopped')
  return ExitCode.Ok
}

/** A dotenv file with the key: written through a temporary file created with `mode`, then renamed. */
async function writeFileAtomicMode(file: string, text: string, mode: number): Promise<void> {
  const { mkdir, open, rename, rm, chmod } = await import('node:fs/promises')
  await mkdir(dirname(file), { recursive: true })
  const temp = `${file}.${process.pid}.tmp`
  try {
    const handle = await open(temp, 'wx', mode)
    try {
      await handle.writeFile(text)
    } finally {
      await handle.close()
    }
    // The umask may have narrowed the mode; make it exactly `mode`.
    await chmod(temp, mode)
    await rename(temp, file)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
}

function shellQuote(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`
}

function parseInteger(value: string, flag: string, min: number, max: number): number {
  const n = Number(value)
  if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
    throw new GalleyError('emulator_invalid_flag', `${flag} must be an integer from ${min} to ${max}, got "${value}"`)
  }
  return n
}
