import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { watchTemplates, type ChangeBatch, type TemplateWatcher } from '../src/engine/watch.ts'

// The watcher the plugin, `generate --watch` and `galley dev` share, on real files: what it reports, that runs
// never overlap, and that a newer change cancels an older run without losing its changes.
let dir: string
let watcher: TemplateWatcher | undefined
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'galley-watcher-'))
  await mkdir(join(dir, 'invoice', 'fixtures'), { recursive: true })
  await writeFile(join(dir, 'invoice', 'template.yaml'), 'slug: invoice\n')
})
afterEach(async () => {
  await watcher?.close()
  watcher = undefined
  await rm(dir, { recursive: true, force: true })
})

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('watchTemplates', () => {
  it('reports templates, fixtures and layouts by slug and kind, including new and deleted files', async () => {
    const batches: ChangeBatch[] = []
    watcher = watchTemplates(dir, async (batch) => void batches.push(batch), { debounceMs: 30 })
    await watcher.ready
    await writeFile(join(dir, 'invoice', 'fixtures', 'standard.json'), '{}')
    await writeFile(join(dir, 'invoice', 'layout.json'), '{}')
    await until(() => batches.flatMap((b) => b.changes).length >= 2, 'two changes')
    await watcher.idle()
    await rm(join(dir, 'invoice', 'fixtures', 'standard.json'))
    await until(() => batches.flatMap((b) => b.changes).some((c) => c.event === 'unlink'), 'the unlink')
    await watcher.idle()
    const changes = batches.flatMap((b) => b.changes).map((c) => [c.event, c.slug, c.kind])
    expect(changes).toEqual(
      expect.arrayContaining([
        ['add', 'invoice', 'fixture'],
        ['add', 'invoice', 'layout'],
        ['unlink', 'invoice', 'fixture'],
      ]),
    )
    expect(batches.every((b) => b.slugs.join() === 'invoice')).toBe(true)
  })

  it('runs one batch at a time; a newer change aborts the running one and hands its changes on', async () => {
    let running = 0
    let overlapped = false
    const seen: { files: string[]; aborted: boolean }[] = []
    watcher = watchTemplates(
      dir,
      async (batch, signal) => {
        running++
        if (running > 1) overlapped = true
        // A slow run (like a render), that stops when a newer change arrives.
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 1500)
          signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true })
        })
        seen.push({ files: batch.changes.map((c) => c.path.slice(dir.length + 1)), aborted: signal.aborted })
        running--
      },
      { debounceMs: 30 },
    )
    await watcher.ready
    await writeFile(join(dir, 'invoice', 'fixtures', 'a.json'), '{}')
    await until(() => running === 1, 'the first run to start')
    await writeFile(join(dir, 'invoice', 'fixtures', 'b.json'), '{}')
    await until(() => seen.some((s) => !s.aborted), 'a run that completes')
    await watcher.idle()
    expect(overlapped).toBe(false)
    expect(seen[0]).toMatchObject({ aborted: true })
    // The completed run holds both changes: the aborted run's and the new one.
    const last = seen.at(-1)!
    expect(last.aborted).toBe(false)
    expect(last.files).toEqual(expect.arrayContaining(['invoice/fixtures/a.json', 'invoice/fixtures/b.json']))
  })
})
