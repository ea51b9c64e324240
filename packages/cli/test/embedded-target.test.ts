import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { galley, REPO_SLUGS, tempProject } from './publish-utils.ts'

describe('the embedded emulator (no --env, no CRAFTKIT_* variables)', { timeout: 180_000 }, () => {
  it('publishes on a fresh clone, keeps its key in .galley/emulator/api-key (0600, never printed), and republishes nothing', async () => {
    const p = tempProject()
    try {
      const first = await galley(['publish'], { cwd: p.root })
      expect(first.code, first.stderr).toBe(0)
      expect(first.stdout).toContain('Publishing to embedded emulator')
      expect(first.stdout).toContain('4 created')
      const keyFile = join(p.root, '.galley/emulator/api-key')
      const key = readFileSync(keyFile, 'utf8').trim()
      expect(key).toMatch(/^ck_test_/)
      expect(statSync(keyFile).mode & 0o777).toBe(0o600)

      const plan = await galley(['plan', '--json'], { cwd: p.root })
      expect(plan.code, plan.stderr).toBe(0)
      const parsed = JSON.parse(plan.stdout)
      expect(parsed.target).toMatchObject({ name: 'embedded emulator', id: 'embedded', embedded: true })
      expect(parsed.templates.map((t: { slug: string; action: string; remote: { versionNumber: number } }) => [t.slug, t.action, t.remote.versionNumber])).toEqual(
        REPO_SLUGS.map((s) => [s, 'unchanged', 1]),
      )
      const second = await galley(['publish', '--json'], { cwd: p.root })
      expect(JSON.parse(second.stdout).summary.writes).toBe(0)

      const rendered = await galley(['render', 'charter-handover', '--fixture', 'checkout'], { cwd: p.root })
      expect(rendered.code, rendered.stderr).toBe(0)
      expect(readFileSync(join(p.root, 'out/charter-handover/checkout.pdf')).subarray(0, 5).toString()).toBe('%PDF-')
      for (const o of [first, plan, second, rendered]) {
        expect(o.stdout).not.toContain(key)
        expect(o.stderr).not.toContain(key)
      }
    } finally {
      p.cleanup()
    }
  })

  it('refuses an ambiguous target: CRAFTKIT_API_KEY without CRAFTKIT_BASE_URL', async () => {
    const p = tempProject()
    try {
      // A made-up live-shaped key, built at run time so no key-shaped literal sits in the repo.
      const r = await galley(['plan'], { cwd: p.root, env: { CRAFTKIT_API_KEY: `ck_live_${'secret'.repeat(3)}1234` } })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('CRAFTKIT_API_KEY is set but CRAFTKIT_BASE_URL is not')
      expect(r.stderr).not.toContain('ck_live_secret')
    } finally {
      p.cleanup()
    }
  })
})
