/** Options of {@link startEmulator} / {@link createEmulator}. */
export interface EmulatorOptions {
  /** Port to listen on; 0 = a free port. @default 0 (the CLI defaults to 3000) */
  port?: number
  /** @default '127.0.0.1' */
  host?: string
  /**
   * Folder for the PGlite database (`pglite/`), the PDFs (`renders/`) and the generated key (`api-key`).
   * @default a fresh temporary folder (the database then lives in memory), removed on `close()`
   */
  dataDir?: string
  /**
   * Project keys (`ck_test_…` / `ck_live_…`); each seeds a project with that key (once; later starts reuse it).
   * None: one project with a generated `ck_test_` key, kept in `<dataDir>/api-key` and reused on later starts.
   */
  apiKeys?: string[]
  /** Render webhook subscriptions (`render.succeeded`, `render.failed`), signed as Craftkit does. */
  webhooks?: { url: string; secret: string }[]
  /** Base of `downloadUrl` and `shareUrl`. @default the server's own url */
  publicBaseUrl?: string
  /** Injected faults on `/v1` routes, e.g. `'503:0.2,reset:0.1,latency:0.2'`. @default none */
  faults?: string
  /** Seed of the fault schedule. @default 1 */
  seed?: number
  /** Renders claimed at once (queued beyond the workers when larger). @default max(4, renderWorkers) */
  renderConcurrency?: number
  /**
   * Worker threads that run pdfkit, so the HTTP server's event loop only answers requests and moves state.
   * 0 renders on the main thread (no workers). @default os.availableParallelism()
   */
  renderWorkers?: number
  /**
   * Run PGlite in its own worker thread (`dist/db-worker.mjs`), so its queries never block the HTTP event loop.
   * `false` keeps it on the main thread. @default true
   */
  databaseThread?: boolean
  /** A render still running after this long fails (`errorMessage`), and its worker is replaced. @default 120000 */
  renderTimeoutMs?: number
  /**
   * Webhook retry backoff base: the wait after attempt n is base * 2^(n-1) (1 s, 2 s, 4 s, 8 s, 16 s by default).
   * @default 1000
   */
  webhookRetryDelayMs?: number
  /** Attempts per webhook delivery before it is marked abandoned. @default 6 (API.md §10) */
  webhookMaxAttempts?: number
  /** Per-attempt timeout of a webhook delivery. @default 15000 */
  webhookTimeoutMs?: number
  /**
   * TESTS ONLY: makes chosen renders misbehave inside the renderer (`throw`, `crash` the worker, or `hang` past
   * `renderTimeoutMs`). A function, so it can only be set by code that constructs the emulator: no HTTP request,
   * CLI flag or environment variable reaches it.
   */
  renderFault?: (render: { renderId: string; templateSlug: string; data: Record<string, unknown> }) => 'throw' | 'crash' | 'hang' | undefined
  /** Timeout of each image fetch of a render. @default 5000 */
  imageTimeoutMs?: number
  /** Largest request body in bytes (413 `payload_too_large` above). @default 5 MiB */
  bodyLimitBytes?: number
  /** No request log lines. @default false */
  quiet?: boolean
  /** Where log lines go: one per request (method, path, status, ms; never the key), and internal errors. @default stderr */
  log?: (line: string) => void
}

/** A started emulator. */
export interface RunningEmulator {
  /** e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string
  /** The first project key: `apiKeys[0]`, or the generated/stored one. */
  apiKey: string
  /** Every key this start seeded (or the one generated key). */
  apiKeys: string[]
  /** Absolute data folder. */
  dataDir: string
  /** True when this start generated `apiKey` (no `apiKeys`, no stored key): show it once. */
  apiKeyCreated: boolean
  /** Resolves when no render is queued or rendering. */
  idle(): Promise<void>
  /**
   * Stops the server, waits for renders in flight, stops the render workers and the webhook outbox (deliveries still
   * pending stay in the database for the next start on the same data folder), closes the database. Idempotent.
   */
  close(): Promise<void>
}
