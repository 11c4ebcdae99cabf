/**
 * One pure builder per child (U§2): the desired objects for a valid spec. They take the registry's identity,
 * its checked spec and the settings, and return fresh objects; no logging, no clock, no environment.
 */
import {
  ANNOTATION_CONFIG_HASH,
  ANNOTATION_CONTENT_CHECKSUM,
  ANNOTATION_PODTEMPLATE_HASH,
  API_PORT,
  API_PORT_NAME,
  CONFIG_FILE_KEY,
  REGISTRY_API_RULES,
} from '../basics/constants.js'
import { hashOf, pruneForApply } from '../basics/json.js'
import type { Child, ConfigMap, Deployment, Meta, NetworkPolicy, Role, RoleBinding, Service, ServiceAccount } from '../basics/k8s-types.js'
import { labels, selectorLabels } from './labels.js'
import { childNames } from './names.js'
import { defaultPodTemplate, mergePodTemplate, pullSecrets } from './podtemplate.js'
import { canonicalizeQuantities } from '../basics/quantity.js'
import type { ParsedSpec } from '../validation/spec.js'

/** What every builder needs to know about the registry. */
export interface Registry {
  name: string
  namespace: string
  parsed: ParsedSpec
}

/** The settings the builders read (a part of the hook's Settings; builders never read the environment). */
export interface ChildSettings {
  /** The registry server image. */
  image: string
  /** The setup-pgpass init container's image. */
  pgpassInitImage: string
  /** Pull secrets every registry gets after its own. */
  defaultPullSecrets: readonly string[]
}

/** Name, namespace and the common labels of a child. */
function metadata(r: Registry, name: string): Meta {
  return { name, namespace: r.namespace, labels: labels(r.name, name) }
}

/** The type and metadata every child starts with. */
function head<A extends string, K extends string>(r: Registry, apiVersion: A, kind: K, name: string): { apiVersion: A; kind: K; metadata: Meta } {
  return { apiVersion, kind, metadata: metadata(r, name) }
}

const RBAC = 'rbac.authorization.k8s.io'

/** Hash of the config.yaml text (informational, as upstream). */
export function contentChecksum(configYAML: string): string {
  return hashOf(configYAML, 16)
}

export function configMap(r: Registry): ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: childNames(r.name).config,
      namespace: r.namespace,
      annotations: { [ANNOTATION_CONTENT_CHECKSUM]: contentChecksum(r.parsed.spec.configYAML) },
    },
    data: { [CONFIG_FILE_KEY]: r.parsed.spec.configYAML },
  }
}

export function serviceAccount(r: Registry, settings: ChildSettings): ServiceAccount {
  const name = childNames(r.name).rbac
  const secrets = pullSecrets(r.parsed.spec, settings.defaultPullSecrets)
  return {
    ...head(r, 'v1', 'ServiceAccount', name),
    // only when there is something to say: an absent list leaves platform-managed pull secrets alone
    ...(secrets.length > 0 ? { imagePullSecrets: secrets } : {}),
  }
}

export function role(r: Registry): Role {
  const name = childNames(r.name).rbac
  return { ...head(r, `${RBAC}/v1`, 'Role', name), rules: structuredClone(REGISTRY_API_RULES) }
}

export function roleBinding(r: Registry): RoleBinding {
  const name = childNames(r.name).rbac
  return {
    ...head(r, `${RBAC}/v1`, 'RoleBinding', name),
    roleRef: { apiGroup: RBAC, kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name, namespace: r.namespace }],
  }
}

/** The Deployment; never `replicas`, so `kubectl scale` and HPAs keep working (SPEC §2). */
export function deployment(r: Registry, settings: ChildSettings): Deployment {
  const names = childNames(r.name)
  const { spec, podTemplate } = r.parsed
  const defaults = defaultPodTemplate({
    spec,
    volumes: r.parsed.volumes,
    volumeMounts: r.parsed.volumeMounts,
    image: settings.image,
    pgpassInitImage: settings.pgpassInitImage,
    serviceAccountName: names.rbac,
    configMapName: names.config,
    labels: labels(r.name, names.api),
    annotations: { [ANNOTATION_CONFIG_HASH]: hashOf(spec, 16) },
    imagePullSecrets: pullSecrets(spec, settings.defaultPullSecrets),
  })
  const template = podTemplate === undefined ? defaults : mergePodTemplate(podTemplate, defaults)
  // written as the API server stores them, so that Metacontroller sees no difference on the next sync
  canonicalizeQuantities(template.spec as unknown as Record<string, unknown>)
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      ...metadata(r, names.api),
      ...(podTemplate !== undefined ? { annotations: { [ANNOTATION_PODTEMPLATE_HASH]: hashOf(podTemplate) } } : {}),
    },
    spec: {
      selector: { matchLabels: selectorLabels(names.api) },
      template,
    },
  }
}

export function service(r: Registry): Service {
  const name = childNames(r.name).api
  return {
    ...head(r, 'v1', 'Service', name),
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(name),
      ports: [{ name: API_PORT_NAME, port: API_PORT, targetPort: API_PORT, protocol: 'TCP' }],
    },
  }
}

/**
 * Admits ingress to the API port only from the listed peers, or from the registry's own namespace when
 * none are listed. Never a rule without `from`: that would admit everyone.
 */
export function networkPolicy(r: Registry): NetworkPolicy {
  const name = childNames(r.name).api
  const peers = r.parsed.spec.networkPolicy?.from ?? []
  return {
    ...head(r, 'networking.k8s.io/v1', 'NetworkPolicy', name),
    spec: {
      podSelector: { matchLabels: selectorLabels(name) },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: peers.length > 0 ? structuredClone(peers) : [{ podSelector: {} }],
          ports: [{ protocol: 'TCP', port: API_PORT }],
        },
      ],
    },
  }
}

/** Every desired child of a valid spec, in apply order, pruned of what the API server would drop. */
export function desiredChildren(r: Registry, settings: ChildSettings): Child[] {
  const out: Child[] = [
    configMap(r),
    serviceAccount(r, settings),
    role(r),
    roleBinding(r),
    deployment(r, settings),
    service(r),
  ]
  if (r.parsed.spec.networkPolicy?.enabled === true) out.push(networkPolicy(r))
  return out.map((c) => pruneForApply(c))
}
