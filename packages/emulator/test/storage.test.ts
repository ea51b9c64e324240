import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { GalleyError } from '@galley/core'
import { API_KEY_FILE, createEmulator, SCHEMA_VERSION, startEmulator } from '../src/index.ts'
import { apiFor, SIMPLE_MANIFEST, waitForRender } from './utils.ts'

const dirs: string[] = []
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'galley-emu-storage-'))
  dirs.push(dir)
  return dir
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

describe('data folder', () => {
  it('keeps templates, renders and PDFs across a clean restart', async () => {
    const dataDir = freshDir()
    const first = await startEmulator({ dataDir, apiKeys: ['ck_test_storage1'], quiet: true })
    const api = apiFor(first, 'ck_test_storage1')
    await api.request('PUT', '/v1/templates/kept', { name: 'Kept', manifest: SIMPLE_MANIFEST })
    const r = await api.request('POST', '/v1/templates/kept/render', { data: { customer: { name: 'K' } } })
    await waitForRender(api, r.body.id)
    await first.close()
    expect(existsSync(join(dataDir, 'renders', `${r.body.id}.pdf`))).toBe(true)
    expect(existsSync(join(dataDir, 'pglite', 'PG_VERSION'))).toBe(true)

    const second = await startEmulator({ dataDir, apiKeys: ['ck_test_storage1'], quiet: true })
    const api2 = apiFor(second, 'ck_test_storage1')
    expect((await api2.request('GET', '/v1/templates/kept')).body.currentVersionNumber).toBe(1)
    const again = await api2.request('GET', `/v1/renders/${r.body.id}`)
    expect(again.body.status).toBe('succeeded')
    // downloadUrl follows the new server url; the file is still served.
    expect(again.body.downloadUrl.startsWith(second.url)).toBe(true)
    expect((await fetch(again.body.downloadUrl)).status).toBe(200)
    await second.close()
  })

  it('without apiKeys: generates a ck_test_ key once (0600 file), then reuses it', async () => {
    const dataDir = freshDir()
    const first = await createEmulator({ dataDir, quiet: true })
    expect(first.apiKey).toMatch(/^ck_test_[A-Za-z0-9]{32}$/)
    expect(first.apiKeyCreated).toBe(true)
    const file = join(dataDir, API_KEY_FILE)
    expect(readFileSync(file, 'utf8').trim()).toBe(first.apiKey)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    await first.close()
    const second = await createEmulator({ dataDir, quiet: true })
    expect(second.apiKey).toBe(first.apiKey)
    expect(second.apiKeyCreated).toBe(false)
    expect((await apiFor(second, second.apiKey).request('GET', '/v1/templates')).status).toBe(200)
    await second.close()
  })

  it('refuses a second emulator on the same folder while the first is open', async () => {
    const dataDir = freshDir()
    const first = await createEmulator({ dataDir, quiet: true })
    await expect(createEmulator({ dataDir, quiet: true })).rejects.toThrow(GalleyError)
    await first.close()
    const after = await createEmulator({ dataDir, quiet: true })
    await after.close()
  })

  it('an emulator without dataDir uses a temporary folder and removes it on close', async () => {
    const emu = await createEmulator({ quiet: true })
    expect(existsSync(emu.dataDir)).toBe(true)
    const applied = await emu.store.db.query<{ version: number }>('SELECT max(version) AS version FROM schema_migrations')
    expect(applied.rows[0]!.version).toBe(SCHEMA_VERSION)
    await emu.close()
    expect(existsSync(emu.dataDir)).toBe(false)
  })

  it('builds new data folders from a cached, migrated template database', async () => {
    const emu = await createEmulator({ quiet: true })
    await emu.close()
    const cached = readdirSync(tmpdir()).filter((n) => /^galley-emulator-pglite-[0-9a-f]{12}$/.test(n))
    expect(cached.length).toBeGreaterThan(0)
  })

  it('rejects options it cannot honour with a GalleyError', async () => {
    await expect(createEmulator({ apiKeys: ['sk_live_nope'] })).rejects.toThrow(/Invalid API key/)
    await expect(createEmulator({ faults: '503:7' })).rejects.toThrow(/Invalid fault/)
    await expect(createEmulator({ renderConcurrency: 0 })).rejects.toThrow(/renderConcurrency/)
    await expect(createEmulator({ publicBaseUrl: 'ftp://x' })).rejects.toThrow(/publicBaseUrl/)
  })
})
