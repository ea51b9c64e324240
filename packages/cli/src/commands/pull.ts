import { existsSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { writeFileAtomic } from '@galley/codegen'
import { GalleyError } from '@galley/core'
import type { TemplateDetail } from '@galley/client'
import { ExitCode } from '../exit-codes.ts'
import { toPosix } from '../paths.ts'
import { readTemplate } from '../publish/apply-plan.ts'
import { loadProjectFor, targetOptions, withTarget, type ProjectOptions } from '../publish/command-support.ts'
import { mapPool } from '../publish/pool.ts'
import type { PulledTemplate } from '../publish/write-source.ts'
import type { RegisterCommand } from './registry.ts'

interface PullOptions extends ProjectOptions {
  json?: boolean
}

interface PullResult {
  slug: string
  file: string
  outcome: 'adopted' | 'updated' | 'unchanged' | 'skipped' | 'failed'
  changed?: string[]
  reason?: string
}

/** `galley pull`: remote templates -> sources (adopts dashboard-made templates; keeps comments of existing files). */
export const registerPull: RegisterCommand = (program, ctx) => {
  targetOptions(
    program
      .command('pull')
      .description('write remote templates as sources (templates/<slug>/template.yaml), keeping comments and order of existing files')
      .argument('[slugs...]', 'only these templates (default: all on the target)')
      .option('--json', 'print the results as JSON'),
  ).action(async (slugs: string[], opts: PullOptions) => {
    const project = await loadProjectFor(opts, ctx)
    const results = await withTarget(project, opts, ctx, async (target) => {
      const listed = await target.client.templates.list()
      const remoteSlugs = new Set(listed.map((t) => t.slug))
      const unknown = slugs.filter((s) => !remoteSlugs.has(s))
      if (unknown.length > 0) {
        throw new GalleyError('unknown_template', `No template ${unknown.map((s) => `"${s}"`).join(', ')} on ${target.name}.`, {
          hint: `Templates there: ${[...remoteSlugs].sort().join(', ') || '(none)'}.`,
        })
      }
      // Loaded here: it needs `yaml`'s Document API (~50 ms to import), which no other command does.
      const { newSourceText, updateSourceText } = await import('../publish/write-source.ts')
      const wanted = listed.filter((t) => slugs.length === 0 || slugs.includes(t.slug)).sort((a, b) => (a.slug < b.slug ? -1 : 1))
      return mapPool(wanted, 8, async (summary): Promise<PullResult> => {
        const source = project.sources.find((s) => s.slug === summary.slug)
        const absolute = source ? join(source.dir, 'template.yaml') : join(project.config.templates, summary.slug, 'template.yaml')
        const file = source?.file ?? toPosix(relative(project.root, absolute))
        const detail: TemplateDetail | null = await readTemplate(target.client, summary.slug)
        if (!detail || !detail.manifest) {
          return { slug: summary.slug, file, outcome: 'skipped', reason: 'it has no published version (no manifest to pull)' }
        }
        const pulled: PulledTemplate = {
          slug: detail.slug,
          name: detail.name,
          description: detail.description,
          templateType: detail.templateType,
          manifest: detail.manifest as PulledTemplate['manifest'],
        }
        if (!existsSync(absolute)) {
          await writeFileAtomic(absolute, newSourceText(pulled, `Pulled from ${target.name}, version ${detail.currentVersionNumber}.`))
          return { slug: summary.slug, file, outcome: 'adopted' }
        }
        try {
          const before = readFileSync(absolute, 'utf8')
          const { text, changed } = updateSourceText(before, pulled)
          if (changed.length === 0) return { slug: summary.slug, file, outcome: 'unchanged' }
          await writeFileAtomic(absolute, text)
          return { slug: summary.slug, file, outcome: 'updated', changed }
        } catch (error) {
          return { slug: summary.slug, file, outcome: 'failed', reason: `cannot edit ${file}: ${(error as Error).message}; fix it or delete it and pull again` }
        }
      })
    })
    if (opts.json) ctx.io.stdout.write(`${JSON.stringify({ formatVersion: 1, results }, null, 2)}\n`)
    else {
      for (const r of results) {
        const detail = r.changed ? ` (${r.changed.join(', ')})` : r.reason ? `: ${r.reason}` : ''
        const label = r.outcome === 'failed' ? ctx.c.red(r.outcome) : r.outcome === 'unchanged' || r.outcome === 'skipped' ? ctx.c.dim(r.outcome) : ctx.c.green(r.outcome)
        ctx.out(`  ${label} ${r.slug} -> ${r.file}${detail}`)
      }
      const n = (o: PullResult['outcome']) => results.filter((r) => r.outcome === o).length
      ctx.out(`Pulled: ${n('adopted')} adopted, ${n('updated')} updated, ${n('unchanged')} unchanged${n('skipped') ? `, ${n('skipped')} skipped` : ''}${n('failed') ? `, ${n('failed')} failed` : ''}.`)
    }
    for (const r of results) if (r.outcome === 'failed') ctx.error(`error: ${r.slug}: ${r.reason}`)
    ctx.exitCode = results.some((r) => r.outcome === 'failed') ? ExitCode.Error : ExitCode.Ok
  })
}
