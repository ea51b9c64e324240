import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clientFor, galley, generatedTemplate, generateTemplates, REPO_SLUGS, tempProject, startEmulatorProcess, testKey, versions, writeTemplate } from './publish-utils.ts'

// 20% 503s, 10% connection resets after the write committed, 20% latency spikes: every PUT that fails
// ambiguously must be re-read before it is sent again, or templates gain duplicate versions. The faults come
// from a real `galley emulator --faults … --seed …` process, as a user would start it for this check.
const FAULTS = '503:0.2,reset:0.1,latency:0.2'
const key = testKey('faults')
const dataDir = mkdtempSync(join(tmpdir(), 'galley-faults-'))
const servers: ChildProcess[] = []
let url: string

beforeAll(async () => {
  const run = await startEmulatorProcess(['--data', dataDir, '--api-key', key, '--faults', FAULTS, '--seed', '20261125', '--quiet'], { track: servers })
  url = run.url
  expect(run.stdout()).toContain(`faults: ${FAULTS}`)
}, 60_000)
afterAll(async () => {
  for (const server of servers) {
    if (server.exitCode !== null) continue
    const exited = new Promise((resolve) => server.once('exit', resolve))
    server.kill('SIGTERM')
    await exited
  }
  rmSync(dataDir, { recursive: true, force: true })
})

describe('galley publish under faults', { timeout: 600_000 }, () => {
  it('converges in one run with exactly one new version per changed template (4 repo + 200 generated)', async () => {
    const p = tempProject()
    try {
      const generated = generateTemplates(p.root, 200)
      const all = [...REPO_SLUGS, ...generated]
      const env = { CRAFTKIT_BASE_URL: url, CRAFTKIT_API_KEY: key }
      const client = clientFor(url, key)

      const first = await galley(['publish', '--json'], { cwd: p.root, env })
      expect(first.code, first.stderr).toBe(0)
      const firstResult = JSON.parse(first.stdout)
      expect(firstResult.summary).toMatchObject({ created: 204, failed: 0 })
      // The faults did fire: some PUTs were retried, and some ambiguous failures had in fact landed.
      expect(firstResult.summary.writes).toBeGreaterThan(204)
      expect(firstResult.results.some((r: { recovered?: boolean }) => r.recovered)).toBe(true)
      const v1 = await versions(client, all)
      expect(Object.values(v1).every((v) => v === 1), JSON.stringify(v1)).toBe(true)

      // Change every other generated template and one repo template; the rest must stay at v1.
      const changed = new Set(['invoice', ...generated.filter((_, i) => i % 2 === 0)])
      generated.forEach((slug, i) => {
        if (changed.has(slug)) writeTemplate(p.root, slug, generatedTemplate(slug, i + 1, 1))
      })
      const invoice = join(p.root, 'templates/invoice/template.yaml')
      writeFileSync(invoice, readFileSync(invoice, 'utf8').replace('name: Invoice', 'name: Invoice (2027)'))

      const second = await galley(['publish', '--json'], { cwd: p.root, env })
      expect(second.code, second.stderr).toBe(0)
      expect(JSON.parse(second.stdout).summary).toMatchObject({ created: 0, updated: changed.size, failed: 0 })
      const v2 = await versions(client, all)
      const wrong = all.filter((s) => v2[s] !== (changed.has(s) ? 2 : 1))
      expect(wrong, JSON.stringify(Object.fromEntries(wrong.map((s) => [s, v2[s]])))).toEqual([])

      // And a third run converges to zero writes, faults or not.
      const third = await galley(['publish', '--json'], { cwd: p.root, env })
      expect(third.code, third.stderr).toBe(0)
      expect(JSON.parse(third.stdout).summary).toMatchObject({ writes: 0, unchanged: 204 })
      expect(await versions(client, all)).toEqual(v2)
    } finally {
      p.cleanup()
    }
  })
})
