/**
 * config.yaml decoded as viper and mapstructure do: weakly typed, keys in any case, unknown keys ignored.
 * Every decoding problem stops the server before its validation, so the hook reports them first. Pure.
 */
import type { PathPart } from '../basics/field-path.js'
import { isRecord } from '../basics/json.js'
import { goInt64, parseGoFloat, parseGoInt } from './go-values.js'

type Path = PathPart[]

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


export interface Decoder {
  add(path: Path, message: string): void
}

/** A value as mapstructure decodes it into `kind`, weakly typed; problems are added with their path. */
export function decode(value: unknown, kind: Kind, path: Path, d: Decoder): unknown {
  if (value === null || value === undefined) return undefined
  if (typeof kind === 'string') return SCALARS[kind](value, path, d)
  if ('list' in kind) return decodeList(value, kind, path, d)
  return decodeStruct(value, kind, path, d)
}

function decodeString(value: unknown, path: Path, d: Decoder): unknown {
  if (typeof value === 'string') return value
  if (typeof value === 'number') return String(value)
  if (typeof value === 'boolean') return value ? '1' : '0'
  d.add(path, `expected a string, got ${shown(value)}; write a plain value`)
  return undefined
}

function decodeInt(bits: 64 | 32): (value: unknown, path: Path, d: Decoder) => unknown {
  return (value, path, d) => {
    let v: bigint | undefined
    if (typeof value === 'number') v = goInt64(value)
    else if (typeof value === 'boolean') v = value ? 1n : 0n
    else if (typeof value === 'string') v = parseGoInt(value === '' ? '0' : value, bits)
    if (v === undefined) {
      d.add(path, `${shown(value)} is not a whole number; write a number`)
      return undefined
    }
    return bits === 32 ? BigInt.asIntN(32, v) : v
  }
}

function decodeBool(value: unknown, path: Path, d: Decoder): unknown {
  if (typeof value === 'boolean') return value
  if (typeof value === 'number') return value !== 0
  if (typeof value === 'string') {
    if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true
    if (['', '0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false
  }
  d.add(path, `${JSON.stringify(value)} is not a boolean; write true or false`)
  return undefined
}

function decodeFloat(value: unknown, path: Path, d: Decoder): unknown {
  if (typeof value === 'number') return value
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'string') {
    // mapstructure reads "" as 0 and anything else with Go's strconv.ParseFloat
    const n = value === '' ? 0 : parseGoFloat(value)
    if (n !== undefined) return n
  }
  d.add(path, `${JSON.stringify(value)} is not a number; write a number such as 0.5`)
  return undefined
}

/** viper's StringToSliceHookFunc(","), then mapstructure's weak "single value to slice". */
function decodeStrings(value: unknown, path: Path, d: Decoder): unknown {
  if (typeof value === 'string') return value === '' ? [] : value.split(',')
  if (Array.isArray(value)) return value.map((v, i) => decode(v, 'string', [...path, i], d) ?? '')
  if (isRecord(value) && Object.keys(value).length === 0) return []
  const one = decode(value, 'string', path, d)
  return one === undefined ? undefined : [one]
}

function decodeAnyMap(value: unknown, path: Path, d: Decoder): unknown {
  if (isRecord(value)) return value
  d.add(path, `expected a mapping, got ${shown(value)}`)
  return undefined
}

const SCALARS: Record<Exclude<Kind, Struct | List>, (value: unknown, path: Path, d: Decoder) => unknown> = {
  string: decodeString,
  int: decodeInt(64),
  int32: decodeInt(32),
  bool: decodeBool,
  float: decodeFloat,
  strings: decodeStrings,
  anyMap: decodeAnyMap,
}

function decodeList(value: unknown, kind: List, path: Path, d: Decoder): unknown {
  if (typeof value === 'string') {
    // split at commas, then each piece must be a mapping
    d.add(path, `expected a list of mappings, got ${shown(value)}`)
    return undefined
  }
  // a single mapping where a list is expected is taken as a list of one (mapstructure's weak decoding)
  if (!Array.isArray(value)) return [decode(value, kind.list, [...path, 0], d) ?? {}]
  return value.map((v, i) => decode(v, kind.list, [...path, i], d) ?? {})
}

function decodeStruct(value: unknown, kind: Struct, path: Path, d: Decoder): unknown {
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

export const CONFIG_KIND = configKind()


/**
 * The settings as viper hands them to mapstructure: mappings that are empty once their own empty mappings
 * are gone disappear (viper keeps only leaf keys); lists are leaves and are kept as written.
 */
export function viperSettings(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    const n = isRecord(v) ? viperSettings(v) : v
    if (!(isRecord(n) && Object.keys(n).length === 0)) out[k] = n
  }
  return out
}

