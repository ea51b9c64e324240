import { createRequire } from 'node:module'
import type * as Zod from 'zod'
import { RULE_SETTINGS, type RuleSetting } from '../lint/types.ts'

/** One generated module: `galley generate` writes it. */
export interface OutputTarget {
  /** Path of the generated module, relative to the config file. */
  path: string
  /** Embed manifests so `render*(data, { preflight: true })` validates locally. @default false */
  preflight?: boolean
  /** Module the generated code imports the runtime from. @default '@galley/client' */
  clientModule?: string
}

/** A Craftkit deployment commands can target with `--env NAME`. */
export interface EnvironmentConfig {
  /** API base URL, e.g. `https://api.craftkit.dev`. */
  baseUrl: string
  /** Name of the environment variable that holds the project key (never the key itself). */
  apiKeyEnv: string
}

/** `galley.config.ts`: every option is optional. */
export interface GalleyConfig {
  /** Folder holding `<slug>/template.yaml`, relative to the config file. @default 'templates' */
  templates?: string
  /** The generated module: a path, or a list of paths and targets. @default 'craftkit.gen.ts' */
  output?: string | (string | OutputTarget)[]
  /** Named deployments for `--env NAME`. @default {} */
  environments?: Record<string, EnvironmentConfig>
  lint?: {
    /** Per-rule overrides: `off`, `warning` or `error`, by rule id. @default {} */
    rules?: Record<string, RuleSetting>
  }
  /** `galley plan --impact` and `galley publish`: the projects that call the generated module. */
  impact?: {
    /** Their `tsconfig.json` files, relative to the config file. @default [] */
    projects?: string[]
  }
}

function buildConfigSchema(z: typeof Zod.z) {
  const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

  const outputTargetSchema = z.strictObject({
    path: z.string().min(1),
    preflight: z.boolean().optional(),
    clientModule: z.string().min(1).optional(),
  })

  const galleyConfigSchema = z.strictObject({
    templates: z.string().min(1).optional(),
    output: z.union([z.string().min(1), z.array(z.union([z.string().min(1), outputTargetSchema])).min(1)]).optional(),
    environments: z
      .record(
        z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'Environment names are letters, digits, - and _'),
        z.strictObject({
          baseUrl: z.url({ protocol: /^https?$/, error: 'Expected an http(s) URL such as https://api.craftkit.dev' }),
          apiKeyEnv: z
            .string()
            .regex(ENV_NAME, 'Expected the NAME of an environment variable, e.g. CRAFTKIT_API_KEY')
            .refine((s) => !/^ck_/i.test(s), 'This looks like an API key: put the key in an environment variable and name that variable here'),
        }),
      )
      .optional(),
    lint: z
      .strictObject({
        rules: z.record(z.string(), z.enum(RULE_SETTINGS)).optional(),
      })
      .optional(),
    impact: z
      .strictObject({
        projects: z.array(z.string().min(1)).optional(),
      })
      .optional(),
  }) satisfies Zod.z.ZodType<GalleyConfig>
  return galleyConfigSchema
}

const require = createRequire(import.meta.url)
let built: ReturnType<typeof buildConfigSchema> | undefined

/**
 * The config's schema: the source of truth for `GalleyConfig` and for the checks of `loadConfig`. Built on first
 * use, so that a project without a config file never imports zod (~100 ms).
 */
export function galleyConfigSchema(): ReturnType<typeof buildConfigSchema> {
  return (built ??= buildConfigSchema((require('zod') as typeof Zod).z))
}

export type GalleyConfigInput = Zod.z.input<ReturnType<typeof buildConfigSchema>>
export type GalleyConfigOutput = Zod.z.output<ReturnType<typeof buildConfigSchema>>
