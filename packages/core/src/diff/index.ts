/**
 * @module What "changed" means for a template: a canonical comparison with the published template and a
 * variable-level manifest diff with a breaking-change flag. Used by `galley plan`, `publish` and `status`.
 */
export * from './manifest-diff.ts'
export * from './compare-template.ts'
