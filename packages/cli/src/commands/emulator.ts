import { relative, resolve } from 'node:path'
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
  quiet?: boolean
  cwd?: string
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
    .option('--render-concurrency <n>', 'renders in flight at once', '4')
    .option('--quiet', 'no request log')
    .option('--cwd <dir>', 'resolve --data from this folder')
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
    renderConcurrency: parseInteger(flags.renderConcurrency ?? '4', '--render-concurrency', 1, 256),
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
  if (flags.apiKey.length > 0) {
    ctx.out(`  projects: ${flags.apiKey.length} (one per --api-key)`)
  } else if (emulator.apiKeyCreated) {
    ctx.out(`  project key: ${emulator.apiKey}`)
    ctx.out(`  (shown once; kept in ${keyFile}. Pass --api-key ck_test_… to seed another project.)`)
  } else {
    ctx.out(`  project key: the one in ${keyFile} (delete that file to mint a new project and key)`)
  }
  if (options.faults) ctx.out(`  faults: ${options.faults} (seed ${options.seed})`)
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

function parseInteger(value: string, flag: string, min: number, max: number): number {
  const n = Number(value)
  if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
    throw new GalleyError('emulator_invalid_flag', `${flag} must be an integer from ${min} to ${max}, got "${value}"`)
  }
  return n
}
