import { execFileSync } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { checkGenerated, writeGenerated } from '../src/write.ts'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'galley-codegen-write-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('writeGenerated', () => {
  it('creates folders, writes, and skips the write when the bytes are equal', async () => {
    const file = join(dir, 'src', 'gen', 'craftkit.gen.ts')
    expect(await writeGenerated(file, 'one\n')).toEqual({ file, written: true })
    expect(await readFile(file, 'utf8')).toBe('one\n')
    expect(await writeGenerated(file, 'one\n')).toEqual({ file, written: false })
    expect(await writeGenerated(file, 'two\n')).toEqual({ file, written: true })
    expect(await readFile(file, 'utf8')).toBe('two\n')
    expect(await readdir(join(dir, 'src', 'gen'))).toEqual(['craftkit.gen.ts'])
  })

  it('leaves the previous file intact and no temporary file when the write fails', async () => {
    const file = join(dir, 'craftkit.gen.ts')
    await writeFile(file, 'previous\n')
    // A real failed write, even as root: the child's file-size limit (ulimit -f, in 512-byte blocks) makes the
    // write of a 100 kB module fail with EFBIG half-way, as a full disk would. Runs the built package.
    const script = `import { writeGenerated } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, '../dist/index.mjs')).href)}
      try { await writeGenerated(${JSON.stringify(file)}, 'x'.repeat(100000)); console.log('written') } catch (e) { console.log(e.code) }`
    const out = execFileSync('bash', ['-c', 'ulimit -f 8; exec "$0" --input-type=module -e "$1"', process.execPath, script], { encoding: 'utf8' })
    expect(out.trim()).toBe('EFBIG')
    expect(await readFile(file, 'utf8')).toBe('previous\n')
    expect(await readdir(dir)).toEqual(['craftkit.gen.ts'])
  })

  it('replaces the file with a rename, so a reader never sees a partial file', async () => {
    const file = join(dir, 'craftkit.gen.ts')
    const big = 'x'.repeat(4_000_000)
    await writeFile(file, 'previous\n')
    const seen = new Set<number>()
    let done = false
    const reader = (async () => {
      while (!done) {
        seen.add((await readFile(file, 'utf8')).length)
        await new Promise((r) => setImmediate(r))
      }
    })()
    await writeGenerated(file, big)
    done = true
    await reader
    for (const length of seen) expect([9, big.length]).toContain(length)
  })
})

describe('checkGenerated', () => {
  it('reports a missing file, a stale file with a diff, and an up-to-date file, writing nothing', async () => {
    const file = join(dir, 'craftkit.gen.ts')
    expect(await checkGenerated(file, 'a\n')).toMatchObject({ upToDate: false, reason: 'missing' })
    expect(await readdir(dir)).toEqual([])
    await writeFile(file, 'a\nb\n')
    const stale = await checkGenerated(file, 'a\nc\n')
    expect(stale).toMatchObject({ upToDate: false, reason: 'different' })
    expect(stale.diff).toContain('-b\n+c')
    expect(await readFile(file, 'utf8')).toBe('a\nb\n')
    expect(await checkGenerated(file, 'a\nb\n')).toEqual({ file, upToDate: true })
  })
})
