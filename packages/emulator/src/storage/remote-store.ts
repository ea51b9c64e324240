import { Worker } from 'node:worker_threads'
import { GalleyError } from '@galley/core'
import { EmulatorError } from '../errors.ts'
import { workerFile } from '../worker-file.ts'
import type { Store } from './store.ts'

/** An error as it crosses from the database thread: enough to rebuild the emulator's own error classes. */
interface SerializedError {
  kind: 'EmulatorError' | 'GalleyError' | 'Error'
  message: string
  status?: number
  code?: string
  issues?: unknown
  hint?: string
  stack?: string
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof EmulatorError) {
    return { kind: 'EmulatorError', message: error.message, status: error.status, code: error.code, issues: error.issues }
  }
  if (error instanceof GalleyError) return { kind: 'GalleyError', message: error.message, code: error.code, ...(error.hint ? { hint: error.hint } : {}) }
  const e = error instanceof Error ? error : new Error(String(error))
  const code = (e as { code?: unknown }).code
  return { kind: 'Error', message: e.message, ...(typeof code === 'string' ? { code } : {}), ...(e.stack ? { stack: e.stack } : {}) }
}

function reviveError(s: SerializedError): Error {
  if (s.kind === 'EmulatorError') return new EmulatorError(s.status as never, s.code!, s.message, s.issues as never)
  if (s.kind === 'GalleyError') return new GalleyError(s.code!, s.message, s.hint ? { hint: s.hint } : {})
  const e = new Error(s.message) as Error & { code?: string }
  if (s.code) e.code = s.code
  if (s.stack) e.stack = `${s.stack}\n    (in the emulator's database thread)`
  return e
}

/**
 * Opens the emulator's database in its own thread (`dist/db-worker.mjs`) and returns a `Store` whose methods run
 * there: the same methods and results (rows are structured-cloned), errors rebuilt as `EmulatorError` /
 * `GalleyError`. `store.db` offers `query` and `exec` (tests and tools). PGlite's work no longer blocks the HTTP
 * server's event loop; the store's calls still run one at a time, in order.
 */
export async function openRemoteStore(dataDir: string | undefined): Promise<Store> {
  const worker = new Worker(workerFile('db-worker.mjs'), { name: 'galley-db', workerData: { dataDir } })
  const calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>()
  let nextId = 1
  let dead: Error | undefined
  // Referenced only while a call is pending: an idle database thread never keeps a process alive.
  worker.unref()
  const fail = (error: Error): void => {
    dead ??= error
    for (const c of calls.values()) c.reject(error)
    calls.clear()
  }
  worker.on('message', (msg: { id: number; value?: unknown; error?: SerializedError }) => {
    const c = calls.get(msg.id)
    if (!c) return
    calls.delete(msg.id)
    if (calls.size === 0) worker.unref()
    if (msg.error) c.reject(reviveError(msg.error))
    else c.resolve(msg.value)
  })
  worker.on('error', (error) => fail(new Error(`The emulator's database thread failed: ${error.message}`)))
  worker.on('exit', (code) => fail(new Error(`The emulator's database thread stopped (exit code ${code})`)))

  const call = (method: string, args: unknown[]): Promise<never> => {
    if (dead) return Promise.reject(dead)
    return new Promise((resolve, reject) => {
      const id = nextId++
      if (calls.size === 0) worker.ref()
      calls.set(id, { resolve: resolve as (v: unknown) => void, reject })
      worker.postMessage({ id, method, args })
    })
  }

  try {
    await call('open', [])
  } catch (error) {
    await worker.terminate()
    throw error
  }
  let closed = false
  const db = {
    query: (sql: string, params?: unknown[]) => call('db.query', [sql, params]),
    exec: (sql: string) => call('db.exec', [sql]),
    get closed() {
      return closed
    },
  }
  return new Proxy({} as Store, {
    get(_target, prop) {
      if (prop === 'db') return db
      if (prop === 'then' || typeof prop !== 'string') return undefined
      if (prop === 'close') {
        return async () => {
          if (closed) return
          closed = true
          await call('close', []).catch(() => undefined)
          await worker.terminate()
        }
      }
      return (...args: unknown[]) => call(prop, args)
    },
  })
}
