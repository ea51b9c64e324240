import { existsSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { createInterface } from 'node:readline/promises'
import { writeFileAtomic } from '@galley/codegen'
import { GalleyError, SLUG_PATTERN } from '@galley/core'
import type { CliContext } from '../context.ts'
import { ExitCode } from '../exit-codes.ts'
import { toPosix } from '../paths.ts'
import type { RegisterCommand } from './registry.ts'

interface InitFlags {
  yes?: boolean
  cwd?: string
  templates: string
  output: string
  slug: string
  json?: boolean
}

/** What `.gitignore` must hold: the emulator's data (its key included) and rendered PDFs. */
export const GITIGNORE_LINES = ['.galley/emulator/', 'out/']

/** package.json scripts `galley init` adds (only those whose name is free). */
export const INIT_SCRIPTS: Record<string, string> = {
  'templates:lint': 'galley lint',
  'templates:generate': 'galley generate',
  'templates:dev': 'galley dev',
}

/** `galley init`: config, a starter template and fixture, .gitignore lines and scripts; never overwrites. */
export const registerInit: RegisterCommand = (program, ctx) => {
  program
    .command('init')
    .description('scaffold galley.config.ts, a starter template with a fixture, .gitignore lines and package.json scripts')
    .option('-y, --yes', 'use the defaults without asking (also when stdin is not a terminal)')
    .option('--templates <dir>', 'the templates folder', 'templates')
    .option('--output <file>', 'the generated module', 'craftkit.gen.ts')
    .option('--slug <slug>', 'the starter template', 'site-inspection')
    .option('--cwd <dir>', 'the project folder (default: the current one)')
    .option('--json', 'print what was written as JSON')
    .action(async (flags: InitFlags) => {
      ctx.exitCode = await runInit(flags, ctx)
    })
}

async function runInit(flags: InitFlags, ctx: CliContext): Promise<number> {
  const root = resolve(ctx.io.cwd, flags.cwd ?? '.')
  let { templates, output, slug } = flags
  const interactive = !flags.yes && !flags.json && process.stdin.isTTY === true && ctx.io.stdout.isTTY === true
  if (interactive) {
    const rl = createInterface({ input: process.stdin, output: process.stdout })
    try {
      templates = (await rl.question(`Templates folder (${templates}): `)).trim() || templates
      output = (await rl.question(`Generated module (${output}): `)).trim() || output
      slug = (await rl.question(`Starter template slug (${slug}): `)).trim() || slug
    } finally {
      rl.close()
    }
  }
  if (!SLUG_PATTERN.test(slug)) {
    throw new GalleyError('invalid_option', `"${slug}" is not a template slug.`, { hint: 'Use kebab-case: a-z, 0-9 and single hyphens, e.g. site-inspection.' })
  }

  const templateDir = join(root, templates, slug)
  const files: { path: string; text: string }[] = [
    { path: join(root, 'galley.config.ts'), text: configText(templates, output) },
    { path: join(templateDir, 'template.yaml'), text: templateText(slug, toPosix(relative(templateDir, join(root, 'node_modules/@galley/core/template.schema.json')))) },
    { path: join(templateDir, 'fixtures', 'sample.json'), text: `${JSON.stringify(SAMPLE_FIXTURE, null, 2)}\n` },
  ]
  const shown = (p: string) => toPosix(relative(root, p))
  const existing = files.filter((f) => existsSync(f.path)).map((f) => shown(f.path))
  const otherConfig = ['galley.config.mts', 'galley.config.mjs', 'galley.config.js', 'galley.config.json'].filter((name) => existsSync(join(root, name)))
  if (existing.length > 0 || otherConfig.length > 0) {
    throw new GalleyError('init_exists', `Nothing was written: ${[...existing, ...otherConfig].join(', ')} already exist${existing.length + otherConfig.length === 1 ? 's' : ''}.`, {
      hint: 'galley init never overwrites a file. Move those away, or use --slug/--templates to scaffold beside them.',
    })
  }

  // Work out every change before writing any, so a failure (an unreadable package.json) writes nothing.
  const gitignore = join(root, '.gitignore')
  const gitignoreText = existsSync(gitignore) ? readFileSync(gitignore, 'utf8') : null
  const present = new Set((gitignoreText ?? '').split(/\r?\n/).map((l) => l.trim().replace(/^\//, '')))
  const missing = GITIGNORE_LINES.filter((l) => !present.has(l) && !present.has(l.replace(/\/$/, '')))
  const packageJson = join(root, 'package.json')
  let pkg: { text: string; scripts: string[] } | null = null
  if (existsSync(packageJson)) {
    const text = readFileSync(packageJson, 'utf8')
    let parsed: Record<string, unknown>
    try {
      parsed = JSON.parse(text) as Record<string, unknown>
    } catch (error) {
      throw new GalleyError('init_package_json', `package.json is not valid JSON (${(error as Error).message}); nothing was written.`, { hint: 'Fix package.json, then run galley init again.' })
    }
    const scripts = (parsed.scripts && typeof parsed.scripts === 'object' ? parsed.scripts : {}) as Record<string, string>
    const added = Object.keys(INIT_SCRIPTS).filter((name) => !(name in scripts))
    if (added.length > 0) {
      parsed.scripts = { ...scripts, ...Object.fromEntries(added.map((n) => [n, INIT_SCRIPTS[n]!])) }
      const indent = /^\{\n([ \t]+)"/.exec(text)?.[1] ?? '  '
      pkg = { text: `${JSON.stringify(parsed, null, indent)}\n`, scripts: added }
    }
  }

  for (const f of files) await writeFileAtomic(f.path, f.text)
  if (missing.length > 0) {
    const base = gitignoreText ?? ''
    const sep = base === '' || base.endsWith('\n') ? '' : '\n'
    await writeFileAtomic(gitignore, `${base}${sep}${base === '' ? '' : '\n'}# Galley: the local emulator's data (its key included) and rendered PDFs\n${missing.join('\n')}\n`)
  }
  if (pkg) await writeFileAtomic(packageJson, pkg.text)

  const next = ['galley lint && galley publish', 'galley generate', 'galley render --all']
  if (flags.json) {
    ctx.out(JSON.stringify({ created: files.map((f) => shown(f.path)), gitignore: missing, scripts: pkg?.scripts ?? [], next }, null, 2))
    return ExitCode.Ok
  }
  const { c } = ctx
  for (const f of files) ctx.out(`${c.green('created')} ${shown(f.path)}`)
  if (missing.length > 0) ctx.out(`${c.green('updated')} .gitignore (${missing.join(', ')})`)
  if (pkg) ctx.out(`${c.green('updated')} package.json (scripts: ${pkg.scripts.join(', ')})`)
  ctx.out('')
  ctx.out('Next:')
  ctx.out(`  ${c.bold(next[0]!)}   # check the template, publish it to the local emulator (no key needed)`)
  ctx.out(`  ${c.bold(next[1]!)}                 # write ${output} with a typed render function`)
  ctx.out(`  ${c.bold(next[2]!)}             # render the fixture to out/${slug}/sample.pdf`)
  ctx.out(c.dim('Or run `galley dev` for all of it on every save, with a preview page.'))
  return ExitCode.Ok
}

function configText(templates: string, output: string): string {
  return `import type { GalleyConfig } from '@galley/cli'

// Galley's config: where the templates live and where the typed module goes. Targets other than the local
// emulator go under \`environments\` (their keys are read from the variable you name, never written here).
// The import is types only, so this file loads even before the packages are installed.
export default {
  templates: ${JSON.stringify(templates)},
  output: ${JSON.stringify(output)},
  environments: {
    // production: { baseUrl: 'https://api.craftkit.dev', apiKeyEnv: 'CRAFTKIT_API_KEY' },
  },
} satisfies GalleyConfig
`
}

function templateText(slug: string, schemaPath: string): string {
  const name = slug
    .split('-')
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(' ')
  return `# yaml-language-server: $schema=${schemaPath}
slug: ${slug}
name: ${name}
description: A starter template made by galley init. Edit it, then run galley dev to see the PDF on every save.
pageConfig: { format: A4, orientation: portrait, margin: 20mm }
variables:                    # scalars; a dot-path nests: site.name -> { site: { name } }
  site.name:              { label: Site, dataType: text, required: true }
  inspection.date:        { label: Date, dataType: date, required: true }
  inspector.name:         { label: Inspector, dataType: text, required: true }
  inspector.signatureUrl: { label: Signature, dataType: image }    # an http(s) URL of a PNG or JPEG
loops:                        # loop keys are dot-free and top-level; rows go in data.areas
  areas:
    label: Inspected areas
    itemFields:
      area:      { label: Area, dataType: text, required: true }
      condition: { label: Condition, dataType: text, required: true }
      notes:     { label: Notes, dataType: longtext }
`
}

const SAMPLE_FIXTURE = {
  site: { name: 'North Pier' },
  inspection: { date: '2026-06-04' },
  inspector: { name: 'Jane Doe' },
  areas: [
    { area: 'Deck', condition: 'good' },
    { area: 'Railings', condition: 'worn', notes: 'Repaint before the season.' },
  ],
}
