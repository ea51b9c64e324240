import { existsSync, statSync } from 'node:fs'
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path'
import { Option } from 'commander'
import { findConfigFile, GalleyError, lintSources, loadTemplateSources, type Diagnostic, type TemplateSource } from '@galley/core'
import { ExitCode } from '../exit-codes.ts'
import { toPosix as posix } from '../paths.ts'
import { loadProject, type Project } from '../project.ts'
import { projectOptions } from '../publish/command-support.ts'
import { printDiagnostics, REPORT_FORMATS, type ReportFormat } from '../report/index.ts'
import type { RegisterCommand } from './registry.ts'

interface LintFlags {
  format: ReportFormat
  maxWarnings?: number
  config?: string
  cwd?: string
}

/** `galley lint [paths]`: every rule on every template and fixture; exit 1 on errors (warnings pass). */
export const registerLint: RegisterCommand = (program, ctx) => {
  projectOptions(
    program
      .command('lint')
      .description('check every template and fixture against Craftkit\'s rules; exit 1 on errors')
      .argument('[paths...]', 'template folders, template.yaml or fixture files, or folders of templates (default: all templates)')
      .addOption(new Option('--format <format>', 'output format').choices(REPORT_FORMATS).default('pretty'))
      .option('--max-warnings <n>', 'exit 1 when there are more than n warnings (as in ESLint)', parseMaxWarnings),
  ).action(async (paths: string[], flags: LintFlags) => {
    const cwd = resolve(ctx.io.cwd, flags.cwd ?? '.')
    let project: Project
    try {
      project = await loadProject(flags.config === undefined ? { cwd } : { cwd, configPath: flags.config })
    } catch (error) {
      // A bad config is reported like any other finding, so --format json/sarif consumers still get a document.
      if (!(error instanceof GalleyError) || (flags.format === 'pretty' && error.diagnostics.length === 0)) throw error
      if (flags.format === 'pretty') ctx.out(ctx.c.red(`error: ${error.message}`))
      const diagnostics: Diagnostic[] = error.diagnostics.length
        ? error.diagnostics
        : [{ code: error.code, severity: 'error', message: error.message, ...(error.hint ? { hint: error.hint } : {}), file: flags.config ?? '.', line: 1, column: 1 }]
      // Config diagnostics are relative to the config's folder (the project root), which may be above cwd.
      const configFile = flags.config === undefined ? findConfigFile(cwd) : resolve(cwd, flags.config)
      printDiagnostics(ctx, diagnostics, { format: flags.format, root: configFile ? dirname(configFile) : cwd })
      ctx.exitCode = ExitCode.Error
      return
    }
    const sources = paths.length ? await selectSources(project, paths, cwd) : project.sources
    const diagnostics = lintSources(sources, { rules: project.config.lint.rules })
    // A templates folder that does not exist is a wrong cwd or a typo in the config, not a clean project.
    if (!paths.length && !existsSync(project.config.templates)) diagnostics.unshift(missingTemplates(project))
    const counts = { templates: sources.length, fixtures: sources.reduce((n, s) => n + s.fixtures.length, 0) }
    if (sources.length === 0 && flags.format === 'pretty' && existsSync(project.config.templates)) {
      ctx.out(ctx.c.yellow(`No templates found in ${posix(relative(cwd, project.config.templates)) || '.'} (each template is <folder>/template.yaml).`))
    }
    printDiagnostics(ctx, diagnostics, { format: flags.format, root: project.root, counts })
    const warnings = diagnostics.filter((d) => d.severity === 'warning').length
    const tooManyWarnings = flags.maxWarnings !== undefined && warnings > flags.maxWarnings
    if (tooManyWarnings && flags.format === 'pretty') {
      ctx.error(ctx.c.red(`${warnings} warning${warnings === 1 ? '' : 's'} found; --max-warnings allows ${flags.maxWarnings}. Fix some, or raise the threshold.`))
    }
    ctx.exitCode = diagnostics.some((d) => d.severity === 'error') || tooManyWarnings ? ExitCode.Error : ExitCode.Ok
  })
}

function parseMaxWarnings(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new GalleyError('invalid_option', `--max-warnings must be a whole number of warnings, 0 or more (got "${value}").`)
  return Number(value)
}

/**
 * The sources named by paths: inside the configured templates folder they are picked from the project; a
 * template folder (or a folder of templates) elsewhere is read on its own.
 */
async function selectSources(project: Project, paths: string[], cwd: string): Promise<TemplateSource[]> {
  const picked = new Map<string, TemplateSource>()
  for (const raw of paths) {
    const path = resolve(cwd, raw)
    if (!existsSync(path)) {
      throw new GalleyError('lint-path-not-found', `${raw} does not exist.`, { hint: 'Pass template folders, template.yaml or fixture files, or folders of templates.' })
    }
    // A folder above templates, a template folder, or a file inside one.
    let found = project.sources.filter((s) => contains(path, s.dir) || contains(s.dir, path))
    if (found.length === 0) {
      const dir = statSync(path).isFile() ? dirname(path) : path
      found = existsSync(resolve(dir, 'template.yaml'))
        ? await loadTemplateSources({ root: project.root, templatesDir: dirname(dir), only: [basename(dir)] })
        : await loadTemplateSources({ root: project.root, templatesDir: dir })
    }
    if (found.length === 0) {
      throw new GalleyError('lint-path-empty', `${raw} holds no template (no <folder>/template.yaml).`, { hint: 'Pass a template folder, or a folder of template folders.' })
    }
    for (const s of found) picked.set(s.dir, s)
  }
  return [...picked.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
}

function missingTemplates(project: Project): Diagnostic {
  const shown = posix(relative(project.root, project.config.templates)) || '.'
  const config = project.config.configFile
  return {
    code: 'templates-missing',
    severity: 'error',
    message: `The templates folder ${shown} does not exist, so there is nothing to lint.`,
    hint: config
      ? `Create ${shown}/<slug>/template.yaml, or fix \`templates\` in ${basename(config)}.`
      : `Run in the project folder (--cwd), or create ${shown}/<slug>/template.yaml (or a galley.config.ts naming the folder).`,
    file: config ? posix(relative(project.root, config)) : shown,
    line: 1,
    column: 1,
  }
}

/** Whether `inner` is `outer` or below it. */
function contains(outer: string, inner: string): boolean {
  const rel = relative(outer, inner)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}
