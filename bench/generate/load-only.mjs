// What `galley generate` spends before generating anything: the config and every template source, read by
// @galley/core as the CLI's `loadProject` reads them, in a process of its own. The cold CLI row minus this one
// is the generator's share. `node bench/generate/load-only.mjs <project dir>`
import { join } from 'node:path'

const repo = join(import.meta.dirname, '../..')
const { loadConfig, loadTemplateSources } = await import(join(repo, 'packages/core/dist/index.mjs'))
const config = await loadConfig({ cwd: process.argv[2] })
const sources = await loadTemplateSources({ root: config.root, templatesDir: config.templates })
if (sources.length === 0) throw new Error('no sources')
