/**
 * The registry server's own rules for config.yaml (U§2.6), checked in the hook so that a mistake shows as
 * `ConfigValid=False` with the line at fault instead of a pod that crash-loops while the resource says
 * `Pending` (SPEC §4). Pure.
 */
import { relativeTo, trimTrailingSlashes } from './paths.js'
import { LineCounter, parseDocument } from 'yaml'
import { CONFIG_MOUNT_PATH } from './constants.js'
import { isRecord } from './json.js'
import type { VolumeMount } from './k8s-types.js'
import type { Issue } from './validate.js'

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
}

type Path = (string | number)[]

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/
const HTTP_URL = /^https?:\/\/\S+$/
const SOURCE_TYPES = ['file', 'git', 'api', 'kubernetes', 'managed'] as const
const SYNCED_TYPES = new Set(['file', 'git', 'api'])
const AUTH_MODES = ['anonymous', 'oauth']

function pathText(path: Path): string {
  let out = ''
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`
  return out
}

/** Is `file` under the mountPath of one of the user's mounts? (A subPath mount is a file itself.) */
function mountedBy(file: string, mounts: readonly VolumeMount[]): boolean {
  return mounts.some((m) => {
    return file === trimTrailingSlashes(m.mountPath) || relativeTo(file, m.mountPath) !== undefined
  })
}

export function checkConfigYAML(text: string, mounts: readonly VolumeMount[]): { issues: Issue[]; config?: RegistryConfig } {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false })
  const issues: Issue[] = []

  const firstError = doc.errors[0]
  if (firstError !== undefined) {
    const line = lineCounter.linePos(firstError.pos[0]).line
    const what = firstError.message.split('\n')[0] as string
    return { issues: [{ field: `spec.configYAML line ${line}`, message: `is not valid YAML (${what}); fix the syntax` }] }
  }

  /** The line of the node at `path`, or of its nearest existing ancestor. */
  const lineOf = (path: Path): number => {
    for (let n = path.length; n > 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined
      if (node?.range) return lineCounter.linePos(node.range[0]).line
    }
    return 1
  }
  const add = (path: Path, message: string): void => {
    issues.push({ field: `spec.configYAML line ${lineOf(path)}, ${pathText(path)}`, message })
  }

  const root: unknown = doc.toJS()
  if (!isRecord(root)) {
    return { issues: [{ field: 'spec.configYAML', message: 'must be a YAML mapping with sources, registries, database and auth; see the registry server documentation' }] }
  }

  const fileRefs: { path: Path; value: unknown }[] = []
  const fileSources: FileSource[] = []

  // sources
  const sources = root['sources']
  const sourceNames = new Set<string>()
  if (!Array.isArray(sources) || sources.length === 0) {
    add(['sources'], 'needs at least one source; add e.g. "sources: [{name: k8s, kubernetes: {}}]"')
  } else {
    let managed = 0
    sources.forEach((src: unknown, i) => {
      const at: Path = ['sources', i]
      if (!isRecord(src)) {
        add(at, 'must be a mapping with a name and one source type')
        return
      }
      const name = src['name']
      if (typeof name !== 'string' || !DNS_LABEL.test(name)) {
        add([...at, 'name'], 'must be a DNS label (lower-case letters, digits and "-", at most 63 characters); rename the source')
      } else if (sourceNames.has(name)) {
        add([...at, 'name'], `source name "${name}" is used twice; give each source its own name`)
      } else {
        sourceNames.add(name)
      }
      const types = SOURCE_TYPES.filter((t) => src[t] !== undefined)
      if (types.length !== 1) {
        add(at, `${types.length === 0 ? 'has no source type' : `has ${types.length} source types (${types.join(', ')})`}; give exactly one of ${SOURCE_TYPES.join(', ')}`)
        return
      }
      const type = types[0] as (typeof SOURCE_TYPES)[number]
      const body = src[type]
      if (type === 'managed') managed++
      if (body !== null && !isRecord(body)) {
        add([...at, type], 'must be a mapping; use {} for no settings')
        return
      }
      const cfg = body ?? {}
      if (type === 'file') {
        const hasPath = cfg['path'] !== undefined
        const hasUrl = cfg['url'] !== undefined
        if (hasPath === hasUrl) {
          add([...at, 'file'], 'needs exactly one of path or url')
        } else if (hasPath) {
          fileRefs.push({ path: [...at, 'file', 'path'], value: cfg['path'] })
          if (typeof cfg['path'] === 'string' && typeof name === 'string') fileSources.push({ name, path: cfg['path'] })
        } else if (typeof cfg['url'] !== 'string' || !HTTP_URL.test(cfg['url'])) {
          add([...at, 'file', 'url'], 'must be an http or https URL')
        }
      } else if (type === 'git') {
        if (typeof cfg['repository'] !== 'string' || cfg['repository'] === '') {
          add([...at, 'git', 'repository'], 'is required; give the repository URL')
        }
        const auth = cfg['auth']
        if (auth !== undefined) {
          if (!isRecord(auth) || typeof auth['username'] !== 'string' || auth['username'] === '') {
            add([...at, 'git', 'auth', 'username'], 'is required with git auth; e.g. "git" for a GitHub token')
          }
          if (!isRecord(auth) || auth['passwordFile'] === undefined) {
            add([...at, 'git', 'auth', 'passwordFile'], 'is required with git auth; mount the token Secret and give its file path')
          } else {
            fileRefs.push({ path: [...at, 'git', 'auth', 'passwordFile'], value: auth['passwordFile'] })
          }
        }
      } else if (type === 'api') {
        if (typeof cfg['endpoint'] !== 'string' || !HTTP_URL.test(cfg['endpoint'])) {
          add([...at, 'api', 'endpoint'], 'is required and must be an http or https URL')
        }
      }
      if (SYNCED_TYPES.has(type)) {
        const policy = src['syncPolicy']
        const interval = isRecord(policy) ? policy['interval'] : undefined
        if (interval === undefined) {
          add([...at, 'syncPolicy'], `is required for a ${type} source; add "syncPolicy: {interval: 1h}"`)
        } else if (typeof interval !== 'string' || !GO_DURATION.test(interval)) {
          add([...at, 'syncPolicy', 'interval'], `"${String(interval)}" is not a duration; use a Go duration such as 30m or 1h`)
        }
      }
    })
    if (managed > 1) add(['sources'], `has ${managed} managed sources; at most one is allowed`)
  }

  // registries
  const registries = root['registries']
  if (!Array.isArray(registries) || registries.length === 0) {
    add(['registries'], 'needs at least one registry; add e.g. "registries: [{name: default, sources: [<source name>]}]"')
  } else {
    const names = new Set<string>()
    registries.forEach((reg: unknown, i) => {
      const at: Path = ['registries', i]
      if (!isRecord(reg)) {
        add(at, 'must be a mapping with a name and sources')
        return
      }
      const name = reg['name']
      if (typeof name !== 'string' || name === '') {
        add([...at, 'name'], 'is required; name the registry view (e.g. default)')
      } else if (names.has(name)) {
        add([...at, 'name'], `registry name "${name}" is used twice; give each registry its own name`)
      } else {
        names.add(name)
      }
      const refs = reg['sources']
      if (!Array.isArray(refs) || refs.length === 0) {
        add([...at, 'sources'], 'needs at least one source name')
        return
      }
      refs.forEach((ref: unknown, j) => {
        if (typeof ref !== 'string' || !sourceNames.has(ref)) {
          add([...at, 'sources', j], `"${String(ref)}" is not a source defined under sources; use one of: ${[...sourceNames].join(', ') || '(none)'}`)
        }
      })
    })
  }

  // database
  const db = root['database']
  if (!isRecord(db)) {
    add(['database'], 'is required; give host, port, user and database')
  } else {
    for (const key of ['host', 'user', 'database']) {
      if (typeof db[key] !== 'string' || db[key] === '') add(['database', key], `is required; give the PostgreSQL ${key}`)
    }
    const port = db['port']
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      add(['database', 'port'], 'is required and must be a port number from 1 to 65535')
    }
  }

  // auth
  const auth = root['auth']
  if (!isRecord(auth)) {
    add(['auth'], 'is required; use "auth: {mode: anonymous}" or configure oauth')
  } else {
    const mode = auth['mode'] ?? 'oauth'
    if (typeof mode !== 'string' || !AUTH_MODES.includes(mode)) {
      add(['auth', 'mode'], `"${String(mode)}" is not a mode; use anonymous or oauth`)
    } else if (mode === 'oauth') {
      const oauth = auth['oauth']
      const providers = isRecord(oauth) ? oauth['providers'] : undefined
      if (!Array.isArray(providers) || providers.length === 0) {
        add(['auth', 'oauth', 'providers'], `needs at least one provider in oauth mode${auth['mode'] === undefined ? ' (the server defaults to oauth when mode is not set)' : ''}; add one or set mode: anonymous`)
      } else {
        providers.forEach((p: unknown, i) => {
          const at: Path = ['auth', 'oauth', 'providers', i]
          if (!isRecord(p)) {
            add(at, 'must be a mapping with name, issuerUrl and audience')
            return
          }
          if (typeof p['name'] !== 'string' || p['name'] === '') add([...at, 'name'], 'is required')
          if (typeof p['issuerUrl'] !== 'string' || !HTTP_URL.test(p['issuerUrl'])) add([...at, 'issuerUrl'], 'is required and must be an http or https URL')
          if (typeof p['audience'] !== 'string' || p['audience'] === '') add([...at, 'audience'], 'is required')
          for (const key of ['clientSecretFile', 'caCertPath', 'authTokenFile']) {
            if (p[key] !== undefined) fileRefs.push({ path: [...at, key], value: p[key] })
          }
        })
      }
    }
  }

  // files the server reads must come from a volume the user mounted (the hook's /config holds only config.yaml)
  for (const ref of fileRefs) {
    if (typeof ref.value !== 'string' || !ref.value.startsWith('/')) {
      add(ref.path, 'must be an absolute file path')
    } else if (!mountedBy(ref.value, mounts)) {
      add(
        ref.path,
        `${ref.value} is not under any volumeMount of the registry-api container` +
          `${ref.value.startsWith(`${CONFIG_MOUNT_PATH}/`) ? ` (${CONFIG_MOUNT_PATH} holds only config.yaml)` : ''}; ` +
          'add a volume and a volumeMount whose mountPath contains this file',
      )
    }
  }

  if (issues.length > 0) return { issues }
  return {
    issues,
    config: { sources: (sources as unknown[]).length, registries: (registries as unknown[]).length, fileSources },
  }
}
