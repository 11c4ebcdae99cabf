/**
 * Canonical JSON: the one place that decides how the hook's output is serialised. Keys are sorted at every
 * level, so the same request gives byte-identical bytes whatever the key order of its input, and hashes
 * computed over it are stable.
 */
import { createHash } from 'node:crypto'
import { fieldPath } from './field-path.js'

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json }

/**
 * Values already canonical (keys sorted at every level, no `undefined` or `null` member): canonical() takes
 * them as they are instead of copying them again. Only pruneForApply() adds to it, for the copies it makes.
 */
const CANONICAL = new WeakSet<object>()

/** A deep copy with object keys sorted and `undefined` and `null` members removed. */
export function canonical(value: unknown): Json {
  if (Array.isArray(value)) return value.map((v) => canonical(v))
  if (value !== null && typeof value === 'object') {
    if (CANONICAL.has(value)) return value as Json
    const out: { [k: string]: Json } = {}
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key]
      if (v === undefined || v === null) continue
      out[key] = canonical(v)
    }
    return out
  }
  return value as Json
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonical(value))
}

/** Hex SHA-256 of the canonical JSON of `value`, cut to `length` characters. */
export function hashOf(value: unknown, length = 64): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, length)
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** Maps whose empty-string values are data, not "unset". */
const STRING_MAPS = new Set(['data', 'binaryData', 'labels', 'annotations', 'matchLabels', 'nodeSelector'])

/**
 * Drops what the API server would drop from a child, so Metacontroller never sees a diff that cannot go
 * away (M§7): null and undefined members, empty lists, and empty strings outside string maps. The copy is
 * canonical too (keys sorted), made in the same pass, so serialising it copies nothing again.
 */
export function pruneForApply<T>(value: T): T {
  const out = pruned(value, '')
  if (out !== null && typeof out === 'object') CANONICAL.add(out)
  return out
}

function pruned<T>(value: T, parentKey: string): T {
  if (Array.isArray(value)) return value.map((v) => pruned(v, '')) as T
  if (value !== null && typeof value === 'object') {
    const keepEmptyStrings = STRING_MAPS.has(parentKey)
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k]
      if (v === undefined || v === null) continue
      if (Array.isArray(v) && v.length === 0) continue
      if (v === '' && !keepEmptyStrings) continue
      out[k] = pruned(v, k)
    }
    return out as T
  }
  return value
}

/**
 * The path of the first value nested deeper than `max` levels below `value` (`base` names `value`), or
 * undefined. Iterative, so any depth is measured without recursion; the recursive helpers above are only
 * ever given values that passed this check.
 */
export function tooDeep(value: unknown, max: number, base: string): string | undefined {
  const stack: { v: unknown; depth: number; path: string }[] = [{ v: value, depth: 0, path: base }]
  while (stack.length > 0) {
    const { v, depth, path } = stack.pop() as { v: unknown; depth: number; path: string }
    if (v === null || typeof v !== 'object') continue
    if (depth >= max) return path
    if (Array.isArray(v)) v.forEach((x, i) => stack.push({ v: x, depth: depth + 1, path: fieldPath(path, [i]) }))
    else for (const [k, x] of Object.entries(v)) stack.push({ v: x, depth: depth + 1, path: fieldPath(path, [k]) })
  }
  return undefined
}
