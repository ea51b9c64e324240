/**
 * @module @galley/core: Craftkit semantics, once. Template sources, manifests, JSON Schema, data validation,
 * pipelines, lint, diff and config.
 */
export * from './manifest/types.ts'
export * from './manifest/shape.ts'
export * from './manifest/stable-stringify.ts'
export * from './manifest/canonical.ts'
export * from './manifest/parse-template-body.ts'
export * from './json-schema/manifest-to-json-schema.ts'
export * from './validate/validate-data.ts'
export * from './pipeline/resolve-pipeline.ts'
export * from './layout/extract-layout-keys.ts'
export * from './diagnostics/diagnostic.ts'
export * from './diff/index.ts'
export * from './source/positions.ts'
export * from './source/schema.ts'
export * from './source/template-source.ts'
export * from './lint/types.ts'
export * from './lint/registry.ts'
export * from './lint/lint-sources.ts'
export * from './config/schema.ts'
export * from './config/define-config.ts'
export * from './config/load-config.ts'
