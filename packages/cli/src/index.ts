/**
 * @module The `galley` command line: parses flags, calls the libraries, prints, and decides exit codes.
 * Libraries never exit the process; only this package does.
 */
import { Command, CommanderError } from 'commander'
import { COMMANDS } from './commands/registry.ts'
import { createContext, type CliIo } from './context.ts'
import { ExitCode, toExitCode } from './exit-codes.ts'

export { ExitCode } from './exit-codes.ts'
/** For `galley.config.ts`: `import { defineConfig } from '@galley/cli'` (the cli depends on @galley/core). */
export { defineConfig } from '@galley/core'
export type { GalleyConfig } from '@galley/core'

/** Runs the CLI with `argv` (without `node` and the script) and resolves to the process exit code. */
export async function main(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const ctx = createContext(io)
  const program = new Command('galley')
    .description('Craftkit PDF templates as code: lint, plan, publish, generate and render.')
    .version(VERSION, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
    })
    .exitOverride()
  for (const register of COMMANDS) register(program, ctx)
  try {
    await program.parseAsync(argv, { from: 'user' })
    return ctx.exitCode
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors with 1.
      return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Error
    }
    return toExitCode(error, ctx)
  }
}

const VERSION = '0.1.0'
