import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startEmulator, type RunningEmulator } from '@galley/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { galley, tempProject, testKey } from './publish-utils.ts'

const key = testKey('staging')
let emulator: RunningEmulator

beforeAll(async () => {
  emulator = await startEmulator({ apiKeys: [key], quiet: true })
}, 60_000)
afterAll(async () => {
  await emulator?.close()
})

describe('--env NAME', { timeout: 60_000 }, () => {
  it('targets a config environment with the key from its apiKeyEnv variable, and names what is missing', async () => {
    const p = tempProject()
    try {
      writeFileSync(join(p.root, 'galley.config.json'), JSON.stringify({ environments: { staging: { baseUrl: emulator.url, apiKeyEnv: 'STAGING_CRAFTKIT_KEY' } } }))
      const ok = await galley(['plan', '--env', 'staging', '--json'], { cwd: p.root, env: { STAGING_CRAFTKIT_KEY: key } })
      expect(ok.code, ok.stderr).toBe(0)
      const plan = JSON.parse(ok.stdout)
      expect(plan.target).toMatchObject({ name: 'staging', baseUrl: emulator.url, embedded: false })
      expect(plan.target.id).toMatch(/^env-staging-[0-9a-f]{12}$/)
      expect(ok.stdout).not.toContain(key)

      const missing = await galley(['plan', '--env', 'staging'], { cwd: p.root })
      expect(missing.code).toBe(1)
      expect(missing.stderr).toContain('Environment "staging" reads its API key from $STAGING_CRAFTKIT_KEY, which is not set.')

      const unknown = await galley(['plan', '--env', 'prod'], { cwd: p.root, env: { STAGING_CRAFTKIT_KEY: key } })
      expect(unknown.code).toBe(1)
      expect(unknown.stderr).toContain('No environment "prod" in galley.config.json.')
      expect(unknown.stderr).toContain('Use one of: staging.')
      expect(unknown.stderr).not.toMatch(/\n\s+at /)
    } finally {
      p.cleanup()
    }
  })
})
