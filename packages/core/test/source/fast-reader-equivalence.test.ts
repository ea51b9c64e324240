import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

// The loader's two shortcuts (the fast YAML reader and the quick schema check) must never disagree with what they
// stand in for (`yaml` and the zod schema). The equivalence scripts in bench/lint compare them on the repo's
// templates, generated documents and seeded random mutations; CI runs them with smaller counts than the bench.
const run = promisify(execFile)
const repo = join(import.meta.dirname, '../../../..')

describe('loader shortcuts agree with the libraries they stand in for', () => {
  it('the fast YAML reader gives what `yaml` gives, for every text it accepts', async () => {
    const { stdout } = await run(process.execPath, [join(repo, 'bench/lint/yaml-equivalence.mjs'), '--mutations', '20000', '--seed', '11'], { cwd: repo })
    // execFile rejects on a non-zero exit: the script exits 1 on the first difference.
    expect(stdout).toMatch(/fast YAML reader = yaml on every accepted text: \d+ texts/)
  })

  it('the quick check accepts nothing the zod schema rejects', async () => {
    const { stdout } = await run(process.execPath, [join(repo, 'bench/lint/schema-equivalence.mjs'), '--cases', '20000', '--seed', '11'], { cwd: repo })
    expect(stdout).toMatch(/agrees with the schema on \d+ inputs/)
  })
})
