/** The one field-path formatter: every message that names a field (spec, config.yaml, registry data, request body) writes it here. */

/** One step of a path: an object key, or a list index. */
export type PathPart = string | number

/** `spec` + ['volumes', 0, 'name'] → `spec.volumes[0].name`; with an empty base, no leading dot. */
export function fieldPath(base: string, parts: readonly PathPart[]): string {
  let out = base
  for (const p of parts) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`
  return out
}

/** A JSON pointer's steps: `/volumes/0/name` → ['volumes', 0, 'name'] (`~1` is `/`, `~0` is `~`). */
export function pointerParts(pointer: string): PathPart[] {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => {
      const key = part.replace(/~1/g, '/').replace(/~0/g, '~')
      return /^\d+$/.test(key) ? Number(key) : key
    })
}
