import type { Command } from 'commander'
import type { CliContext } from '../context.ts'
import { registerDev } from './dev.ts'
import { registerEmulator } from './emulator.ts'
import { registerGenerate } from './generate.ts'
import { registerInit } from './init.ts'
import { registerLint } from './lint.ts'
import { registerPlan } from './plan.ts'
import { registerPublish } from './publish.ts'
import { registerPull } from './pull.ts'
import { registerRender } from './render.ts'
import { registerRollback } from './rollback.ts'
import { registerStatus } from './status.ts'

/** A command module registers itself on the program; its action sets `ctx.exitCode`. */
export type RegisterCommand = (program: Command, ctx: CliContext) => void

/** Every command, in the order `galley --help` lists them. One import and one entry per command file. */
export const COMMANDS: RegisterCommand[] = [
  registerInit,
  registerLint,
  registerPlan,
  registerPublish,
  registerPull,
  registerRollback,
  registerStatus,
  registerRender,
  registerGenerate,
  registerDev,
  registerEmulator,
]
