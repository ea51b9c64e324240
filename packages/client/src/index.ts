/**
 * @module @galley/client: a small, dependency-free client for the Craftkit REST API, and the runtime that
 * `galley generate`'s typed `render<Template>()` functions call.
 */
export { createClient, DEFAULT_BASE_URL } from './create-client.ts'
export type { ClientOptions, CraftkitClient, DeleteOptions, PutOptions, SharesApi, TemplatesApi, WriteRetryOptions } from './create-client.ts'
export type { RetryOptions } from './http.ts'
export type { DownloadOptions, PollEvent, RenderCreateOptions, RendersApi, WaitOptions } from './renders.ts'
export { CraftkitError, isCraftkitError } from './errors.ts'
export type { CraftkitErrorCode, CraftkitErrorInit, CraftkitIssues } from './errors.ts'
export { verifyWebhookSignature, verifyWebhookSignatureAsync, webhookDeliveryId, WEBHOOK_DELIVERY_ID_HEADER } from './webhooks.ts'
export type { VerifyWebhookOptions } from './webhooks.ts'
export { renderTemplate } from './render-template.ts'
export type { QueuedRender, RenderTemplateOptions, TemplateDescriptor } from './render-template.ts'
export type * from './types.ts'
