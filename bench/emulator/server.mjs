#!/usr/bin/env node
// Child process of bench/emulator/run.mjs: starts the built emulator (packages/emulator/dist) on a free port so
// that the load generator and the server do not share an event loop. Prints one JSON line { url, apiKey } on
// stdout, then runs until SIGTERM / SIGINT, when it closes the emulator (removing its temporary data folder).
//   node bench/emulator/server.mjs '<json EmulatorOptions>'
import { join } from 'node:path'

const repo = join(import.meta.dirname, '../..')
const { startEmulator } = await import(join(repo, 'packages/emulator/dist/index.mjs'))
if (typeof startEmulator !== 'function') {
  process.stderr.write('packages/emulator/dist does not export startEmulator: run `pnpm exec turbo run build --filter=@galley/emulator...` first\n')
  process.exit(1)
}
const options = JSON.parse(process.argv[2] ?? '{}')
const emulator = await startEmulator({ quiet: true, ...options })
process.stdout.write(`${JSON.stringify({ url: emulator.url, apiKey: emulator.apiKey })}\n`)
let closing = false
const stop = async () => {
  if (closing) return
  closing = true
  await emulator.close()
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
process.on('disconnect', stop)
