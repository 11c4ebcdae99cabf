/**
 * Registry data checks (SPEC §4): the ConfigMaps the spec mounts must exist with the keys it projects, and
 * the one behind each `file:` source must hold a registry document the server accepts (U§6). Data problems
 * are not spec errors: they explain a Pending phase and never change the children. Pure.
 */
import type { ContentCaches } from '../basics/content-cache.js'
import type { FileSource, RegistryConfig } from './config-yaml.js'
import { isRecord } from '../basics/json.js'
import { relativeTo } from '../basics/paths.js'
import type { PodTemplateSpec, Volume, VolumeMount } from '../basics/k8s-types.js'
import { checkRegistryDocument } from './registry-document.js'
import type { KubeObject } from '../schema/hook.js'

/** A ConfigMap the pod mounts, with the keys it projects (all keys when `items` is absent). */
export interface MountedConfigMap {
  volume: string
  configMap: string
  optional: boolean
  items?: { key: string; path: string }[]
}

/**
 * ConfigMaps referenced by volumes, directly or through a projected volume, in volume order. Volumes are
 * user input of any shape here (customize reads them before validation): anything unreadable is skipped.
 */
export function mountedConfigMaps(volumes: readonly Volume[]): MountedConfigMap[] {
  const out: MountedConfigMap[] = []
  const add = (volume: string, src: unknown): void => {
    if (!isRecord(src) || typeof src['name'] !== 'string' || src['name'] === '') return
    const entry: MountedConfigMap = { volume, configMap: src['name'], optional: src['optional'] === true }
    const items = src['items']
    if (Array.isArray(items)) {
      entry.items = items.filter(
        (it): it is { key: string; path: string } => isRecord(it) && typeof it['key'] === 'string' && typeof it['path'] === 'string',
      )
    }
    out.push(entry)
  }
  for (const v of volumes) {
    add(v.name, v.configMap)
    const sources: unknown = v.projected?.sources
    if (Array.isArray(sources)) for (const s of sources) if (isRecord(s)) add(v.name, s['configMap'])
  }
  return out
}

/** Every pod volume the user gave: spec.volumes, then podTemplateSpec's. */
export function userVolumes(volumes: readonly Volume[], podTemplate: PodTemplateSpec | undefined): Volume[] {
  return [...volumes, ...(podTemplate?.spec?.volumes ?? [])]
}

export { checkRegistryDocument }

export interface DataCondition {
  status: 'True' | 'False'
  reason: 'RegistryDataValid' | 'ConfigMapNotFound' | 'KeyNotFound' | 'InvalidRegistryData'
  message: string
}

function dataKeys(cm: KubeObject): Set<string> {
  const keys = new Set<string>()
  for (const field of ['data', 'binaryData']) {
    const m = cm[field]
    if (isRecord(m)) for (const k of Object.keys(m)) keys.add(k)
  }
  return keys
}

/** The path of `file` relative to `mount`, or undefined when the mount does not hold it. */
function pathInMount(file: string, mount: VolumeMount): string | undefined {
  if (file === mount.mountPath) return mount.subPath ?? ''
  return relativeTo(file, mount.mountPath)
}

/** A file's text as the kubelet writes it: `data` as is, `binaryData` decoded from base64. */
function fileText(cm: KubeObject, key: string): string | undefined {
  const data = cm['data']
  if (isRecord(data) && typeof data[key] === 'string') return data[key]
  const binary = cm['binaryData']
  if (isRecord(binary) && typeof binary[key] === 'string') return Buffer.from(binary[key], 'base64').toString('utf8')
  return undefined
}

/** Where a file source's document comes from: the mounted ConfigMap and key that project it to its path. */
interface SourceFile {
  mounted: MountedConfigMap
  key: string
  text: string
}

/**
 * The ConfigMap key behind a file source's path: the longest mountPath that holds the file decides the
 * volume; of that volume's ConfigMaps (a projected volume has several) the one that projects the file wins.
 * Undefined when no mounted ConfigMap is behind the path (another volume type, or nothing mounted there).
 */
function sourceFile(
  path: string,
  mounts: readonly VolumeMount[],
  mounted: readonly MountedConfigMap[],
  byName: ReadonlyMap<string, KubeObject>,
): SourceFile | { volume: string; configMaps: MountedConfigMap[] } | undefined {
  const holding = mounts
    .map((mount) => ({ mount, rel: pathInMount(path, mount) }))
    .filter((m): m is { mount: VolumeMount; rel: string } => m.rel !== undefined)
    .sort((a, b) => b.mount.mountPath.length - a.mount.mountPath.length)[0]
  if (holding === undefined) return undefined
  const volume = mounted.filter((m) => m.volume === holding.mount.name)
  if (volume.length === 0) return undefined
  for (const m of volume) {
    const cm = byName.get(m.configMap)
    const key = m.items === undefined ? holding.rel : m.items.find((it) => it.path === holding.rel)?.key
    const text = cm === undefined || key === undefined ? undefined : fileText(cm, key)
    if (key !== undefined && text !== undefined) return { mounted: m, key, text }
  }
  return { volume: holding.mount.name, configMaps: volume }
}

/** The first mounted ConfigMap that is missing, or misses a key it projects (optional ones may). */
function missingConfigMap(mounted: readonly MountedConfigMap[], byName: ReadonlyMap<string, KubeObject>): DataCondition | undefined {
  for (const m of mounted) {
    const cm = byName.get(m.configMap)
    if (cm === undefined) {
      if (m.optional) continue
      return {
        status: 'False',
        reason: 'ConfigMapNotFound',
        message: `ConfigMap ${m.configMap} (volume ${m.volume}) does not exist in this namespace; create it: the registry pod cannot start without it`,
      }
    }
    const keys = dataKeys(cm)
    const missing = (m.items ?? []).find((it) => !keys.has(it.key))
    if (missing !== undefined && !m.optional) {
      return {
        status: 'False',
        reason: 'KeyNotFound',
        message: `ConfigMap ${m.configMap} has no key ${missing.key} (volume ${m.volume} projects it); add the key or fix spec.volumes`,
      }
    }
  }
  return undefined
}

/** What the True condition says when no file source reads from a ConfigMap: which exist, which (optional) do not. */
function mountedMessage(mounted: readonly MountedConfigMap[], byName: ReadonlyMap<string, KubeObject>): string {
  const names = [...new Set(mounted.map((m) => m.configMap))]
  const present = names.filter((n) => byName.has(n))
  const absent = names.filter((n) => !byName.has(n))
  const parts: string[] = []
  if (present.length > 0) parts.push(`Mounted ConfigMaps exist: ${present.join(', ')}`)
  if (absent.length > 0) parts.push(`optional ConfigMap${absent.length === 1 ? '' : 's'} ${absent.join(', ')} not present (the pod starts without ${absent.length === 1 ? 'it' : 'them'})`)
  const text = parts.join('; ')
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** What the data rules read; `counts` collects what the True condition says of each source. */
interface DataContext {
  mounted: MountedConfigMap[]
  byName: ReadonlyMap<string, KubeObject>
  mounts: readonly VolumeMount[]
  config: RegistryConfig
  counts: string[]
  /** Caches of the app; absent: every document is checked. */
  caches: ContentCaches | undefined
}

/** The document behind one file source: a ConfigMap key projects it, and the server accepts it. */
function sourceDocument(src: FileSource, ctx: DataContext): DataCondition | undefined {
  const found = sourceFile(src.path, ctx.mounts, ctx.mounted, ctx.byName)
  if (found === undefined) return undefined
  if ('volume' in found) {
    // every ConfigMap of the volume is optional and absent: nothing to read, the pod starts without it
    if (found.configMaps.every((m) => m.optional && !ctx.byName.has(m.configMap))) return undefined
    const names = found.configMaps.map((m) => m.configMap).join(', ')
    return {
      status: 'False',
      reason: 'KeyNotFound',
      message:
        `source ${src.name} reads ${src.path}, but no ConfigMap of volume ${found.volume} (${names}) projects a key to that file; ` +
        'fix file.path, the volume items or the ConfigMap',
    }
  }
  const text = found.text
  const result = ctx.caches === undefined ? checkRegistryDocument(text) : ctx.caches.get('registryData', [text], () => checkRegistryDocument(text))
  if ('problem' in result) {
    return {
      status: 'False',
      reason: 'InvalidRegistryData',
      message: `ConfigMap ${found.mounted.configMap} key ${found.key} (source ${src.name}) is not a registry document the server accepts: ${result.problem}`,
    }
  }
  ctx.counts.push(`source ${src.name} has ${result.servers} server${result.servers === 1 ? '' : 's'}`)
  return undefined
}

function sourceDocuments(ctx: DataContext): DataCondition | undefined {
  for (const src of ctx.config.fileSources) {
    const problem = sourceDocument(src, ctx)
    if (problem !== undefined) return problem
  }
  return undefined
}

/** One check of the registry data: the reasons and the field it reports (README "Validation rules"). */
export interface DataRule {
  reasons: DataCondition['reason'][]
  field: string
  check: (ctx: DataContext) => DataCondition | undefined
}

/** The data rules in order; the first problem is the condition. */
export const DATA_RULES: DataRule[] = [
  { reasons: ['ConfigMapNotFound', 'KeyNotFound'], field: 'spec.volumes[*] (configMap and projected ConfigMaps)', check: (ctx) => missingConfigMap(ctx.mounted, ctx.byName) },
  { reasons: ['KeyNotFound', 'InvalidRegistryData'], field: 'spec.configYAML: sources[*].file.path', check: sourceDocuments },
]

/**
 * The RegistryDataValid condition, or undefined when the pod mounts no ConfigMap.
 * `related` is the request's `ConfigMap.v1` map (keyed by name: v1 hooks, namespaced parent).
 */
export function checkRegistryData(
  volumes: readonly Volume[],
  mounts: readonly VolumeMount[],
  config: RegistryConfig,
  related: Record<string, KubeObject>,
  /** Caches of the app (content-cache.ts); absent: every document is checked. */
  caches?: ContentCaches,
): DataCondition | undefined {
  const mounted = mountedConfigMaps(volumes)
  if (mounted.length === 0) return undefined
  const byName = new Map(Object.values(related).map((cm) => [cm.metadata.name, cm]))
  const ctx: DataContext = { mounted, byName, mounts, config, counts: [], caches }
  for (const rule of DATA_RULES) {
    const problem = rule.check(ctx)
    if (problem !== undefined) return problem
  }
  return {
    status: 'True',
    reason: 'RegistryDataValid',
    message: ctx.counts.length > 0 ? `Registry data is valid: ${ctx.counts.join(', ')}` : mountedMessage(mounted, byName),
  }
}
