import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startEmulator, type RunningEmulator } from '@galley/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clientFor, galley, REPO_SLUGS, tempProject, testKey, versions } from './publish-utils.ts'

/**
 * A late commit, made to happen: a real HTTP proxy in front of a real emulator holds the first PUT of one slug
 * (does not forward it), so the client's attempt times out (GALLEY_HTTP_TIMEOUT_MS), the publisher re-reads
 * (nothing moved) and sends the PUT again. When that second PUT arrives, the proxy forwards it (it commits, v1),
 * then forwards the held first one (it commits late: v2), then answers the second. No timing decides the order.
 */
interface Proxy {
  url: string
  /** Slugs whose first PUT is held until the next PUT of the same slug has committed. */
  late: Set<string>
  puts: Map<string, number>
  close(): Promise<void>
}

async function startProxy(target: string): Promise<Proxy> {
  const held = new Map<string, () => Promise<void>>()
  const state = { late: new Set<string>(), puts: new Map<string, number>() }
  const forward = async (method: string, path: string, headers: Record<string, string>, body: Buffer) => {
    const upstream = await fetch(`${target}${path}`, { method, headers, body: body.length ? body : undefined })
    return { status: upstream.status, headers: upstream.headers, body: Buffer.from(await upstream.arrayBuffer()) }
  }
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v
    const slug = req.method === 'PUT' ? decodeURIComponent((req.url ?? '').split('/').pop() ?? '') : ''
    if (slug) state.puts.set(slug, (state.puts.get(slug) ?? 0) + 1)
    if (slug && state.late.has(slug) && !held.has(slug)) {
      // The first PUT: held. Its client gives up; the request is sent upstream later, when the retry has committed.
      held.set(slug, async () => {
        await forward(req.method!, req.url!, headers, body)
        res.destroy()
      })
      return
    }
    const answer = await forward(req.method!, req.url!, headers, body)
    const late = slug ? held.get(slug) : undefined
    if (late) {
      state.late.delete(slug)
      await late() // the first PUT commits now, after the retry did
    }
    const out: Record<string, string> = {}
    answer.headers.forEach((v, k) => {
      if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'content-encoding' && k !== 'connection') out[k] = v
    })
    res.writeHead(answer.status, out)
    res.end(answer.body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  })
}

const key = testKey('late')
let emulator: RunningEmulator
let proxy: Proxy

beforeAll(async () => {
  emulator = await startEmulator({ apiKeys: [key], quiet: true })
  proxy = await startProxy(emulator.url)
}, 60_000)
afterAll(async () => {
  await proxy?.close()
  await emulator?.close()
})

describe('galley publish: late commits', { timeout: 120_000 }, () => {
  it('reads back every written template and reports the extra version a late PUT minted, by slug; exit 0', async () => {
    const p = tempProject()
    try {
      proxy.late.add('invoice')
      const env = { CRAFTKIT_BASE_URL: proxy.url, CRAFTKIT_API_KEY: key, GALLEY_HTTP_TIMEOUT_MS: '4000' }
      const result = await galley(['publish', '--json'], { cwd: p.root, env })
      expect(result.code, result.stderr).toBe(0)
      const out = JSON.parse(result.stdout)
      expect(proxy.puts.get('invoice')).toBe(2)
      // The emulator does hold two versions of invoice; the others one.
      expect(await versions(clientFor(emulator.url, key), REPO_SLUGS)).toEqual({ 'charter-handover': 1, 'delivery-note': 1, 'inspection-report': 1, invoice: 2 })

      expect(out.summary).toMatchObject({ created: 4, failed: 0, writes: 5 })
      expect(out.results.find((r: { slug: string }) => r.slug === 'invoice')).toMatchObject({ outcome: 'created', versionNumber: 1, attempts: 2 })
      expect(out.readBack).toMatchObject({ checked: 4, movedOn: [] })
      expect(out.readBack.lateCommits).toEqual([
        {
          slug: 'invoice',
          previousVersion: null,
          writes: 1,
          expectedVersion: 1,
          currentVersion: 2,
          publishedVersion: 1,
          extraVersions: [2],
          attempts: 2,
          sameContent: true,
          compared: expect.stringContaining('name, description and manifest of v2'),
        },
      ])
      // Said on stderr too (--json keeps stdout for the JSON): the slug, the versions, same content, nothing to undo.
      expect(result.stderr).toMatch(/late commit: invoice has v1 and v2 where this publish wrote one version \(v1\).*minting v2\. Their content is the same .*nothing needs undoing/)

      // The human output says it after the summary; and the record follows invoice to v2, so nothing is rewritten.
      const again = await galley(['publish'], { cwd: p.root, env })
      expect(again.code, again.stderr).toBe(0)
      expect(again.stdout).toContain('0 to write, 4 unchanged')
      expect(again.stdout).not.toContain('late commit')
      expect(await versions(clientFor(emulator.url, key), ['invoice'])).toEqual({ invoice: 2 })
    } finally {
      proxy.late.clear()
      p.cleanup()
    }
  })
})
