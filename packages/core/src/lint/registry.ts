import { dataUriImage } from './rules/data-uri-image.ts'
import { duplicateSlug } from './rules/duplicate-slug.ts'
import { fixtureInvalid } from './rules/fixture-invalid.ts'
import { fixtureStrippedKey } from './rules/fixture-stripped-key.ts'
import { keyShapeConflict } from './rules/key-shape-conflict.ts'
import { layoutUnbound } from './rules/layout-unbound.ts'
import { loopKeyConflict } from './rules/loop-key-conflict.ts'
import { loopKeyDot } from './rules/loop-key-dot.ts'
import { pipelineImage } from './rules/pipeline-image.ts'
import { pipelineLoop } from './rules/pipeline-loop.ts'
import { schema } from './rules/schema.ts'
import { unusedVariable } from './rules/unused-variable.ts'
import { SOURCE_LIMITS } from '../source/template-source.ts'
import type { LintRule } from './types.ts'

/** Every lint rule, in the order of DESIGN §4. */
export const RULES: readonly LintRule[] = [
  loopKeyDot,
  loopKeyConflict,
  keyShapeConflict,
  pipelineLoop,
  pipelineImage,
  dataUriImage,
  schema,
  duplicateSlug,
  fixtureInvalid,
  fixtureStrippedKey,
  layoutUnbound,
  unusedVariable,
]

/** The ids `lint.rules` in the config accepts. */
export const RULE_IDS: readonly string[] = RULES.map((r) => r.id)

/**
 * Codes of problems found while reading files. They are not rules: they cannot be turned off, because nothing
 * else can be checked in a file that could not be read.
 */
export const SOURCE_CODES: Readonly<Record<string, string>> = {
  'yaml-syntax': 'template.yaml is not valid YAML.',
  'json-syntax': 'A fixture or layout file is not valid JSON.',
  'source-too-large': `A source file over the size limit (${mb(SOURCE_LIMITS.templateBytes)} for templates and layouts, ${mb(SOURCE_LIMITS.fixtureBytes)} for fixtures).`,
  'source-unreadable': 'A source file that cannot be read.',
  'source-missing': 'A template folder with template.yml or template.json instead of template.yaml.',
}

function mb(bytes: number): string {
  return `${bytes / 1024 / 1024} MB`
}
