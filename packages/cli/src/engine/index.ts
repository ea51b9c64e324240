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
export { publishChanged } from './publish-local.ts'
export type { PublishChangedOptions, PublishChangedResult } from './publish-local.ts'
export { startEmbeddedEmulator, EMBEDDED_TARGET_NAME } from '../target.ts'
export type { EmbeddedTarget, Target } from '../target.ts'
export type { Project } from '../project.ts'
