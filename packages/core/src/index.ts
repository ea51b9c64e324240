/**
 * @module @galley/core: Craftkit semantics, once. Template sources, manifests, JSON Schema, data validation,
 * pipelines, lint, diff and config.
 */
export * from './manifest/types.ts'
export * from './diagnostics/diagnostic.ts'
