/**
 * @module @galley/core/validate: the Craftkit data validator alone, with no dependencies, for the client's
 * optional pre-flight check.
 */
export { validateData, type ValidationIssues, type ValidationResult } from './validate-data.ts'
export type { DataType, LoopDefinition, Manifest, VariableDefinition } from '../manifest/types.ts'
