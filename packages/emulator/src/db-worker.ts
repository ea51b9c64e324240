/**
 * @module The database thread (a `worker_threads` entry, built to `dist/db-worker.mjs`): PGlite runs one query at a
 * time and blocks the thread it runs on, so the emulator keeps it here, off the HTTP server's event loop. The main
 * thread calls `Store` methods by name (`src/storage/remote-store.ts`); each call runs here, transactions included.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { openDatabase } from './storage/pglite.ts'
import { Store } from './storage/store.ts'
import { serializeError } from './storage/remote-store.ts'

if (!parentPort) throw new Error('db-worker.mjs runs as a worker thread of @galley/emulator')
const port = parentPort
const { dataDir } = workerData as { dataDir: string | undefined }
let store: Store | undefined

port.on('message', (msg: { id: number; method: string; args: unknown[] }) => {
  void run(msg.method, msg.args).then(
    (value) => port.postMessage({ id: msg.id, value }),
    (error: unknown) => port.postMessage({ id: msg.id, error: serializeError(error) }),
  )
})

async function run(method: string, args: unknown[]): Promise<unknown> {
  if (method === 'open') {
    store = new Store(await openDatabase(dataDir))
    return undefined
  }
  if (!store) throw new Error('the emulator database is not open')
  if (method === 'db.query') {
    const r = await store.db.query(args[0] as string, args[1] as unknown[] | undefined)
    return { rows: r.rows, affectedRows: r.affectedRows, fields: r.fields }
  }
  if (method === 'db.exec') {
    const r = await store.db.exec(args[0] as string)
    return r.map((x) => ({ rows: x.rows, affectedRows: x.affectedRows, fields: x.fields }))
  }
  const fn = (store as unknown as Record<string, unknown>)[method]
  if (typeof fn !== 'function' || method.startsWith('_') || method === 'constructor') throw new Error(`no Store method ${method}`)
  return (fn as (...a: unknown[]) => unknown).apply(store, args)
}
