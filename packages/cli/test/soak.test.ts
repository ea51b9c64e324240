import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { repoRoot } from './publish-utils.ts'

/**
 * The short version of bench/soak (issue 11): 2,000 mixed requests at 32 clients against `galley emulator
 * --faults …`, SIGKILLed and restarted halfway. Asserts on its counts, never on its times.
 */
function runSoak(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bench/soak/run.mjs'), ...args], { env: { ...process.env, NO_COLOR: '1' } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.once('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('bench/soak --requests 2000', { timeout: 900_000 }, () => {
  it('loses nothing across a SIGKILL, one render per key, no 5xx but the injected ones, no stack traces, bounded RSS', async () => {
    const run = await runSoak(['--requests', '2000', '--clients', '32', '--seed', '7'])
    const line = run.stdout.split('\n').find((l) => l.startsWith('SOAK '))
    expect(line, `${run.stdout}\n${run.stderr}`).toBeDefined()
    const r = JSON.parse(line!.slice('SOAK '.length))
    console.log(run.stdout.split('\n').filter((l) => !l.startsWith('SOAK ')).join('\n'))

    expect(r.requests).toBe(2000)
    expect(r.renders.accepted).toBeGreaterThan(100)
    expect(r.renders.notTerminal).toBe(0)
    expect(r.renders.succeeded + r.renders.failed).toBe(r.renders.accepted)
    expect(r.keys.used).toBeGreaterThan(10)
    expect(r.keys.moreThanOne).toBe(0)
    // The faults fired, and every 5xx was one of them.
    expect(r.fiveXx.injected).toBeGreaterThan(0)
    expect(r.resets).toBeGreaterThan(0)
    expect(r.fiveXx.other, r.fiveXx.otherSamples.join('\n')).toBe(0)
    expect(r.unexpectedStatus, r.unexpectedSamples.join('\n')).toBe(0)
    expect(r.stackTraces, r.stackSamples.join('\n')).toBe(0)
    // The SIGKILL: renders accepted before it, and their webhook deliveries, all there after the restart.
    expect(r.kill.acceptedBefore).toBeGreaterThan(50)
    expect(r.kill.lostRenders).toBe(0)
    expect(r.kill.lostWebhooks).toBe(0)
    expect(r.lost).toBe(0)
    expect(r.webhooks).toMatchObject({ missing: 0, badSignature: 0, moreThanOneDeliveryId: 0 })
    expect(r.rss.ratio).toBeLessThanOrEqual(1.5)
    expect(Object.values(r.checks).every(Boolean)).toBe(true)
    expect(run.code).toBe(0)
  })
})
