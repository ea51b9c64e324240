import type { MiddlewareHandler } from 'hono'
import { GalleyError } from '@galley/core'
import { EmulatorError } from '../errors.ts'
import { createPrng } from '../prng.ts'
import type { EmulatorEnv } from '../app.ts'

/** Per-request probabilities of each injected fault (0..1). */
export interface FaultRates {
  /** 503 `queue_unavailable`, answered before the handler runs: nothing is written. */
  unavailable: number
  /** The handler runs and commits, then the socket is destroyed: the client sees a network error. */
  reset: number
  /** A delay of up to {@link MAX_LATENCY_MS} before the handler. */
  latency: number
}

export const MAX_LATENCY_MS = 2000

const NAMES: Record<string, keyof FaultRates> = { '503': 'unavailable', reset: 'reset', latency: 'latency' }

/** Parses `503:0.2,reset:0.1,latency:0.2`; throws a GalleyError naming the bad part. */
export function parseFaults(spec: string): FaultRates {
  const rates: FaultRates = { unavailable: 0, reset: 0, latency: 0 }
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z0-9]+):([0-9]*\.?[0-9]+)$/i.exec(part)
    const name = m ? NAMES[m[1]!.toLowerCase()] : undefined
    const rate = m ? Number(m[2]) : NaN
    if (!m || !name || !(rate >= 0 && rate <= 1)) {
      throw new GalleyError('invalid_faults', `Invalid fault "${part}" in "${spec}"`, {
        hint: 'Use a comma-separated list of kind:rate with kind 503, reset or latency and a rate from 0 to 1, e.g. 503:0.2,reset:0.1,latency:0.2',
      })
    }
    rates[name] = rate
  }
  return rates
}

/**
 * Injects faults into `/v1` requests. Four draws per request, always in the same order, so the schedule depends
 * only on `seed` and the order of requests.
 */
export function faults(rates: FaultRates, seed: number): MiddlewareHandler<EmulatorEnv> {
  const random = createPrng(seed)
  return async (c, next) => {
    const unavailable = random() < rates.unavailable
    const reset = random() < rates.reset
    const spike = random() < rates.latency
    const delay = Math.round(random() * MAX_LATENCY_MS)
    if (spike) await new Promise((resolve) => setTimeout(resolve, delay))
    if (unavailable) {
      throw new EmulatorError(503, 'queue_unavailable', 'The render queue is unavailable (injected fault); retry with backoff')
    }
    await next()
    if (reset) {
      // The handler has committed its writes; drop the connection before the response goes out.
      const socket = c.env?.outgoing?.socket
      if (socket) {
        c.set('reset', true)
        socket.destroy()
      }
    }
  }
}
