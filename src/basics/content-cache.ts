/**
 * Bounded caches of work that depends only on text that rarely changes (README "Performance"): the check
 * of a configYAML, the check of a registry data document, and the validation and children of a spec (with
 * the registry's name, namespace and annotations, and the settings) are done once per distinct input, keyed
 * by the SHA-256 of everything the work reads, and kept in an LRU of CACHE_ENTRIES entries per cache. Each cached
 * result is deep-frozen, so a caller that tried to change one would throw instead of changing a later
 * answer; test/content-cache.test.ts shows that cached and uncached answers are byte-identical.
 */
import { hash } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import { canonicalJson } from './json.js'

export const CACHE_NAMES = ['configYAML', 'registryData', 'render'] as const
export type CacheName = (typeof CACHE_NAMES)[number]

/** The key of `parts`: SHA-256 over each part with its length, so that no two lists of parts share one. */
export function contentKey(parts: readonly string[]): string {
  let text = ''
  for (const p of parts) text += `${p.length}:${p}`
  return hash('sha256', text, 'base64url')
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}

export interface CacheCounts {
  hits: number
  misses: number
}

/** One LRU per cache name; `entries` 0 turns caching off (every lookup computes, and counts as a miss). */
export class ContentCaches {
  private readonly lru = new Map<CacheName, LRUCache<string, { value: unknown }>>()
  readonly counts = Object.fromEntries(CACHE_NAMES.map((n) => [n, { hits: 0, misses: 0 }])) as Record<CacheName, CacheCounts>
  private readonly settingsKeys = new WeakMap<object, string>()

  constructor(readonly entries: number) {
    if (entries > 0) for (const name of CACHE_NAMES) this.lru.set(name, new LRUCache({ max: entries }))
  }

  /** The result of `compute` for the input made of `parts`, computed once while it stays cached. */
  get<V>(name: CacheName, parts: readonly string[], compute: () => V): V {
    const lru = this.lru.get(name)
    const counts = this.counts[name]
    if (lru === undefined) {
      counts.misses++
      return compute()
    }
    const key = contentKey(parts)
    const hit = lru.get(key)
    if (hit !== undefined) {
      counts.hits++
      return hit.value as V
    }
    counts.misses++
    const value = deepFreeze(compute())
    lru.set(key, { value })
    return value
  }

  /** The canonical JSON of a settings object, once per object: part of the key of work that reads settings. */
  settingsKey(settings: object): string {
    let key = this.settingsKeys.get(settings)
    if (key === undefined) {
      key = canonicalJson(settings)
      this.settingsKeys.set(settings, key)
    }
    return key
  }

  /** Entries held now, by cache. */
  size(name: CacheName): number {
    return this.lru.get(name)?.size ?? 0
  }
}
