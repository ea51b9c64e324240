import { loadConfig, loadTemplateSources, type ResolvedConfig, type TemplateSource } from '@galley/core'

/** A loaded project: its config and every template source under `config.templates`. */
export interface Project {
  /** Folder of the config file, or the cwd when there is none; diagnostics' paths are relative to it. */
  root: string
  config: ResolvedConfig
  /** Sorted by slug; reading problems are in each source's `diagnostics`. */
  sources: TemplateSource[]
}

export interface LoadProjectOptions {
  cwd: string
  /** `--config`: an explicit config file. */
  configPath?: string
}

/**
 * What every command starts with (`--cwd`, `--config`): finds and loads the config, then reads the template
 * sources. A bad config throws a `GalleyError` with diagnostics; bad sources never throw (see `diagnostics`).
 */
export async function loadProject(options: LoadProjectOptions): Promise<Project> {
  const config = await loadConfig(options.configPath === undefined ? { cwd: options.cwd } : { cwd: options.cwd, configPath: options.configPath })
  const sources = await loadTemplateSources({ root: config.root, templatesDir: config.templates })
  return { root: config.root, config, sources }
}
