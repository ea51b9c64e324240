/**
 * Plays an offline-first mobile app that records charter-handover sign-offs on a boat with no signal:
 *
 * 1. offline: N sign-offs go into the local outbox (a JSON file);
 * 2. reconnect, first replay: every queued sign-off is sent, all at once, and every response is LOST (the
 *    requests reached Craftkit, the phone dropped off the network before the answers came back), so the outbox
 *    still holds them all;
 * 3. second replay: the app sends the same outbox again. Each request carries the idempotency key derived from
 *    the business event (booking + handover kind), so Craftkit answers with the render the first replay made
 *    (HTTP 200, `replayed`) instead of making a second PDF. Now the answers arrive: wait, then dequeue.
 *
 * It ends with `RESULT sign-offs=N requests=2N distinct-renders=N` and exit code 0 when each sign-off produced
 * exactly one render, 1 otherwise.
 *
 *   node dist/replay.js [--count 5] [--outbox out/outbox.json]
 *
 * Env: CRAFTKIT_BASE_URL, CRAFTKIT_API_KEY (never printed).
 */
import { randomUUID } from 'node:crypto'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { renderCharterHandover, type CharterHandoverData } from './craftkit.gen.ts'
import { Outbox } from './outbox.ts'

/** One key per business event: this booking's check-in or check-out. The same sign-off always maps to it. */
export function idempotencyKeyFor(data: CharterHandoverData): string {
  return `handover-${data.booking.code}-${data.handover.kind}`
}

/** The i-th sign-off the crew records offline (distinct bookings; alternating check-in and check-out). */
function signOff(i: number): CharterHandoverData {
  return {
    booking: { code: `BK-${20000 + i}`, activityName: i % 2 ? 'Sunset Charter' : 'Island Day Trip' },
    handover: { kind: i % 2 ? 'checkout' : 'checkin', date: `2026-06-${String(1 + (i % 28)).padStart(2, '0')}`, signedBy: `Skipper ${i}` },
    areas: [
      { areaKey: 'hull', condition: i % 3 ? 'ok' : 'damage', ...(i % 3 ? {} : { severity: 'cosmetic', location: 'port bow' }) },
      { areaKey: 'engine', condition: 'ok' },
    ],
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { count: { type: 'string', default: '5' }, outbox: { type: 'string', default: 'out/outbox.json' } },
  })
  const count = Number(values.count)
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw new Error(`--count must be an integer 1-1000 (got ${values.count})`)
  if (!process.env.CRAFTKIT_API_KEY || !process.env.CRAFTKIT_BASE_URL) {
    throw new Error('Set CRAFTKIT_BASE_URL and CRAFTKIT_API_KEY (e.g. from `galley emulator`; see README)')
  }
  const outbox = new Outbox(resolve(values.outbox))
  outbox.clear()

  // 1. Offline: queue the sign-offs locally.
  for (let i = 1; i <= count; i++) outbox.add({ localId: randomUUID(), queuedAt: new Date().toISOString(), data: signOff(i) })
  console.log(`offline: queued ${count} sign-offs in ${values.outbox}`)

  let requests = 0
  const send = (data: CharterHandoverData) => {
    requests++
    return renderCharterHandover(data, { idempotencyKey: idempotencyKeyFor(data) })
  }

  // 2. Reconnect, first replay: the requests go out and are processed; the responses never reach the app.
  const lost = await Promise.all(outbox.list().map((item) => send(item.data)))
  console.log(`replay 1: sent ${lost.length} requests; every response was lost, the outbox still holds ${outbox.list().length}`)

  // 3. Second replay, one at a time: the answers arrive now.
  const renderIds = new Set<string>()
  let replayed = 0
  for (const item of outbox.list()) {
    const queued = await send(item.data)
    const done = await queued.wait()
    if (queued.replayed) replayed++
    renderIds.add(done.id)
    outbox.remove(item.localId)
    console.log(
      `replay 2: ${item.data.booking.code} ${item.data.handover.kind} -> render ${done.id} ${done.status}` +
        ` (${queued.replayed ? 'replay of the render the lost request made' : 'NEW render'})`,
    )
  }

  // The lost responses are what the network saw: they name the same renders (never known to the app).
  for (const r of lost) renderIds.add(r.id)
  const ok = renderIds.size === count && replayed === count && outbox.list().length === 0
  console.log(`replay 2: ${replayed} of ${count} answers were replays of an existing render; the outbox is empty: ${outbox.list().length === 0}`)
  console.log(`RESULT sign-offs=${count} requests=${requests} distinct-renders=${renderIds.size}`)
  console.log(ok ? `OK: each sign-off produced exactly one render` : `FAIL: expected ${count} renders, one per sign-off`)
  return ok ? 0 : 1
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    // CraftkitError messages are redacted by the client: they never hold the API key.
    console.error(`replay failed: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  },
)
