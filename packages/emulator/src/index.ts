/**
 * @module @galley/emulator: a faithful local Craftkit. `startEmulator` serves the documented `/v1` API over
 * PGlite with an in-process pdfkit render queue; `createEmulator` gives the hono app for `app.request()` tests.
 */
export { startEmulator, createEmulator, API_KEY_FILE, type Emulator } from './emulator.ts'
export type { EmulatorOptions, RunningEmulator } from './options.ts'
export { createApp, type AppDeps, type EmulatorEnv } from './app.ts'
export { EmulatorError, type ErrorEnvelope, type ErrorIssues } from './errors.ts'
export { parseFaults, MAX_LATENCY_MS, type FaultRates } from './middleware/faults.ts'
export { DEFAULT_BODY_LIMIT_BYTES } from './middleware/body.ts'
export { SCHEMA_VERSION } from './storage/migrations/index.ts'
export type { Store } from './storage/store.ts'
export {
  renderDocument,
  RenderFailure,
  type RenderDocumentInput,
  type RenderDocumentOptions,
} from './render/index.ts'
export {
  createWebhookDispatcher,
  signWebhookBody,
  type RenderWebhookPayload,
  type WebhookDispatcher,
} from './webhooks/index.ts'
