/**
 * @module `@galley/cli/engine`: the one path from a saved template file to the generated module (watcher,
 * lint, generate, write) and the local target, shared by `galley generate`, `generate --watch`, `galley dev` and
 * `@galley/unplugin`. No second copy of any step lives elsewhere.
 */
export { GenerateSession, localTemplateInputs, DEFAULT_SNAPSHOT } from './session.ts'
export type { GenerateSessionOptions, RunOptions, SessionRun } from './session.ts'
export { resolveOutputs, DEFAULT_OUTPUT } from './outputs.ts'
export type { OutputEntry, ResolvedOutput } from './outputs.ts'
export { writeOutputs } from './write-outputs.ts'
export type { OutputReport, WriteOutputsOptions } from './write-outputs.ts'
export { changedTemplates, watchTemplates } from './watch.ts'
export type { ChangeBatch, TemplateChange, TemplateWatcher, WatchTemplatesOptions } from './watch.ts'
export type { PublishChangedOptions, PublishChangedResult } from './publish-local.ts'
export type { EmbeddedTarget, Target } from '../target.ts'

// Dev-only parts, loaded on first call: a production build start (the plugin) never publishes or starts an
// emulator, and should not load the publish path, the client or the emulator.

/** Publishes the changed sources to a local target; see `publish-local.ts`. */
export async function publishChanged(...args: Parameters<typeof import('./publish-local.ts').publishChanged>): ReturnType<typeof import('./publish-local.ts').publishChanged> {
  return (await import('./publish-local.ts')).publishChanged(...args)
}

/** Starts the project's embedded emulator (data and key in `<root>/.galley/emulator/`); see `target.ts`. */
export async function startEmbeddedEmulator(...args: Parameters<typeof import('../target.ts').startEmbeddedEmulator>): ReturnType<typeof import('../target.ts').startEmbeddedEmulator> {
  return (await import('../target.ts')).startEmbeddedEmulator(...args)
}
export type { Project } from '../project.ts'
