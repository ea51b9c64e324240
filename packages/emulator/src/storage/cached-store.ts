import { sha256Hex } from '../ids.ts'
import type { RenderRow, Store, TemplateRow, VersionRow } from './store.ts'

/** Render rows kept on the main thread (the most recent ones). */
const RENDER_CACHE_SIZE = 10_000

/**
 * The main thread's view of the store: what only this process writes is answered from memory, so a status poll
 * or a render request does not wait behind the database thread's queue.
 * - keys (never deleted), template versions (immutable);
 * - live templates by slug: dropped on every template write;
 * - render rows: every state change goes through this store (`createRender`, `claimRenders`, `finishRenders`), so
 *   the cached row is the database's row; `requeueUnfinished` drops them.
 * The data folder lock guarantees a single writer. Raw access through `store.db` drops every cache.
 */
export function cachedStore(inner: Store): Store {
  const keys = new Map<string, string>()
  const versions = new Map<string, VersionRow>()
  const templates = new Map<string, TemplateRow>()
  const renders = new Map<string, RenderRow>()
  let templateGeneration = 0
  let renderGeneration = 0

  const templatesChanged = (): void => {
    templateGeneration++
    templates.clear()
  }
  const rendersChanged = (): void => {
    renderGeneration++
    renders.clear()
  }
  const remember = (row: RenderRow | undefined): void => {
    if (!row) return
    renders.delete(row.id)
    renders.set(row.id, row)
    if (renders.size > RENDER_CACHE_SIZE) renders.delete(renders.keys().next().value!)
  }
  const templateWrite =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      templatesChanged()
      try {
        return await fn(...args)
      } finally {
        templatesChanged()
      }
    }

  const overrides: Partial<Store> = {
    async projectForKey(key) {
      const hash = sha256Hex(key)
      const hit = keys.get(hash)
      if (hit) return hit
      const projectId = await inner.projectForKey(key)
      if (projectId) keys.set(hash, projectId)
      return projectId
    },
    async getTemplate(projectId, slug, db) {
      if (db !== undefined) return inner.getTemplate(projectId, slug, db)
      const key = `${projectId}\n${slug}`
      const hit = templates.get(key)
      if (hit) return hit
      const generation = templateGeneration
      const row = await inner.getTemplate(projectId, slug)
      if (row && generation === templateGeneration) templates.set(key, row)
      return row
    },
    async getVersion(templateId, versionNumber) {
      const key = `${templateId}#${versionNumber}`
      const hit = versions.get(key)
      if (hit) return hit
      const row = await inner.getVersion(templateId, versionNumber)
      if (row) versions.set(key, row)
      return row
    },
    createTemplate: templateWrite((...args: Parameters<Store['createTemplate']>) => inner.createTemplate(...args)),
    putTemplate: templateWrite((...args: Parameters<Store['putTemplate']>) => inner.putTemplate(...args)),
    deleteTemplate: templateWrite((...args: Parameters<Store['deleteTemplate']>) => inner.deleteTemplate(...args)),
    async createRender(input) {
      const result = await inner.createRender(input)
      remember(result.render)
      return result
    },
    async getRender(projectId, id) {
      const hit = renders.get(id)
      if (hit) return hit.project_id === projectId ? hit : undefined
      const generation = renderGeneration
      const row = await inner.getRender(projectId, id)
      if (generation === renderGeneration) remember(row)
      return row
    },
    async getRenderById(id) {
      const hit = renders.get(id)
      if (hit) return hit
      const generation = renderGeneration
      const row = await inner.getRenderById(id)
      if (generation === renderGeneration) remember(row)
      return row
    },
    async claimRenders(ids, startedAt) {
      // Rows read before the claim must not be cached as current afterwards.
      for (const id of ids) renders.delete(id)
      renderGeneration++
      const jobs = await inner.claimRenders(ids, startedAt)
      for (const job of jobs) remember(job.render)
      return jobs
    },
    async finishRenders(outcomes, deliveries) {
      for (const o of outcomes) renders.delete(o.id)
      renderGeneration++
      const rows = await inner.finishRenders(outcomes, deliveries)
      for (const r of rows) remember(r.render)
      return rows
    },
    async requeueUnfinished() {
      rendersChanged()
      try {
        return await inner.requeueUnfinished()
      } finally {
        rendersChanged()
      }
    },
  }

  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'db') {
        // Raw access (tests, tools) may change anything behind the caches.
        templatesChanged()
        rendersChanged()
        keys.clear()
        return Reflect.get(target, prop, receiver)
      }
      if (typeof prop === 'string' && prop in overrides) return overrides[prop as keyof Store]
      const value = Reflect.get(target, prop, receiver) as unknown
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    },
  })
}
