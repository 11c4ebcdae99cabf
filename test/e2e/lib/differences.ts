/**
 * The fidelity test's comparison: what the ToolHive operator stored and what the hook (through Metacontroller)
 * stored for the same MCPRegistry, field by field, modulo ONE allowlist: the README's "Differences from the
 * operator" table, parsed here, so the documentation and the behaviour cannot drift apart.
 *
 * Paths: `a.b[key].c`, where `[key]` is a map key that is not a plain word (annotation and label keys) or the
 * `name` (conditions: `type`) of a list element; other list elements are `[0]`, `[1]`... A table row's path
 * covers that path and everything under it; `*` matches any one segment.
 */
import { readFileSync } from 'node:fs'

type Obj = Record<string, any>

export interface Difference {
  /** Registry name (the same in both namespaces). */
  registry: string
  /** `Deployment/minimal-api`, `MCPRegistry status`, `kubectl get mcpreg`... */
  object: string
  path: string
  operator: unknown
  hook: unknown
}

export interface AllowedDifference {
  /** Kind of the object (`Deployment`, `ConfigMap`...), `MCPRegistry` or `kubectl get mcpreg`; `*` for any. */
  object: string
  path: string
  /** Registry names the row applies to, or undefined for all. */
  registries: string[] | undefined
  why: string
  line: string
}

const cell = (s: string) => s.trim().replace(/^`|`$/g, '')

/** Rows of the "Differences from the operator" table in README.md. */
export function readAllowlist(readmePath: string): AllowedDifference[] {
  const text = readFileSync(readmePath, 'utf8')
  const start = text.indexOf('\n## Differences from the operator')
  if (start < 0) throw new Error(`${readmePath}: no "## Differences from the operator" section`)
  const section = text.slice(start + 1).split(/\n## /)[0] as string
  const rows = section.split('\n').filter((l) => l.startsWith('|'))
  const header = (rows[0] ?? '').split('|').slice(1, -1).map((c) => c.trim().toLowerCase())
  const want = ['object', 'field', 'registries', 'operator', 'hook', 'why']
  if (header.join() !== want.join()) throw new Error(`the differences table needs the columns ${want.join(' | ')}, found ${header.join(' | ')}`)
  return rows.slice(2).map((line) => {
    const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim())
    if (cells.length !== want.length) throw new Error(`malformed row: ${line}`)
    const [object, field, registries, , , why] = cells as [string, string, string, string, string, string]
    const regs = cell(registries)
    return {
      object: cell(object),
      path: cell(field),
      registries: regs === 'all' ? undefined : regs.split(',').map((r) => cell(r)),
      why,
      line,
    }
  })
}

export function segments(path: string): string[] {
  return [...path.matchAll(/\[([^\]]*)\]|([^.[\]]+)/g)].map((m) => (m[1] ?? m[2]) as string)
}

const segment = (k: string) => (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? `.${k}` : `[${k}]`)

function isMap(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** A list as a map: by `name` (or `type`, for conditions) when every element has one, else by index. */
function keyed(list: unknown[]): Map<string, unknown> {
  for (const key of ['name', 'type']) {
    if (list.length > 0 && list.every((i) => isMap(i) && typeof i[key] === 'string')) {
      return new Map(list.map((i) => [(i as Obj)[key] as string, i]))
    }
  }
  return new Map(list.map((i, n) => [String(n), i]))
}

/** Every leaf path where `a` (operator) and `b` (hook) differ, with both values. */
export function diff(a: unknown, b: unknown, path = ''): { path: string; operator: unknown; hook: unknown }[] {
  // a map or list on one side only: compare with an empty one, so each field is named
  if (isMap(a) && b === undefined) return diff(a, {}, path)
  if (isMap(b) && a === undefined) return diff({}, b, path)
  if (isMap(a) && isMap(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()
    return keys.flatMap((k) => diff(a[k], b[k], `${path}${segment(k)}`))
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const ka = keyed(a)
    const kb = keyed(b)
    const keys = [...new Set([...ka.keys(), ...kb.keys()])]
    return keys.flatMap((k) => diff(ka.get(k), kb.get(k), `${path}[${k}]`))
  }
  if (JSON.stringify(a) === JSON.stringify(b)) return []
  return [{ path: path.replace(/^\./, ''), operator: a, hook: b }]
}

function covers(pattern: string, path: string): boolean {
  if (pattern === '-') return true
  const p = segments(pattern)
  const s = segments(path)
  if (p.length > s.length) return false
  return p.every((seg, i) => seg === '*' || seg === s[i])
}

/** The first allowlist row that covers a difference, if any. */
export function allowedBy(d: Difference, rows: AllowedDifference[]): AllowedDifference | undefined {
  // `MCPRegistry` also covers `MCPRegistry (deleting)`
  const kind = d.object.split('/')[0] as string
  return rows.find(
    (r) =>
      (r.object === '*' || r.object === kind || kind.startsWith(`${r.object} (`)) &&
      (r.registries === undefined || r.registries.includes(d.registry)) &&
      covers(r.path, d.path),
  )
}

const SERVER_SET = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'namespace']

/**
 * An object as stored, without what the API server or the controllers set on their own (ids, times, the
 * Service's cluster IPs, each child's status), and with the namespace name replaced by `<ns>` everywhere,
 * so the operator's copy and the hook's can be compared.
 */
export function normalise(obj: Obj, namespace: string): Obj {
  const o = structuredClone(obj)
  for (const f of SERVER_SET) delete o['metadata']?.[f]
  if (Array.isArray(o['metadata']?.['ownerReferences'])) {
    o['metadata']['ownerReferences'] = (o['metadata']['ownerReferences'] as Obj[]).map(({ uid: _uid, ...rest }) => rest)
  }
  delete o['metadata']?.['annotations']?.['deployment.kubernetes.io/revision']
  if (o['metadata']?.['annotations'] !== undefined && Object.keys(o['metadata']['annotations']).length === 0) delete o['metadata']['annotations']
  if (o['kind'] !== 'MCPRegistry') delete o['status']
  if (o['kind'] === 'Service') {
    delete o['spec']?.['clusterIP']
    delete o['spec']?.['clusterIPs']
  }
  const swap = (v: unknown): unknown =>
    typeof v === 'string'
      ? v.split(namespace).join('<ns>')
      : Array.isArray(v)
        ? v.map(swap)
        : isMap(v)
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, swap(x)]))
          : v
  return swap(o) as Obj
}

/**
 * A registry as compared: spec, finalizers and status, without the times (each side's own clock), and
 * observedGeneration as `current` or `behind` the registry's generation (the two sides' generations differ
 * whenever one side's controller rewrites the spec).
 */
export function normaliseRegistry(reg: Obj, namespace: string): Obj {
  const generation = reg['metadata']?.['generation']
  const o = normalise({ kind: 'MCPRegistry', metadata: { finalizers: reg['metadata']?.['finalizers'] }, spec: reg['spec'], status: reg['status'] ?? {} }, namespace)
  const s = o['status'] as Obj
  const gen = (x: Obj) => {
    if (x['observedGeneration'] !== undefined) x['observedGeneration'] = x['observedGeneration'] === generation ? 'current' : 'behind'
  }
  gen(s)
  for (const c of (s['conditions'] ?? []) as Obj[]) {
    delete c['lastTransitionTime']
    gen(c)
  }
  delete o['kind']
  if (o['metadata']['finalizers'] === undefined) o['metadata'] = {}
  return o
}
