/**
 * @module @galley/codegen: Craftkit manifests to one typed TypeScript module (`render<Pascal>()` functions),
 * written atomically and checked byte for byte. One engine for `galley generate`, the build plugin and
 * `galley dev`.
 */
export { generateModule, createGeneratorCache, GeneratorCache, GENERATOR_VERSION } from './generate.ts'
export type { TemplateInput, GenerateOptions, GeneratorCacheStats } from './generate.ts'
export { resolveTemplateNames, pascalCase, propertyKey, stringLiteral, escapeJsDoc } from './naming.ts'
export type { TemplateNames } from './naming.ts'
export { compileDataType, compileDataTypes, URL_TYPE, DATE_TYPE } from './data-type.ts'
export { moduleInputsHash, isModuleUpToDate, readModuleHashes } from './hashes.ts'
export type { ModuleInputs } from './hashes.ts'
export { writeGenerated, writeFileAtomic, checkGenerated, summarizeTemplateChanges } from './write.ts'
export type { WriteGeneratedResult, CheckGeneratedResult } from './write.ts'
export { shortDiff } from './diff.ts'
export { fetchRemoteSnapshot, serializeSnapshot, parseSnapshot, snapshotTemplates, SNAPSHOT_FORMAT } from './remote.ts'
export type { RemoteSnapshot, RemoteTemplate, TemplateReader, FetchSnapshotOptions, FetchSnapshotResult, SnapshotTemplatesOptions } from './remote.ts'
export { analyzeImpact, startImpactAnalysis, generateImpactModules, ImpactSession } from './impact.ts'
export type {
  AnalyzeImpactOptions,
  PrepareImpactOptions,
  RunImpactOptions,
  RunImpactFromSources,
  ImpactModuleToGenerate,
  ImpactHandle,
  ImpactChange,
  ImpactModule,
  ImpactCallSite,
  ImpactProjectReport,
  ImpactResult,
} from './impact.ts'
