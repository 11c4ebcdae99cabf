/**
 * Registry data checks (SPEC §4): the ConfigMaps the spec mounts must exist with the keys it projects, and
 * the one behind each `file:` source must hold a registry document the server accepts (U§6). Data problems
 * are not spec errors: they explain a Pending phase and never change the children. Pure.
 */
import type { RegistryConfig } from './config-yaml.js'
import { isRecord } from './json.js'
import type { PodTemplateSpec, Volume, VolumeMount } from './k8s-types.js'
import { checkRegistryDocument } from './registry-document.js'
import type { KubeObject } from './schema/hook.js'

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

/** `mountPath` without trailing slashes; a loop, not a regular expression (no backtracking on long input). */
export function trimSlashes(path: string): string {
  let end = path.length
  while (end > 1 && path[end - 1] === '/') end--
  return path.slice(0, end)
}

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

/**
 * The RegistryDataValid condition, or undefined when the pod mounts no ConfigMap.
 * `related` is the request's `ConfigMap.v1` map (keyed by name: v1 hooks, namespaced parent).
 */
export function checkRegistryData(
  volumes: readonly Volume[],
  mounts: readonly VolumeMount[],
  config: RegistryConfig,
  related: Record<string, KubeObject>,
): DataCondition | undefined {
  const mounted = mountedConfigMaps(volumes)
  if (mounted.length === 0) return undefined
  const byName = new Map(Object.values(related).map((cm) => [cm.metadata.name, cm]))

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

  const counts: string[] = []
  for (const src of config.fileSources) {
    // the longest mountPath that holds the file decides which volume it comes from
    const mount = [...mounts]
      .filter((mt) => src.path === trimSlashes(mt.mountPath) || src.path.startsWith(`${trimSlashes(mt.mountPath)}/`))
      .sort((a, b) => b.mountPath.length - a.mountPath.length)[0]
    const cmMount = mounted.find((m) => m.volume === mount?.name)
    if (mount === undefined || cmMount === undefined) continue
    const cm = byName.get(cmMount.configMap)
    if (cm === undefined) continue
    const rel = src.path === trimSlashes(mount.mountPath) ? (mount.subPath ?? '') : src.path.slice(trimSlashes(mount.mountPath).length + 1)
    const key = cmMount.items === undefined ? rel : cmMount.items.find((it) => it.path === rel)?.key
    const data = cm['data']
    const text = key === undefined || !isRecord(data) ? undefined : data[key]
    if (typeof text !== 'string') {
      return {
        status: 'False',
        reason: 'KeyNotFound',
        message:
          `source ${src.name} reads ${src.path}, but ConfigMap ${cmMount.configMap} (volume ${cmMount.volume}) projects no key to that file; ` +
          'fix file.path, the volume items or the ConfigMap',
      }
    }
    const result = checkRegistryDocument(text)
    if ('problem' in result) {
      return {
        status: 'False',
        reason: 'InvalidRegistryData',
        message: `ConfigMap ${cmMount.configMap} key ${key} (source ${src.name}) is not a registry document the server accepts: ${result.problem}`,
      }
    }
    counts.push(`source ${src.name} has ${result.servers} server${result.servers === 1 ? '' : 's'}`)
  }
  const names = [...new Set(mounted.map((m) => m.configMap))]
  return {
    status: 'True',
    reason: 'RegistryDataValid',
    message:
      counts.length > 0
        ? `Registry data is valid: ${counts.join(', ')}`
        : `Mounted ConfigMaps exist: ${names.join(', ')}`,
  }
}
