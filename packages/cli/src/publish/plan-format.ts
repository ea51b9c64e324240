/** Bumped on any incompatible change of the plan format; `galley publish --plan` refuses other versions. */
export const PLAN_FORMAT_VERSION = 1

/** The `$schema` written into plan files: the `$id` of `plan.schema.json`. */
export const PLAN_SCHEMA_ID = 'https://galley.dev/schemas/plan-v1.json'

export const PLAN_ACTIONS = ['create', 'update', 'unchanged', 'remote-only'] as const
export type PlanAction = (typeof PLAN_ACTIONS)[number]
