/**
 * The registry server's own rules for config.yaml (U§2.6), checked in the hook so that a mistake shows as
 * `ConfigValid=False` with the line at fault instead of a pod that crash-loops while the resource says
 * `Pending` (SPEC §4). Pure.
 *
 * The rules follow the server's code at each known version (README "Registry server versions"): viper reads
 * the first YAML document into maps with keys in any case, mapstructure decodes it with weak typing (a
 * number where a string is expected, a single string where a list is expected, split at commas), then
 * `validate()` and the start-up steps after it (telemetry, the database connection string, the Kubernetes
 * source) refuse what they cannot use. Every rule below mirrors one of those steps; the corpus in
 * test/fixtures/server-corpus holds the server's recorded verdict for each case. The hook is stricter on
 * purpose in one place: files the server reads must lie under a volumeMount of the container.
 */
import { isAlias, isNode, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, visit, type Document } from 'yaml'
import { CONFIG_MOUNT_PATH, SERVICE_ACCOUNT_MOUNT_PATH, TMP_MOUNT_PATH } from '../basics/constants.js'
import { isDnsLabel } from '../basics/dns.js'
import { fieldPath, type PathPart } from '../basics/field-path.js'
import { isRecord } from '../basics/json.js'
import type { VolumeMount } from '../basics/k8s-types.js'
import type { Issue } from './issues.js'

export interface FileSource {
  /** The source's name in config.yaml. */
  name: string
  /** Absolute path of the registry data file in the container. */
  path: string
}

/** What the hook learns from a valid config.yaml. */
export interface RegistryConfig {
  sources: number
  registries: number
  /** `file:` sources with a local path, whose data may come from a ConfigMap. */
  fileSources: FileSource[]
  /** Set when only structural checks ran (a server version the hook does not know). */
  unchecked?: string
}

/** What differs between the server versions the hook knows. */
export interface ServerRules {
  /** The version whose code the rules come from. */
  version: string
  /** `api.timeout` is checked (> 0, <= 5m); v1.5. */
  apiTimeout: boolean
}

export const SERVER_RULES: Record<string, ServerRules> = {
  'v1.3': { version: 'v1.3.0', apiTimeout: false },
  'v1.5': { version: 'v1.5.1', apiTimeout: true },
}

/** Image tags whose rules the hook has (a later patch release may change its config; add it when recorded). */
const KNOWN_TAGS: Record<string, string> = { 'v1.3.0': 'v1.3', 'v1.5.0': 'v1.5', 'v1.5.1': 'v1.5', 'v1.5.2': 'v1.5', 'v1.5.3': 'v1.5' }
/** For messages: the image versions whose rules the hook has. */
export const KNOWN_SERVER_VERSIONS = 'v1.3.0, v1.5.0 to v1.5.3'

/** The rules for an image, from its tag (`…:v1.5.3`, `…:1.3.0`, with or without a digest); undefined when unknown. */
export function rulesForImage(image: string): ServerRules | undefined {
  const noDigest = image.split('@')[0] as string
  const slash = noDigest.lastIndexOf('/')
  const colon = noDigest.lastIndexOf(':')
  if (colon <= slash) return undefined
  const tag = noDigest.slice(colon + 1)
  return SERVER_RULES[KNOWN_TAGS[tag.startsWith('v') ? tag : `v${tag}`] ?? '']
}

type Path = PathPart[]

const MAX_ALIASES = 100
const AUTH_MODES = ['anonymous', 'oauth']
/** sslmodes the migrations can use: they run through lib/pq, which knows no `allow` or `prefer`. */
const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full']
const MAX_AUDIT_DATA = 1 << 20
const MAX_API_TIMEOUT_NS = 5n * 60n * 1_000_000_000n
const INT64_MIN = -(2n ** 63n)

const UNITS: Record<string, bigint> = { ns: 1n, us: 1000n, 'µs': 1000n, 'μs': 1000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n }

/** Go's time.ParseDuration: nanoseconds, or undefined when Go refuses the text. Linear, no regular expression. */
export function parseGoDuration(text: string): bigint | undefined {
  let s = text
  let neg = false
  if (s.startsWith('-') || s.startsWith('+')) {
    neg = s.startsWith('-')
    s = s.slice(1)
  }
  if (s === '0') return 0n
  if (s === '') return undefined
  let total = 0n
  while (s !== '') {
    let i = 0
    while (i < s.length && s[i]! >= '0' && s[i]! <= '9') i++
    const whole = s.slice(0, i)
    let frac = ''
    if (s[i] === '.') {
      let j = i + 1
      while (j < s.length && s[j]! >= '0' && s[j]! <= '9') j++
      frac = s.slice(i + 1, j)
      i = j
      if (whole === '' && frac === '') return undefined
    } else if (whole === '') {
      return undefined
    }
    let j = i
    while (j < s.length && s[j] !== '.' && !(s[j]! >= '0' && s[j]! <= '9')) j++
    const unit = UNITS[s.slice(i, j)]
    if (unit === undefined) return undefined
    const w = whole === '' ? 0n : BigInt(whole)
    if (w > 2n ** 63n) return undefined
    let v = w * unit
    if (frac !== '') v += (BigInt(frac) * unit) / 10n ** BigInt(frac.length)
    total += v
    if (total > 2n ** 63n) return undefined
    s = s.slice(j)
  }
  if (!neg && total > 2n ** 63n - 1n) return undefined
  return neg ? -total : total
}

/** Go's url.Parse, as far as the server uses it: scheme, host, and the errors it gives. */
export function parseGoURL(text: string): { scheme: string; host: string; hostname: string } | { error: string } {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x20 || c === 0x7f) return { error: 'invalid control character in URL' }
  }
  let rest = text
  let scheme = ''
  const colon = rest.indexOf(':')
  if (colon > 0 && /^[A-Za-z][A-Za-z0-9+.-]*$/.test(rest.slice(0, colon))) {
    scheme = rest.slice(0, colon).toLowerCase()
    rest = rest.slice(colon + 1)
  } else if (colon === 0) {
    return { error: 'missing protocol scheme' }
  }
  if (!rest.startsWith('//')) return { scheme, host: '', hostname: '' }
  rest = rest.slice(2)
  let end = rest.length
  for (const ch of ['/', '?', '#']) {
    const k = rest.indexOf(ch)
    if (k >= 0 && k < end) end = k
  }
  const authority = rest.slice(0, end)
  const host = authority.slice(authority.lastIndexOf('@') + 1)
  let hostname = host
  if (host.startsWith('[')) {
    const close = host.indexOf(']')
    if (close < 0) return { error: 'missing \']\' in host' }
    hostname = host.slice(1, close)
    const after = host.slice(close + 1)
    if (after !== '' && !/^:\d*$/.test(after)) return { error: `invalid port "${after}" after host` }
  } else {
    const c = host.lastIndexOf(':')
    if (c >= 0) {
      if (!/^\d*$/.test(host.slice(c + 1))) return { error: `invalid port "${host.slice(c)}" after host` }
      hostname = host.slice(0, c)
    }
    if (/[\s<>"{}|\\^`]/.test(hostname)) return { error: 'invalid character in host name' }
  }
  return { scheme, host, hostname }
}

/** Where the files every pod has come from, besides the user's mounts. */
const IMPLICIT_MOUNTS: VolumeMount[] = [
  { name: 'kube-api-access', mountPath: SERVICE_ACCOUNT_MOUNT_PATH },
  { name: 'registry-api-tmp', mountPath: TMP_MOUNT_PATH },
]

/** `path` without `.`/`..` segments and repeated slashes (path.Clean), linear. */
function cleanPath(path: string): string {
  const out: string[] = []
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue
    if (seg === '..') out.pop()
    else out.push(seg)
  }
  return `/${out.join('/')}`
}

/** Is `file` (absolute, cleaned) under the mountPath of one of the mounts? (A subPath mount is a file itself.) */
function mountedBy(file: string, mounts: readonly VolumeMount[]): boolean {
  return mounts.some((m) => {
    const base = cleanPath(m.mountPath)
    return file === base || file.startsWith(base === '/' ? '/' : `${base}/`)
  })
}

// ---- decoding as viper + mapstructure do (weakly typed, keys in any case, unknown keys ignored) ----

type Kind = 'string' | 'int' | 'int32' | 'bool' | 'float' | 'strings' | 'anyMap' | Struct | List
interface Struct {
  struct: Record<string, Kind>
}
interface List {
  list: Struct
}

/** A value as a message names it: "a list", "a mapping" or the value itself. */
function shown(v: unknown): string {
  if (Array.isArray(v)) return 'a list'
  if (isRecord(v)) return 'a mapping'
  const text = JSON.stringify(v)
  return text.length > 40 ? `${text.slice(0, 40)}…` : text
}

const UNDERSCORES = /^[0-9a-zA-Z]+(_[0-9a-zA-Z]+)*$/
const UNDERSCORES_AFTER_PREFIX = /^_?[0-9a-zA-Z]+(_[0-9a-zA-Z]+)*$/

/** strconv.ParseInt(s, 0, bits), as mapstructure calls it for weak string input: Go's integer literal syntax. */
function parseGoInt(s: string, bits: number): bigint | undefined {
  const neg = s.startsWith('-')
  let body = s.startsWith('-') || s.startsWith('+') ? s.slice(1) : s
  let radix = 10
  let prefixed = false
  const p = body.slice(0, 2).toLowerCase()
  if (p === '0x' || p === '0b' || p === '0o') {
    radix = p === '0x' ? 16 : p === '0b' ? 2 : 8
    body = body.slice(2)
    prefixed = true
  } else if (body.length > 1 && body.startsWith('0')) {
    radix = 8
    body = body.slice(1)
    prefixed = true
  }
  // "_" only between digits, or right after a base prefix
  if (!(prefixed ? UNDERSCORES_AFTER_PREFIX : UNDERSCORES).test(body)) return undefined
  body = body.split('_').join('')
  const digits = '0123456789abcdef'.slice(0, radix)
  if ([...body.toLowerCase()].some((c) => !digits.includes(c))) return undefined
  let v = [...body.toLowerCase()].reduce((acc, c) => acc * BigInt(radix) + BigInt(digits.indexOf(c)), 0n)
  if (neg) v = -v
  const max = 2n ** BigInt(bits - 1)
  return v >= -max && v < max ? v : undefined
}

/** A JS number as Go's int64(float64) gives it on amd64 (out of range: the minimum int64). */
function goInt64(n: number): bigint {
  if (!Number.isFinite(n) || Math.abs(n) >= 2 ** 63) return INT64_MIN
  return BigInt(Math.trunc(n))
}

interface Decoder {
  add(path: Path, message: string): void
}

function decode(value: unknown, kind: Kind, path: Path, d: Decoder): unknown {
  if (value === null || value === undefined) return undefined
  if (kind === 'string') {
    if (typeof value === 'string') return value
    if (typeof value === 'number') return String(value)
    if (typeof value === 'boolean') return value ? '1' : '0'
    d.add(path, `expected a string, got ${shown(value)}; write a plain value`)
    return undefined
  }
  if (kind === 'int' || kind === 'int32') {
    const bits = kind === 'int' ? 64 : 32
    let v: bigint | undefined
    if (typeof value === 'number') v = goInt64(value)
    else if (typeof value === 'boolean') v = value ? 1n : 0n
    else if (typeof value === 'string') v = parseGoInt(value === '' ? '0' : value, bits)
    if (v === undefined) {
      d.add(path, `${shown(value)} is not a whole number; write a number`)
      return undefined
    }
    if (bits === 32) v = BigInt.asIntN(32, v)
    return v
  }
  if (kind === 'bool') {
    if (typeof value === 'boolean') return value
    if (typeof value === 'number') return value !== 0
    if (typeof value === 'string') {
      if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true
      if (['', '0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false
    }
    d.add(path, `${JSON.stringify(value)} is not a boolean; write true or false`)
    return undefined
  }
  if (kind === 'float') {
    if (typeof value === 'number') return value
    if (typeof value === 'boolean') return value ? 1 : 0
    if (typeof value === 'string') {
      const n = value === '' ? 0 : Number(value)
      if (!Number.isNaN(n) && value.trim() === value) return n
    }
    d.add(path, `${JSON.stringify(value)} is not a number; write a number such as 0.5`)
    return undefined
  }
  if (kind === 'strings') {
    // viper's StringToSliceHookFunc(","), then mapstructure's weak "single value to slice"
    if (typeof value === 'string') return value === '' ? [] : value.split(',')
    if (Array.isArray(value)) return value.map((v, i) => decode(v, 'string', [...path, i], d) ?? '')
    if (isRecord(value) && Object.keys(value).length === 0) return []
    const one = decode(value, 'string', path, d)
    return one === undefined ? undefined : [one]
  }
  if (kind === 'anyMap') {
    if (isRecord(value)) return value
    d.add(path, `expected a mapping, got ${shown(value)}`)
    return undefined
  }
  if ('list' in kind) {
    if (typeof value === 'string') {
      // split at commas, then each piece must be a mapping
      d.add(path, `expected a list of mappings, got ${shown(value)}`)
      return undefined
    }
    // a single mapping where a list is expected is taken as a list of one (mapstructure's weak decoding)
    if (!Array.isArray(value)) return [decode(value, kind.list, [...path, 0], d) ?? {}]
    return value.map((v, i) => decode(v, kind.list, [...path, i], d) ?? {})
  }
  if (!isRecord(value)) {
    d.add(path, `must be a mapping, got ${shown(value)}; use {} for no settings`)
    return undefined
  }
  const out: Record<string, unknown> = {}
  const keys = Object.keys(value)
  for (const [field, fieldKind] of Object.entries(kind.struct)) {
    // exact match first, then any case (mapstructure); viper has already folded the case of every key
    const key = keys.find((k) => k === field) ?? keys.find((k) => k.toLowerCase() === field.toLowerCase())
    if (key === undefined) continue
    const v = decode(value[key], fieldKind, [...path, key], d)
    if (v !== undefined) out[field] = v
  }
  return out
}

const S = (struct: Record<string, Kind>): Struct => ({ struct })
const FILTER = S({ names: S({ include: 'strings', exclude: 'strings' }), tags: S({ include: 'strings', exclude: 'strings' }) })
const SOURCE = S({
  name: 'string',
  git: S({ repository: 'string', branch: 'string', tag: 'string', commit: 'string', path: 'string', auth: S({ username: 'string', passwordFile: 'string' }) }),
  api: S({ endpoint: 'string', timeout: 'string' }),
  file: S({ path: 'string', url: 'string', data: 'string', timeout: 'string' }),
  managed: S({}),
  kubernetes: S({ namespaces: 'strings' }),
  syncPolicy: S({ interval: 'string' }),
  filter: FILTER,
  claims: 'anyMap',
})
const PROVIDER = S({
  name: 'string', issuerUrl: 'string', jwksUrl: 'string', audience: 'string', clientId: 'string', clientSecretFile: 'string',
  caCertPath: 'string', authTokenFile: 'string', introspectionUrl: 'string', allowPrivateIP: 'bool',
})
function configKind(): Struct {
  const root: Record<string, Kind> = {
    sources: { list: SOURCE },
    registries: { list: S({ name: 'string', claims: 'anyMap', sources: 'strings' }) },
    database: S({
      host: 'string', port: 'int', user: 'string', migrationUser: 'string', password: 'string', migrationPassword: 'string',
      dynamicAuth: S({ awsRdsIam: S({ region: 'string' }) }), database: 'string', sslMode: 'string', maxOpenConns: 'int32',
      maxIdleConns: 'int32', connMaxLifetime: 'string', maxMetaSize: 'int',
    }),
    auth: S({
      mode: 'string', publicPaths: 'strings',
      oauth: S({ resourceUrl: 'string', providers: { list: PROVIDER }, realm: 'string', scopesSupported: 'strings' }),
      authz: S({ roles: S({}) }),
    }),
    telemetry: S({
      enabled: 'bool', serviceName: 'string', serviceVersion: 'string', endpoint: 'string', insecure: 'bool',
      tracing: S({ enabled: 'bool', sampling: 'float' }), metrics: S({ enabled: 'bool' }),
    }),
  }
  root['audit'] = S({ enabled: 'bool', logFile: 'string', eventTypes: 'strings', excludeEventTypes: 'strings', includeRequestData: 'bool', maxDataSize: 'int' })
  return S(root)
}

const CONFIG_KIND = configKind()

/** The first YAML document as viper reads it, or the YAML problem. */
function firstDocument(text: string, lineCounter: LineCounter): { doc?: Document.Parsed; issue?: Issue } {
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, merge: true })
  const doc = docs[0]
  if (doc === undefined) return {}
  const err = doc.errors[0]
  if (err !== undefined) {
    const line = lineCounter.linePos(err.pos[0]).line
    let what = err.message.split('\n')[0] as string
    if (err.code === 'DUPLICATE_KEY') {
      // the key is what stands before the first colon of the line at fault (string methods: no backtracking)
      const atFault = text.slice(err.pos[0], err.pos[0] + 200).split('\n')[0] as string
      const colon = atFault.indexOf(':')
      const key = atFault.slice(0, Math.max(colon, 0)).trim()
      if (key !== '') what = `key ${JSON.stringify(key)} appears twice in one mapping`
    }
    return { issue: { field: `spec.configYAML line ${line}`, message: `is not valid YAML (${what}); fix the syntax` } }
  }
  return { doc }
}

type Cfg = Record<string, any>

/** The first alias whose anchor is not defined before it, with its path in the document. */
function firstUndefinedAlias(doc: Document.Parsed): { name: string; path: Path } | undefined {
  const anchors = new Set<string>()
  let found: { name: string; path: Path } | undefined
  visit(doc, (_key, node, ancestors) => {
    if (isNode(node) && node.anchor) anchors.add(node.anchor)
    if (isAlias(node) && !anchors.has(node.source)) {
      const path: Path = []
      const chain = [...ancestors, node]
      chain.slice(0, -1).forEach((a, i) => {
        if (isPair(a) && isScalar(a.key)) path.push(String(a.key.value))
        if (isSeq(a)) path.push(a.items.indexOf(chain[i + 1] as never))
      })
      found = { name: node.source, path }
      return visit.BREAK
    }
    return undefined
  })
  return found
}

/**
 * The settings as viper hands them to mapstructure: mappings that are empty once their own empty mappings
 * are gone disappear (viper keeps only leaf keys); lists are leaves and are kept as written.
 */
function viperSettings(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    const n = isRecord(v) ? viperSettings(v) : v
    if (!(isRecord(n) && Object.keys(n).length === 0)) out[k] = n
  }
  return out
}

export function checkConfigYAML(
  text: string,
  mounts: readonly VolumeMount[],
  /** The rules of the image's server version; undefined: an unknown version, structural checks only. */
  rules: ServerRules | undefined,
  image = '',
): { issues: Issue[]; config?: RegistryConfig } {
  const lineCounter = new LineCounter()
  const first = firstDocument(text, lineCounter)
  if (first.issue !== undefined) return { issues: [first.issue] }
  const doc = first.doc
  const issues: Issue[] = []

  /** The line of the node at `path`, or of its nearest existing ancestor. */
  const lineOf = (path: Path): number => {
    for (let n = path.length; n > 0; n--) {
      const node = doc?.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined
      if (node?.range) return lineCounter.linePos(node.range[0]).line
    }
    return 1
  }
  const add = (path: Path, message: string): void => {
    issues.push({ field: `spec.configYAML line ${lineOf(path)}, ${fieldPath('', path)}`, message })
  }

  let root: unknown
  try {
    root = doc === undefined ? null : doc.toJS({ maxAliasCount: MAX_ALIASES })
  } catch (err) {
    const undefinedAlias = firstUndefinedAlias(doc as Document.Parsed)
    if (undefinedAlias !== undefined) {
      add(undefinedAlias.path, `is an alias to an anchor defined nowhere before it (*${undefinedAlias.name}); define &${undefinedAlias.name} first or write the value`)
      return { issues }
    }
    const msg = (err as Error).message
    const what = /excessive alias count/i.test(msg) ? `more than ${MAX_ALIASES} aliases are expanded; write the values out` : `${msg.split('\n')[0] as string}; fix the syntax`
    return { issues: [{ field: 'spec.configYAML', message: `is not valid YAML (${what})` }] }
  }
  if (root !== null && !isRecord(root)) {
    return { issues: [{ field: 'spec.configYAML', message: 'must be a YAML mapping with sources, registries, database and auth; see the registry server documentation' }] }
  }
  const rawRoot = (root ?? {}) as Record<string, unknown>

  if (rules === undefined) {
    return {
      issues: [],
      config: {
        sources: Array.isArray(rawRoot['sources']) ? rawRoot['sources'].length : 0,
        registries: Array.isArray(rawRoot['registries']) ? rawRoot['registries'].length : 0,
        fileSources: [],
        unchecked: image,
      },
    }
  }

  // 1. decoding (errors here stop the server before any validation)
  const cfg = decode(viperSettings(rawRoot), CONFIG_KIND, [], { add }) as Cfg
  if (issues.length > 0) return { issues }
  /** The key the user wrote for `field` under `parent` (keys may be in any case). */
  const keyIn = (parentPath: Path, field: string): string => {
    const parent = parentPath.reduce<unknown>((node, p) => (node as any)?.[p], rawRoot)
    if (!isRecord(parent)) return field
    return Object.keys(parent).find((k) => k === field) ?? Object.keys(parent).find((k) => k.toLowerCase() === field.toLowerCase()) ?? field
  }
  const P = (...parts: (string | number)[]): Path => {
    const out: Path = []
    for (const p of parts) out.push(typeof p === 'number' ? p : keyIn(out, p))
    return out
  }

  const fileRefs: { path: Path; value: string }[] = []
  const fileSources: FileSource[] = []
  const sources = (cfg['sources'] ?? []) as Cfg[]
  const registries = (cfg['registries'] ?? []) as Cfg[]

  // 2. validate(), in the server's order
  const sourceNames = new Set<string>()
  if (sources.length === 0) add(P('sources'), 'needs at least one source; add e.g. "sources: [{name: k8s, kubernetes: {}}]"')
  let managed = 0
  sources.forEach((src, i) => {
    const name = (src['name'] ?? '') as string
    if (name === '') {
      add(P('sources', i, 'name'), 'is required; name the source (a DNS label such as "team")')
      return
    }
    if (!isDnsLabel(name)) {
      add(P('sources', i, 'name'), `"${name.length > 70 ? `${name.slice(0, 70)}…` : name}" must be a DNS label (lower-case letters, digits and "-", at most 63 characters); rename the source`)
      return
    }
    if (sourceNames.has(name)) {
      add(P('sources', i, 'name'), `source name "${name}" is used twice; give each source its own name`)
      return
    }
    sourceNames.add(name)
    const types = (['git', 'api', 'file', 'managed', 'kubernetes'] as const).filter((t) => src[t] !== undefined)
    if (src['managed'] !== undefined) managed++
    if (types.length !== 1) {
      add(P('sources', i), `${types.length === 0 ? 'has no source type' : `has ${types.length} source types (${types.join(', ')})`}; give exactly one of git, api, file, managed, kubernetes (as a mapping, {} for no settings)`)
      return
    }
    const type = types[0] as string
    if (type === 'managed' || type === 'kubernetes') {
      if (type === 'kubernetes') {
        const seen = new Set<string>()
        ;((src['kubernetes'] as Cfg)['namespaces'] as string[] | undefined ?? []).forEach((ns, j) => {
          if (!isDnsLabel(ns)) add(P('sources', i, 'kubernetes', 'namespaces', j), `"${ns}" is not a valid namespace name (a DNS label); fix it`)
          else if (seen.has(ns)) add(P('sources', i, 'kubernetes', 'namespaces', j), `namespace "${ns}" is listed twice; list it once`)
          seen.add(ns)
        })
      }
    } else {
      const interval = (src['syncPolicy'] as Cfg | undefined)?.['interval'] as string | undefined
      if (src['syncPolicy'] === undefined) {
        add(P('sources', i, 'syncPolicy'), `is required for a ${type} source; add "syncPolicy: {interval: 1h}"`)
        return
      }
      if (interval === undefined || interval === '') {
        add(P('sources', i, 'syncPolicy', 'interval'), 'is required; use a Go duration such as 30m or 1h')
        return
      }
      const ns = parseGoDuration(interval)
      if (ns === undefined) {
        add(P('sources', i, 'syncPolicy', 'interval'), `"${interval.length > 40 ? `${interval.slice(0, 40)}…` : interval}" is not a duration; use a Go duration such as 30m or 1h`)
        return
      }
      const body = src[type] as Cfg
      if (type === 'git') {
        if (!body['repository']) {
          add(P('sources', i, 'git', 'repository'), 'is required; give the repository URL')
          return
        }
        const auth = body['auth'] as Cfg | undefined
        if (auth !== undefined) {
          const user = (auth['username'] ?? '') as string
          const file = (auth['passwordFile'] ?? '') as string
          if ((user === '') !== (file === '')) {
            add(P('sources', i, 'git', 'auth', user === '' ? 'username' : 'passwordFile'), 'is required with git auth (username and passwordFile go together); e.g. username "git" and the mounted token file')
            return
          }
          if (file !== '') fileRefs.push({ path: P('sources', i, 'git', 'auth', 'passwordFile'), value: file })
        }
      } else if (type === 'api') {
        if (!body['endpoint']) {
          add(P('sources', i, 'api', 'endpoint'), 'is required; give the base URL of the MCP registry API')
          return
        }
        const timeout = (body['timeout'] ?? '') as string
        if (rules.apiTimeout && timeout !== '') {
          const t = parseGoDuration(timeout)
          if (t === undefined || t <= 0n || t > MAX_API_TIMEOUT_NS) {
            add(P('sources', i, 'api', 'timeout'), `"${timeout}" ${t === undefined ? 'is not a duration' : t <= 0n ? 'must be greater than zero' : 'must not exceed 5m'}; use a Go duration such as 30s`)
            return
          }
        }
      } else {
        const path = (body['path'] ?? '') as string
        const url = (body['url'] ?? '') as string
        if ((path === '') === (url === '')) {
          add(P('sources', i, 'file'), `${path === '' ? 'needs' : 'takes'} exactly one of path or url`)
          return
        }
        if (url !== '') {
          const u = parseGoURL(url)
          if ('error' in u || u.scheme === '' || u.host === '' || (u.scheme !== 'http' && u.scheme !== 'https')) {
            add(P('sources', i, 'file', 'url'), `${'error' in u ? `is not a URL (${u.error})` : 'must be an absolute http or https URL with a host'}`)
            return
          }
          const timeout = (body['timeout'] ?? '') as string
          if (timeout !== '' && parseGoDuration(timeout) === undefined) {
            add(P('sources', i, 'file', 'timeout'), `"${timeout}" is not a duration; use a Go duration such as 30s`)
            return
          }
        } else {
          fileRefs.push({ path: P('sources', i, 'file', 'path'), value: path })
          fileSources.push({ name, path: cleanPath(path) })
        }
      }
    }
    const bad = claimProblem(src['claims'] as Record<string, unknown> | undefined)
    if (bad !== undefined) add(P('sources', i, 'claims', bad), 'must be a string or a list of strings')
  })
  if (managed > 1) add(P('sources'), `has ${managed} managed sources; at most one is allowed`)

  if (registries.length === 0) add(P('registries'), 'needs at least one registry; add e.g. "registries: [{name: default, sources: [<source name>]}]"')
  const registryNames = new Set<string>()
  for (const [i, reg] of registries.entries()) {
    const name = (reg['name'] ?? '') as string
    if (name === '') {
      add(P('registries', i, 'name'), 'is required; name the registry view (e.g. default)')
      break
    }
    if (registryNames.has(name)) {
      add(P('registries', i, 'name'), `registry name "${name}" is used twice; give each registry its own name`)
      break
    }
    registryNames.add(name)
    const refs = (reg['sources'] ?? []) as string[]
    if (refs.length === 0) {
      add(P('registries', i, 'sources'), 'needs at least one source name')
      break
    }
    const j = refs.findIndex((r) => !sourceNames.has(r))
    if (j >= 0) {
      add(P('registries', i, 'sources', j), `"${refs[j]}" is not a source defined under sources; use one of: ${[...sourceNames].join(', ') || '(none)'}`)
      break
    }
    const bad = claimProblem(reg['claims'] as Record<string, unknown> | undefined)
    if (bad !== undefined) {
      add(P('registries', i, 'claims', bad), 'must be a string or a list of strings')
      break
    }
  }

  const db = cfg['database'] as Cfg | undefined
  if (db === undefined) {
    add(P('database'), 'is required; give host, port, user and database')
  } else {
    for (const key of ['host', 'port', 'user', 'database']) {
      const v = db[key]
      if (v === undefined || v === '' || v === 0n) add(P('database', key), `is required; give the PostgreSQL ${key}`)
    }
    const port = db['port'] as bigint | undefined
    if (port !== undefined && port !== 0n && (port < 1n || port > 65535n)) add(P('database', 'port'), 'is not a port number; use 1 to 65535')
    if (db['maxMetaSize'] !== undefined && (db['maxMetaSize'] as bigint) <= 0n) add(P('database', 'maxMetaSize'), 'must be greater than zero (bytes); leave it out for 256 KiB')
    if (db['dynamicAuth'] !== undefined && (db['password'] || db['migrationPassword'])) {
      add(P('database', 'dynamicAuth'), 'and a password are mutually exclusive; use one authentication method')
    }
  }

  const audit = cfg['audit'] as Cfg | undefined
  if (audit !== undefined) {
    const size = (audit['maxDataSize'] ?? 0n) as bigint
    if (size < 0n || size > BigInt(MAX_AUDIT_DATA)) add(P('audit', 'maxDataSize'), `must be from 0 to ${MAX_AUDIT_DATA} bytes`)
    const logFile = (audit['logFile'] ?? '') as string
    if (logFile !== '') {
      const dir = cleanPath(logFile.slice(0, logFile.lastIndexOf('/') + 1) || '/')
      if (!logFile.startsWith('/') || !mountedBy(dir, [...mounts, ...IMPLICIT_MOUNTS])) {
        add(P('audit', 'logFile'), `${logFile}: its directory must exist in the container; use a path under a volumeMount or ${TMP_MOUNT_PATH}`)
      }
    }
  }

  const auth = cfg['auth'] as Cfg | undefined
  if (auth === undefined) {
    add(P('auth'), 'is required; use "auth: {mode: anonymous}" or configure oauth')
  } else {
    const mode = (auth['mode'] ?? '') as string
    if (!AUTH_MODES.includes(mode)) {
      add(P('auth', 'mode'), mode === '' ? 'is required (the server refuses a config without it); use anonymous or oauth' : `"${mode}" is not a mode; use anonymous or oauth`)
    } else if (mode === 'oauth') {
      const oauth = auth['oauth'] as Cfg | undefined
      const providers = (oauth?.['providers'] ?? []) as Cfg[]
      if (oauth === undefined) add(P('auth', 'oauth'), 'is required in oauth mode; add oauth.providers or set mode: anonymous')
      else if (providers.length === 0) add(P('auth', 'oauth', 'providers'), 'needs at least one provider in oauth mode; add one or set mode: anonymous')
      for (const [i, p] of providers.entries()) {
        const at = (f: string): Path => P('auth', 'oauth', 'providers', i, f)
        if (!p['name']) {
          add(at('name'), 'is required; name the provider')
          break
        }
        const issuer = (p['issuerUrl'] ?? '') as string
        if (issuer === '') {
          add(at('issuerUrl'), 'is required; give the OIDC issuer URL')
          break
        }
        const u = parseGoURL(issuer)
        if ('error' in u) {
          add(at('issuerUrl'), `is not a URL (${u.error})`)
          break
        }
        if (u.scheme === '' || u.host === '') {
          add(at('issuerUrl'), 'must be an absolute URL with a host')
          break
        }
        if (u.scheme !== 'https' && !['localhost', '127.0.0.1', '::1'].includes(u.hostname)) {
          add(at('issuerUrl'), 'must use https (http only for localhost)')
          break
        }
        if (!p['audience']) {
          add(at('audience'), 'is required; give the audience tokens must carry')
          break
        }
        for (const key of ['clientSecretFile', 'caCertPath', 'authTokenFile']) {
          if (p[key]) fileRefs.push({ path: at(key), value: p[key] as string })
        }
      }
    }
  }

  // 3. start-up steps after validate(): telemetry, the database connection string
  const tracing = (cfg['telemetry'] as Cfg | undefined)?.['tracing'] as Cfg | undefined
  if ((cfg['telemetry'] as Cfg | undefined)?.['enabled'] === true && tracing?.['enabled'] === true && tracing['sampling'] !== undefined) {
    const s = tracing['sampling'] as number
    if (!(s > 0 && s <= 1)) add(P('telemetry', 'tracing', 'sampling'), `${s} must be greater than 0 and at most 1 (use enabled: false to turn tracing off)`)
  }
  if (db !== undefined) {
    const ssl = (db['sslMode'] ?? '') as string
    if (ssl !== '' && !SSL_MODES.includes(ssl)) add(P('database', 'sslMode'), `"${ssl}" is not an sslmode the server's migrations support; use one of ${SSL_MODES.join(', ')}`)
    const life = (db['connMaxLifetime'] ?? '') as string
    if (life !== '' && parseGoDuration(life) === undefined) add(P('database', 'connMaxLifetime'), `"${life}" is not a duration; use a Go duration such as 30m`)
  }

  // 4. the hook's own rule: every file the server reads must come from a volume of the container
  const allMounts = [...mounts, ...IMPLICIT_MOUNTS]
  for (const ref of fileRefs) {
    if (!ref.value.startsWith('/')) {
      add(ref.path, 'must be an absolute file path')
      continue
    }
    const clean = cleanPath(ref.value)
    if (ref.value.split('/').includes('..')) {
      add(ref.path, `${ref.value} leaves its directory with ".."; write the path without ".."`)
    } else if (!mountedBy(clean, allMounts)) {
      add(
        ref.path,
        `${ref.value.length > 80 ? `${ref.value.slice(0, 80)}…` : ref.value} is not under any volumeMount of the registry-api container` +
          `${clean.startsWith(`${CONFIG_MOUNT_PATH}/`) ? ` (${CONFIG_MOUNT_PATH} holds only config.yaml)` : ''}; ` +
          'add a volume and a volumeMount whose mountPath contains this file',
      )
    }
  }

  if (issues.length > 0) return { issues }
  return { issues, config: { sources: sources.length, registries: registries.length, fileSources } }
}

/** The first claim key whose value is not a string or a list of strings. */
function claimProblem(claims: Record<string, unknown> | undefined): string | undefined {
  for (const [k, v] of Object.entries(claims ?? {})) {
    if (typeof v === 'string') continue
    if (Array.isArray(v) && v.every((e) => typeof e === 'string')) continue
    return k
  }
  return undefined
}
