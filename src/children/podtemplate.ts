/**
 * The registry-api pod template: the hook's defaults (U§2.3, U§2.5, SPEC §4 hardening) and the user-first
 * merge of spec.podTemplateSpec (U§3.1). Pure functions of the spec and the settings.
 */
import {
  API_PORT,
  API_PORT_NAME,
  API_RESOURCES,
  CONFIG_ARGS,
  CONTAINER_NAME,
  HEALTH_PORT,
  LIVENESS_PATH,
  PGPASS_APP_PATH,
  PGPASS_ENV,
  READINESS_PATH,
} from '../basics/constants.js'
import { HARDENED_CONTAINER, HARDENED_POD, ownPod } from '../basics/own-pod.js'
import type { Container, ContainerPort, EnvVar, LocalObjectReference, PodSpec, PodTemplateSpec, Volume, VolumeMount } from '../basics/k8s-types.js'
import { hardenedContainerContext, hardenedPodContext } from '../validation/pod-security.js'
import type { MCPRegistrySpec } from '../schema/mcpregistry.js'


/** Pull secrets: the spec's first, then the hook-wide defaults not already listed; empty names dropped. */
export function pullSecrets(spec: MCPRegistrySpec, defaults: readonly string[]): LocalObjectReference[] {
  const names: string[] = []
  for (const n of [...(spec.imagePullSecrets ?? []).map((s) => s.name ?? ''), ...defaults]) {
    if (n !== '' && !names.includes(n)) names.push(n)
  }
  return names.map((name) => ({ name }))
}

export interface PodTemplateInput {
  spec: MCPRegistrySpec
  volumes: Volume[]
  volumeMounts: VolumeMount[]
  image: string
  /** The setup-pgpass init container's image. */
  pgpassInitImage: string
  serviceAccountName: string
  configMapName: string
  labels: Record<string, string>
  annotations: Record<string, string>
  imagePullSecrets: LocalObjectReference[]
}

/** A pod template whose metadata and spec are always there. */
export interface BuiltPodTemplate {
  metadata: { labels: Record<string, string>; annotations: Record<string, string> }
  spec: PodSpec
}

/** The hook's own pod template, before the user's podTemplateSpec. */
export function defaultPodTemplate(input: PodTemplateInput): BuiltPodTemplate {
  const pgpass = input.spec.pgpassSecretRef
  const own = ownPod({ configMapName: input.configMapName, pgpass, pgpassInitImage: input.pgpassInitImage })
  const items = <T>(list: { item: T }[]): T[] => list.map((o) => o.item)
  const container: Container = {
    name: CONTAINER_NAME,
    image: input.image,
    args: [...CONFIG_ARGS],
    ports: [{ name: API_PORT_NAME, containerPort: API_PORT, protocol: 'TCP' }],
    resources: structuredClone(API_RESOURCES),
    livenessProbe: { httpGet: { path: LIVENESS_PATH, port: HEALTH_PORT }, initialDelaySeconds: 30, periodSeconds: 10 },
    readinessProbe: { httpGet: { path: READINESS_PATH, port: HEALTH_PORT }, initialDelaySeconds: 5, periodSeconds: 5 },
    securityContext: structuredClone(HARDENED_CONTAINER),
    volumeMounts: [...items(own.mounts.first), ...structuredClone(input.volumeMounts), ...items(own.mounts.last)],
    ...(pgpass ? { env: [{ name: PGPASS_ENV, value: PGPASS_APP_PATH }] } : {}),
  }
  const initContainers = items(own.initContainers)
  const volumes: Volume[] = [...items(own.volumes.first), ...structuredClone(input.volumes), ...items(own.volumes.last)]
  return {
    metadata: { labels: { ...input.labels }, annotations: { ...input.annotations } },
    spec: {
      serviceAccountName: input.serviceAccountName,
      ...(input.imagePullSecrets.length > 0 ? { imagePullSecrets: structuredClone(input.imagePullSecrets) } : {}),
      securityContext: structuredClone(HARDENED_POD),
      ...(initContainers.length > 0 ? { initContainers } : {}),
      containers: [container],
      volumes,
    },
  }
}

const isEmpty = (v: unknown): boolean =>
  v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)

/** The user's items, then the defaults that match none of them. */
function mergeBy<T>(user: readonly T[] | undefined, defaults: readonly T[] | undefined, same: (u: T, d: T) => boolean): T[] {
  const out = [...(user ?? [])]
  for (const d of defaults ?? []) if (!out.some((u) => same(u, d))) out.push(d)
  return out
}

/** One container, user first: the default fills only what the user left empty (U§3.1). */
function mergeContainer(user: Container, def: Container): Container {
  const out: Container = { ...user }
  for (const f of ['image', 'command', 'args', 'workingDir', 'livenessProbe', 'readinessProbe', 'startupProbe', 'imagePullPolicy'] as const) {
    if (isEmpty(out[f]) && def[f] !== undefined) (out as unknown as Record<string, unknown>)[f] = def[f]
  }
  const r = user.resources
  if (Object.keys(r?.requests ?? {}).length + Object.keys(r?.limits ?? {}).length === 0 && def.resources) {
    out.resources = def.resources
  }
  out.ports = mergeBy<ContainerPort>(user.ports, def.ports, (u, d) => u.name === d.name || u.containerPort === d.containerPort)
  out.env = mergeBy<EnvVar>(user.env, def.env, (u, d) => u.name === d.name)
  // by mountPath, which is how Kubernetes and Metacontroller key mounts (upstream keys by volume name and
  // so drops a second mount of one volume; validation already rejects two mounts at one path)
  out.volumeMounts = mergeBy<VolumeMount>(user.volumeMounts, def.volumeMounts, (u, d) => u.mountPath === d.mountPath)
  return out
}

/**
 * Containers by name: the user's in their order (each merged with its default), then the other defaults.
 * Every one, sidecars and init containers included, gets the hardening under the user's own fields.
 */
function mergeContainers(user: readonly Container[] | undefined, defaults: readonly Container[] = []): Container[] {
  const out = (user ?? []).map((u) => {
    const d = defaults.find((x) => x.name === u.name)
    const merged = d ? mergeContainer(u, d) : { ...u }
    merged.securityContext = hardenedContainerContext(u.securityContext) as Container['securityContext']
    return merged
  })
  for (const d of defaults) if (!out.some((u) => u.name === d.name)) out.push(d)
  return out
}

/** Merges the user's PodTemplateSpec into the defaults, user first (U§3.1). */
export function mergePodTemplate(user: PodTemplateSpec, defaults: BuiltPodTemplate): BuiltPodTemplate {
  const u = structuredClone(user)
  const d = defaults.spec
  const spec: PodSpec = { ...u.spec, containers: mergeContainers(u.spec?.containers, d.containers) }
  if (isEmpty(spec.serviceAccountName)) spec.serviceAccountName = d.serviceAccountName
  if (isEmpty(spec.imagePullSecrets)) spec.imagePullSecrets = d.imagePullSecrets
  spec.securityContext = hardenedPodContext(u.spec?.securityContext) as PodSpec['securityContext']
  spec.initContainers = mergeContainers(u.spec?.initContainers, d.initContainers)
  spec.volumes = mergeBy<Volume>(u.spec?.volumes, d.volumes, (a, b) => a.name === b.name)
  return {
    metadata: {
      ...u.metadata,
      labels: { ...defaults.metadata.labels, ...u.metadata?.labels },
      annotations: { ...defaults.metadata.annotations, ...u.metadata?.annotations },
    },
    spec,
  }
}
