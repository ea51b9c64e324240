// One cold generation as its own process without the CLI: load the corpus sources (load.mjs), generate with
// @galley/codegen, write atomically. `node bench/generate/cold-codegen.mjs <project dir> <out file>`
import { join } from 'node:path'

const repo = join(import.meta.dirname, '../..')
const { generateModule, writeGenerated } = await import(join(repo, 'packages/codegen/dist/index.mjs'))
const { loadTemplates } = await import('./load.mjs')
const [dir, out] = process.argv.slice(2)
await writeGenerated(out, await generateModule(await loadTemplates(dir)))
