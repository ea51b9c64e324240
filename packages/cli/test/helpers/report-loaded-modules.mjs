// Preloaded with `node --import` by the fast-path tests: when the process exits, it writes the generator
// libraries that were loaded (CommonJS cache; @galley/codegen requires them) as one line on stderr, and prettier,
// which json-schema-to-typescript would require for a `format` option the generator never sets.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
process.on('exit', () => {
  const loaded = new Set()
  for (const file of Object.keys(require.cache)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file.replaceAll('\\', '/').split('/.pnpm/').pop() ?? '')
    if (m && ['typescript', 'ts-morph', '@ts-morph/common', 'json-schema-to-typescript', 'prettier'].includes(m[1])) loaded.add(m[1])
    // ts-morph ships its own copy of the compiler (@ts-morph/common/dist/typescript.js).
    if (/[\\/]typescript\.js$/.test(file)) loaded.add('typescript')
  }
  process.stderr.write(`\nGENERATOR-MODULES ${JSON.stringify([...loaded].sort())}\n`)
})
