/**
 * The registry server's own rules for a decoded config.yaml, in the server's order: `validate()` and the
 * start-up steps after it (telemetry, the database connection string), then the hook's own rule that every
 * file the server reads comes from a volume of the container. Each rule is a small named function; the
 * lists below are what checkConfigYAML runs, and what README "Validation rules" lists. Pure.
 */
import { CONFIG_MOUNT_PATH, TMP_MOUNT_PATH } from '../basics/constants.js'
import { isDnsLabel } from '../basics/dns.js'
import type { PathPart } from '../basics/field-path.js'
import type { VolumeMount } from '../basics/k8s-types.js'
import { cleanPath, mountedBy } from '../basics/paths.js'
import { parseGoDuration, parseGoURL } from './go-values.js'

type Path = PathPart[]
export type Cfg = Record<string, any>

export interface FileSource {
  /** The source's name in config.yaml. */
  name: string
  /** Absolute path of the registry data file in the container. */
  path: string
}

/** What differs between the server versions the hook knows. */
export interface ServerRules {
  /** The version whose code the rules come from. */
  version: string
  /** `api.timeout` is checked (> 0, <= 5m); v1.5. */
  apiTimeout: boolean
}

/** What the rules read and write while they check one decoded config. */
export interface ConfigContext {
  cfg: Cfg
  rules: ServerRules
  /** The registry-api container's mounts, the user's and those every pod has. */
  mounts: readonly VolumeMount[]
  /** Reports a problem at `path`. */
  add(path: Path, message: string): void
  /** The path of `parts` as the user wrote the keys (in any case). */
  P(...parts: PathPart[]): Path
  /** Files the server reads, for the last rule. */
  fileRefs: { path: Path; value: string }[]
  /** `file:` sources with a local path. */
  fileSources: FileSource[]
  sourceNames: Set<string>
  registryNames: Set<string>
  /** managed sources among those whose name passed */
  managedSources: number
}

/** A rule of the whole config: the field it checks, as README "Validation rules" writes it. */
export interface ConfigRule {
  field: string
  check: (ctx: ConfigContext) => void
  /** Set when the rule runs item rules on each item of a list (they are the rules README lists). */
  items?: ItemRule[]
}
/** A rule of one list item; true when it reported a problem, which ends the item's checks (as the server's first error does). */
export interface ItemRule {
  field: string
  check: (item: Cfg, i: number, ctx: ConfigContext) => boolean
}

const AUTH_MODES = ['anonymous', 'oauth']
/** sslmodes the migrations can use: they run through lib/pq, which knows no `allow` or `prefer`. */
const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full']
const MAX_AUDIT_DATA = 1 << 20
const MAX_API_TIMEOUT_NS = 5n * 60n * 1_000_000_000n
const SOURCE_TYPES = ['git', 'api', 'file', 'managed', 'kubernetes'] as const

const sources = (ctx: ConfigContext): Cfg[] => (ctx.cfg['sources'] ?? []) as Cfg[]
const registries = (ctx: ConfigContext): Cfg[] => (ctx.cfg['registries'] ?? []) as Cfg[]
const typesOf = (src: Cfg): string[] => SOURCE_TYPES.filter((t) => src[t] !== undefined)
/** The one source type (the type rule has made sure there is one). */
const typeOf = (src: Cfg): string => typesOf(src)[0] as string
const clip = (text: string, n: number): string => (text.length > n ? `${text.slice(0, n)}…` : text)

/** Runs item rules on each item; the first problem of an item ends its checks, and with `stopAll` every check. */
function eachItem(items: readonly Cfg[], rules: readonly ItemRule[], ctx: ConfigContext, stopAll: boolean): void {
  for (const [i, item] of items.entries()) {
    const failed = rules.some((rule) => rule.check(item, i, ctx))
    if (failed && stopAll) return
  }
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

// ---- sources ----

function sourcesGiven(ctx: ConfigContext): void {
  if (sources(ctx).length === 0) ctx.add(ctx.P('sources'), 'needs at least one source; add e.g. "sources: [{name: k8s, kubernetes: {}}]"')
}

function sourceName(src: Cfg, i: number, ctx: ConfigContext): boolean {
  const name = (src['name'] ?? '') as string
  const at = ctx.P('sources', i, 'name')
  if (name === '') ctx.add(at, 'is required; name the source (a DNS label such as "team")')
  else if (!isDnsLabel(name)) ctx.add(at, `"${clip(name, 70)}" must be a DNS label (lower-case letters, digits and "-", at most 63 characters); rename the source`)
  else if (ctx.sourceNames.has(name)) ctx.add(at, `source name "${name}" is used twice; give each source its own name`)
  else {
    ctx.sourceNames.add(name)
    return false
  }
  return true
}

function sourceType(src: Cfg, i: number, ctx: ConfigContext): boolean {
  const types = typesOf(src)
  if (src['managed'] !== undefined) ctx.managedSources++
  if (types.length === 1) return false
  ctx.add(
    ctx.P('sources', i),
    `${types.length === 0 ? 'has no source type' : `has ${types.length} source types (${types.join(', ')})`}; give exactly one of git, api, file, managed, kubernetes (as a mapping, {} for no settings)`,
  )
  return true
}

function kubernetesNamespaces(src: Cfg, i: number, ctx: ConfigContext): boolean {
  if (typeOf(src) !== 'kubernetes') return false
  const seen = new Set<string>()
  ;(((src['kubernetes'] as Cfg)['namespaces'] as string[] | undefined) ?? []).forEach((ns, j) => {
    const at = ctx.P('sources', i, 'kubernetes', 'namespaces', j)
    if (!isDnsLabel(ns)) ctx.add(at, `"${ns}" is not a valid namespace name (a DNS label); fix it`)
    else if (seen.has(ns)) ctx.add(at, `namespace "${ns}" is listed twice; list it once`)
    seen.add(ns)
  })
  return false
}

/** file, git and api sources sync on an interval. */
function syncPolicy(src: Cfg, i: number, ctx: ConfigContext): boolean {
  const type = typeOf(src)
  if (type === 'managed' || type === 'kubernetes') return false
  const interval = (src['syncPolicy'] as Cfg | undefined)?.['interval'] as string | undefined
  if (src['syncPolicy'] === undefined) ctx.add(ctx.P('sources', i, 'syncPolicy'), `is required for a ${type} source; add "syncPolicy: {interval: 1h}"`)
  else if (interval === undefined || interval === '') ctx.add(ctx.P('sources', i, 'syncPolicy', 'interval'), 'is required; use a Go duration such as 30m or 1h')
  else if (parseGoDuration(interval) === undefined) {
    ctx.add(ctx.P('sources', i, 'syncPolicy', 'interval'), `"${clip(interval, 40)}" is not a duration; use a Go duration such as 30m or 1h`)
  } else return false
  return true
}

function gitSource(src: Cfg, i: number, ctx: ConfigContext): boolean {
  if (typeOf(src) !== 'git') return false
  const body = src['git'] as Cfg
  if (!body['repository']) {
    ctx.add(ctx.P('sources', i, 'git', 'repository'), 'is required; give the repository URL')
    return true
  }
  const auth = body['auth'] as Cfg | undefined
  if (auth === undefined) return false
  const user = (auth['username'] ?? '') as string
  const file = (auth['passwordFile'] ?? '') as string
  if ((user === '') !== (file === '')) {
    ctx.add(
      ctx.P('sources', i, 'git', 'auth', user === '' ? 'username' : 'passwordFile'),
      'is required with git auth (username and passwordFile go together); e.g. username "git" and the mounted token file',
    )
    return true
  }
  if (file !== '') ctx.fileRefs.push({ path: ctx.P('sources', i, 'git', 'auth', 'passwordFile'), value: file })
  return false
}

function apiSource(src: Cfg, i: number, ctx: ConfigContext): boolean {
  if (typeOf(src) !== 'api') return false
  const body = src['api'] as Cfg
  if (!body['endpoint']) {
    ctx.add(ctx.P('sources', i, 'api', 'endpoint'), 'is required; give the base URL of the MCP registry API')
    return true
  }
  const timeout = (body['timeout'] ?? '') as string
  if (!ctx.rules.apiTimeout || timeout === '') return false
  const t = parseGoDuration(timeout)
  if (t !== undefined && t > 0n && t <= MAX_API_TIMEOUT_NS) return false
  ctx.add(
    ctx.P('sources', i, 'api', 'timeout'),
    `"${timeout}" ${t === undefined ? 'is not a duration' : t <= 0n ? 'must be greater than zero' : 'must not exceed 5m'}; use a Go duration such as 30s`,
  )
  return true
}

function fileSource(src: Cfg, i: number, ctx: ConfigContext): boolean {
  if (typeOf(src) !== 'file') return false
  const body = src['file'] as Cfg
  const path = (body['path'] ?? '') as string
  const url = (body['url'] ?? '') as string
  if ((path === '') === (url === '')) {
    ctx.add(ctx.P('sources', i, 'file'), `${path === '' ? 'needs' : 'takes'} exactly one of path or url`)
    return true
  }
  if (url !== '') return fileURL(body, url, i, ctx)
  ctx.fileRefs.push({ path: ctx.P('sources', i, 'file', 'path'), value: path })
  ctx.fileSources.push({ name: src['name'] as string, path: cleanPath(path) })
  return false
}

function fileURL(body: Cfg, url: string, i: number, ctx: ConfigContext): boolean {
  const u = parseGoURL(url)
  if ('error' in u || u.scheme === '' || u.host === '' || (u.scheme !== 'http' && u.scheme !== 'https')) {
    ctx.add(ctx.P('sources', i, 'file', 'url'), `${'error' in u ? `is not a URL (${u.error})` : 'must be an absolute http or https URL with a host'}`)
    return true
  }
  const timeout = (body['timeout'] ?? '') as string
  if (timeout !== '' && parseGoDuration(timeout) === undefined) {
    ctx.add(ctx.P('sources', i, 'file', 'timeout'), `"${timeout}" is not a duration; use a Go duration such as 30s`)
    return true
  }
  return false
}

/** Claims of a source or a registry: each a string or a list of strings. */
function claimsOf(list: 'sources' | 'registries'): ItemRule['check'] {
  return (item, i, ctx) => {
    const bad = claimProblem(item['claims'] as Record<string, unknown> | undefined)
    if (bad !== undefined) ctx.add(ctx.P(list, i, 'claims', bad), 'must be a string or a list of strings')
    return bad !== undefined
  }
}

/** Each source's rules, in the server's order; a source's first problem ends its checks. */
export const SOURCE_RULES: ItemRule[] = [
  { field: 'sources[*].name', check: sourceName },
  { field: 'sources[*]', check: sourceType },
  { field: 'sources[*].kubernetes.namespaces[*]', check: kubernetesNamespaces },
  { field: 'sources[*].syncPolicy.interval', check: syncPolicy },
  { field: 'sources[*].git', check: gitSource },
  { field: 'sources[*].api', check: apiSource },
  { field: 'sources[*].file', check: fileSource },
  { field: 'sources[*].claims', check: claimsOf('sources') },
]

function eachSource(ctx: ConfigContext): void {
  eachItem(sources(ctx), SOURCE_RULES, ctx, false)
}

/** Counted over sources whose name passed (sourceType counts them). */
function oneManagedSource(ctx: ConfigContext): void {
  const managed = ctx.managedSources
  if (managed > 1) ctx.add(ctx.P('sources'), `has ${managed} managed sources; at most one is allowed`)
}

// ---- registries (the server stops at the first problem of any registry) ----

function registriesGiven(ctx: ConfigContext): void {
  if (registries(ctx).length === 0) ctx.add(ctx.P('registries'), 'needs at least one registry; add e.g. "registries: [{name: default, sources: [<source name>]}]"')
}

function registryName(reg: Cfg, i: number, ctx: ConfigContext): boolean {
  const seen = ctx.registryNames
  const name = (reg['name'] ?? '') as string
  if (name === '') ctx.add(ctx.P('registries', i, 'name'), 'is required; name the registry view (e.g. default)')
  else if (seen.has(name)) ctx.add(ctx.P('registries', i, 'name'), `registry name "${name}" is used twice; give each registry its own name`)
  else {
    seen.add(name)
    return false
  }
  return true
}
function registrySources(reg: Cfg, i: number, ctx: ConfigContext): boolean {
  const refs = (reg['sources'] ?? []) as string[]
  if (refs.length === 0) {
    ctx.add(ctx.P('registries', i, 'sources'), 'needs at least one source name')
    return true
  }
  const j = refs.findIndex((r) => !ctx.sourceNames.has(r))
  if (j < 0) return false
  ctx.add(ctx.P('registries', i, 'sources', j), `"${refs[j]}" is not a source defined under sources; use one of: ${[...ctx.sourceNames].join(', ') || '(none)'}`)
  return true
}

export const REGISTRY_RULES: ItemRule[] = [
  { field: 'registries[*].name', check: registryName },
  { field: 'registries[*].sources', check: registrySources },
  { field: 'registries[*].claims', check: claimsOf('registries') },
]

function eachRegistry(ctx: ConfigContext): void {
  eachItem(registries(ctx), REGISTRY_RULES, ctx, true)
}

// ---- database, audit, auth ----

function database(ctx: ConfigContext): void {
  const db = ctx.cfg['database'] as Cfg | undefined
  if (db === undefined) {
    ctx.add(ctx.P('database'), 'is required; give host, port, user and database')
    return
  }
  for (const key of ['host', 'port', 'user', 'database']) {
    const v = db[key]
    if (v === undefined || v === '' || v === 0n) ctx.add(ctx.P('database', key), `is required; give the PostgreSQL ${key}`)
  }
  const port = db['port'] as bigint | undefined
  if (port !== undefined && port !== 0n && (port < 1n || port > 65535n)) ctx.add(ctx.P('database', 'port'), 'is not a port number; use 1 to 65535')
  if (db['maxMetaSize'] !== undefined && (db['maxMetaSize'] as bigint) <= 0n) ctx.add(ctx.P('database', 'maxMetaSize'), 'must be greater than zero (bytes); leave it out for 256 KiB')
  if (db['dynamicAuth'] !== undefined && (db['password'] || db['migrationPassword'])) {
    ctx.add(ctx.P('database', 'dynamicAuth'), 'and a password are mutually exclusive; use one authentication method')
  }
}

function audit(ctx: ConfigContext): void {
  const a = ctx.cfg['audit'] as Cfg | undefined
  if (a === undefined) return
  const size = (a['maxDataSize'] ?? 0n) as bigint
  if (size < 0n || size > BigInt(MAX_AUDIT_DATA)) ctx.add(ctx.P('audit', 'maxDataSize'), `must be from 0 to ${MAX_AUDIT_DATA} bytes`)
  const logFile = (a['logFile'] ?? '') as string
  if (logFile === '') return
  const dir = cleanPath(logFile.slice(0, logFile.lastIndexOf('/') + 1) || '/')
  if (!logFile.startsWith('/') || !mountedBy(dir, ctx.mounts)) {
    ctx.add(ctx.P('audit', 'logFile'), `${logFile}: its directory must exist in the container; use a path under a volumeMount or ${TMP_MOUNT_PATH}`)
  }
}

function authMode(ctx: ConfigContext): void {
  const auth = ctx.cfg['auth'] as Cfg | undefined
  if (auth === undefined) {
    ctx.add(ctx.P('auth'), 'is required; use "auth: {mode: anonymous}" or configure oauth')
    return
  }
  const mode = (auth['mode'] ?? '') as string
  if (AUTH_MODES.includes(mode)) return
  ctx.add(ctx.P('auth', 'mode'), mode === '' ? 'is required (the server refuses a config without it); use anonymous or oauth' : `"${mode}" is not a mode; use anonymous or oauth`)
}

/** The oauth settings, in oauth mode only. */
function oauthOf(ctx: ConfigContext): Cfg | undefined | null {
  const auth = ctx.cfg['auth'] as Cfg | undefined
  return auth?.['mode'] === 'oauth' ? ((auth['oauth'] as Cfg | undefined) ?? null) : undefined
}

function oauthProviders(ctx: ConfigContext): void {
  const oauth = oauthOf(ctx)
  if (oauth === undefined) return
  if (oauth === null) ctx.add(ctx.P('auth', 'oauth'), 'is required in oauth mode; add oauth.providers or set mode: anonymous')
  else if (((oauth['providers'] ?? []) as Cfg[]).length === 0) {
    ctx.add(ctx.P('auth', 'oauth', 'providers'), 'needs at least one provider in oauth mode; add one or set mode: anonymous')
  }
}

/** The issuer: a URL with a host, https unless it is this machine. */
function issuerProblem(issuer: string): string | undefined {
  if (issuer === '') return 'is required; give the OIDC issuer URL'
  const u = parseGoURL(issuer)
  if ('error' in u) return `is not a URL (${u.error})`
  if (u.scheme === '' || u.host === '') return 'must be an absolute URL with a host'
  if (u.scheme !== 'https' && !['localhost', '127.0.0.1', '::1'].includes(u.hostname)) return 'must use https (http only for localhost)'
  return undefined
}

function provider(p: Cfg, i: number, ctx: ConfigContext): boolean {
  const at = (f: string): Path => ctx.P('auth', 'oauth', 'providers', i, f)
  if (!p['name']) {
    ctx.add(at('name'), 'is required; name the provider')
    return true
  }
  const issuer = issuerProblem((p['issuerUrl'] ?? '') as string)
  if (issuer !== undefined) ctx.add(at('issuerUrl'), issuer)
  else if (!p['audience']) ctx.add(at('audience'), 'is required; give the audience tokens must carry')
  else {
    for (const key of ['clientSecretFile', 'caCertPath', 'authTokenFile']) if (p[key]) ctx.fileRefs.push({ path: at(key), value: p[key] as string })
    return false
  }
  return true
}

export const PROVIDER_RULES: ItemRule[] = [{ field: 'auth.oauth.providers[*]', check: provider }]

function eachProvider(ctx: ConfigContext): void {
  const oauth = oauthOf(ctx)
  if (oauth) eachItem((oauth['providers'] ?? []) as Cfg[], PROVIDER_RULES, ctx, true)
}

// ---- start-up steps after validate(): telemetry, the database connection string ----

function tracingSampling(ctx: ConfigContext): void {
  const telemetry = ctx.cfg['telemetry'] as Cfg | undefined
  const tracing = telemetry?.['tracing'] as Cfg | undefined
  if (telemetry?.['enabled'] !== true || tracing?.['enabled'] !== true || tracing['sampling'] === undefined) return
  const s = tracing['sampling'] as number
  if (!(s > 0 && s <= 1)) ctx.add(ctx.P('telemetry', 'tracing', 'sampling'), `${s} must be greater than 0 and at most 1 (use enabled: false to turn tracing off)`)
}

function connectionString(ctx: ConfigContext): void {
  const db = ctx.cfg['database'] as Cfg | undefined
  if (db === undefined) return
  const ssl = (db['sslMode'] ?? '') as string
  if (ssl !== '' && !SSL_MODES.includes(ssl)) ctx.add(ctx.P('database', 'sslMode'), `"${ssl}" is not an sslmode the server's migrations support; use one of ${SSL_MODES.join(', ')}`)
  const life = (db['connMaxLifetime'] ?? '') as string
  if (life !== '' && parseGoDuration(life) === undefined) ctx.add(ctx.P('database', 'connMaxLifetime'), `"${life}" is not a duration; use a Go duration such as 30m`)
}

// ---- the hook's own rule: every file the server reads must come from a volume of the container ----

function filesUnderMounts(ctx: ConfigContext): void {
  for (const ref of ctx.fileRefs) {
    if (!ref.value.startsWith('/')) {
      ctx.add(ref.path, 'must be an absolute file path')
      continue
    }
    const clean = cleanPath(ref.value)
    if (ref.value.split('/').includes('..')) {
      ctx.add(ref.path, `${ref.value} leaves its directory with ".."; write the path without ".."`)
    } else if (!mountedBy(clean, ctx.mounts)) {
      ctx.add(
        ref.path,
        `${clip(ref.value, 80)} is not under any volumeMount of the registry-api container` +
          `${clean.startsWith(`${CONFIG_MOUNT_PATH}/`) ? ` (${CONFIG_MOUNT_PATH} holds only config.yaml)` : ''}; ` +
          'add a volume and a volumeMount whose mountPath contains this file',
      )
    }
  }
}

/** The rules of a decoded config, in the server's order (README "Validation rules"). */
export const CONFIG_RULES: ConfigRule[] = [
  { field: 'sources', check: sourcesGiven },
  { field: 'sources[*]', check: eachSource, items: SOURCE_RULES },
  { field: 'sources', check: oneManagedSource },
  { field: 'registries', check: registriesGiven },
  { field: 'registries[*]', check: eachRegistry, items: REGISTRY_RULES },
  { field: 'database', check: database },
  { field: 'audit', check: audit },
  { field: 'auth.mode', check: authMode },
  { field: 'auth.oauth.providers', check: oauthProviders },
  { field: 'auth.oauth.providers[*]', check: eachProvider, items: PROVIDER_RULES },
  { field: 'telemetry.tracing.sampling', check: tracingSampling },
  { field: 'database.sslMode, database.connMaxLifetime', check: connectionString },
  { field: 'sources[*].file.path, sources[*].git.auth.passwordFile, auth.oauth.providers[*].{clientSecretFile,caCertPath,authTokenFile}', check: filesUnderMounts },
]
