import { RULE_SETTINGS } from '../lint/types.ts'
import type { GalleyConfig } from './schema.ts'

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
const ENVIRONMENT_NAME = /^[a-z0-9][a-z0-9_-]*$/i

/**
 * True only when `galleyConfigSchema().safeParse(value)` would succeed with `value` unchanged, checked directly,
 * so that loading an ordinary config does not import zod (~100 ms, most of an up-to-date `galley generate
 * --check`). Anything unusual answers false and goes through the zod schema, which stays the source of truth
 * and writes every message (test/config/quick-check.test.ts holds the two side by side).
 */
export function isPlainValidConfig(value: unknown): value is GalleyConfig {
  if (!isPlainObject(value)) return false
  for (const [key, v] of Object.entries(value)) {
    switch (key) {
      case 'templates':
        if (!nonEmptyString(v)) return false
        break
      case 'output':
        if (!validOutput(v)) return false
        break
      case 'environments':
        if (!isPlainObject(v)) return false
        for (const [name, env] of Object.entries(v)) if (!ENVIRONMENT_NAME.test(name) || !validEnvironment(env)) return false
        break
      case 'lint':
        if (!isPlainObject(v) || Object.keys(v).some((k) => k !== 'rules')) return false
        if (v.rules !== undefined) {
          if (!isPlainObject(v.rules)) return false
          for (const setting of Object.values(v.rules)) if (!(RULE_SETTINGS as readonly unknown[]).includes(setting)) return false
        }
        break
      case 'impact':
        if (!isPlainObject(v) || Object.keys(v).some((k) => k !== 'projects')) return false
        if (v.projects !== undefined && (!Array.isArray(v.projects) || Object.keys(v.projects).length !== v.projects.length || !v.projects.every(nonEmptyString))) return false
        break
      default:
        return false
    }
  }
  return true
}

function validOutput(v: unknown): boolean {
  if (nonEmptyString(v)) return true
  if (!Array.isArray(v) || v.length === 0 || Object.keys(v).length !== v.length) return false
  return v.every((entry) => {
    if (nonEmptyString(entry)) return true
    if (!isPlainObject(entry) || !nonEmptyString(entry.path)) return false
    for (const [k, x] of Object.entries(entry)) {
      if (k === 'path') continue
      if (k === 'preflight' && (x === undefined || typeof x === 'boolean')) continue
      if (k === 'clientModule' && (x === undefined || nonEmptyString(x))) continue
      return false
    }
    return true
  })
}

function validEnvironment(v: unknown): boolean {
  if (!isPlainObject(v) || Object.keys(v).some((k) => k !== 'baseUrl' && k !== 'apiKeyEnv')) return false
  if (typeof v.apiKeyEnv !== 'string' || !ENV_NAME.test(v.apiKeyEnv) || /^ck_/i.test(v.apiKeyEnv)) return false
  if (typeof v.baseUrl !== 'string') return false
  try {
    const url = new URL(v.baseUrl)
    // zod's z.url() also checks the host name; keep the fast path to plain http(s)://host[:port][/path] URLs.
    return (url.protocol === 'http:' || url.protocol === 'https:') && /^https?:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[^\s]*)?$/.test(v.baseUrl)
  } catch {
    return false
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false
  const proto = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

function nonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0
}
