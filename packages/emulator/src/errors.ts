import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from 'zod'

/** Zod `flatten()` output, the `issues` of a validation error (API.md §3). */
export interface ErrorIssues {
  formErrors: string[]
  fieldErrors: Record<string, string[]>
}

/** Craftkit's error envelope (API.md §3): `{ error: { code, message, issues? } }`. */
export interface ErrorEnvelope {
  error: { code: string; message: string; issues?: ErrorIssues }
}

/**
 * The emulator's one error: every handler throws it, and the app's `onError` turns it into the envelope.
 * Messages are for people and never contain a key, a header value or a stack.
 */
export class EmulatorError extends Error {
  override readonly name = 'EmulatorError'
  readonly status: ContentfulStatusCode
  readonly code: string
  readonly issues: ErrorIssues | undefined

  constructor(status: ContentfulStatusCode, code: string, message: string, issues?: ErrorIssues) {
    super(message)
    this.status = status
    this.code = code
    this.issues = issues
  }

  toEnvelope(): ErrorEnvelope {
    return { error: { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) } }
  }
}

/** Builds the envelope for an error; anything but an {@link EmulatorError} becomes a 500 `internal` with no details. */
export function toErrorResponse(c: Context, error: unknown): Response {
  if (error instanceof EmulatorError) return c.json(error.toEnvelope(), error.status)
  const envelope: ErrorEnvelope = { error: { code: 'internal', message: 'Internal error in the emulator; see its log.' } }
  return c.json(envelope, 500)
}

/** `{ formErrors, fieldErrors }` from a zod error, with dotted paths (`options.versionNumber`). */
export function zodIssues(error: z.ZodError): ErrorIssues {
  const formErrors: string[] = []
  const fieldErrors: Record<string, string[]> = {}
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.')
    if (key === '') formErrors.push(issue.message)
    else (Object.hasOwn(fieldErrors, key) ? fieldErrors[key]! : (fieldErrors[key] = [])).push(issue.message)
  }
  return { formErrors, fieldErrors }
}

/** One-line summary of zod issues for an error message. */
export function zodSummary(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || 'body'}: ${i.message}`)
    .join('; ')
}

export const invalidRequest = (message: string, issues?: ErrorIssues): EmulatorError =>
  new EmulatorError(400, 'invalid_request', message, issues)
export const notFound = (what = 'Resource'): EmulatorError =>
  new EmulatorError(404, 'not_found', `${what} not found in this project`)
export const templateNotFound = (slug: string): EmulatorError =>
  new EmulatorError(404, 'template_not_found', `No template with slug "${clip(slug)}" in this project`)

/** User text in a message, cut to a readable length. */
export function clip(text: string, max = 130): string {
  return text.length > max ? `${text.slice(0, max)}…` : text
}
