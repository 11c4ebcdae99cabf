/**
 * Every fixed value of the hook lives here, once. Values that mirror the ToolHive operator say so:
 * users, dashboards and runbooks written for the operator find the same names, labels and ports.
 */

/** API group of the MCPRegistry resource (U§1.1). */
export const GROUP = 'toolhive.stacklok.dev'
export const KIND = 'MCPRegistry'
export const PLURAL = 'mcpregistries'
export const SINGULAR = 'mcpregistry'
/** Storage version first; both are served with the same schema. */
export const VERSIONS = ['v1beta1', 'v1alpha1'] as const

/** Container, port and path facts of the registry server (U§2.3, U§7). */
export const CONTAINER_NAME = 'registry-api'
export const API_PORT = 8080
export const API_PORT_NAME = 'http'
/** The server's internal listener (health and readiness); not declared as a container port, as upstream. */
export const HEALTH_PORT = 8081
export const LIVENESS_PATH = '/health'
export const READINESS_PATH = '/readiness'
export const CONFIG_VOLUME = 'registry-server-config'
export const CONFIG_MOUNT_PATH = '/config'
export const CONFIG_FILE_KEY = 'config.yaml'
export const CONFIG_ARGS = ['serve', `--config=${CONFIG_MOUNT_PATH}/${CONFIG_FILE_KEY}`]
/**
 * A writable /tmp for the registry server: the pod's root filesystem is read-only (SPEC §4 hardening),
 * and git sources and Go's os.TempDir need somewhere to write.
 */
export const TMP_VOLUME = 'registry-api-tmp'
/** Where every pod finds its service-account token and CA (unless automounting is turned off). */
export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount'
export const TMP_MOUNT_PATH = '/tmp'

/** Upstream's default resources for the registry-api container. */
export const API_RESOURCES = {
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { cpu: '500m', memory: '512Mi' },
}

/** pgpass plumbing (U§2.5). */
export const PGPASS_SECRET_VOLUME = 'pgpass-secret'
export const PGPASS_VOLUME = 'pgpass'
export const PGPASS_INIT_CONTAINER = 'setup-pgpass'
export const PGPASS_FILE_NAME = '.pgpass'
export const PGPASS_SECRET_MOUNT = '/secret'
export const PGPASS_EMPTYDIR_MOUNT = '/pgpass'
export const PGPASS_APP_PATH = '/home/appuser/.pgpass'
export const PGPASS_ENV = 'PGPASSFILE'
export const PGPASS_RESOURCES = {
  requests: { cpu: '10m', memory: '16Mi' },
  limits: { cpu: '50m', memory: '32Mi' },
}

/** Labels (U§2): note the `.io` of the registry-name key, as upstream. */
export const LABEL_NAME = 'app.kubernetes.io/name'
export const LABEL_COMPONENT = 'app.kubernetes.io/component'
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by'
export const LABEL_REGISTRY_NAME = 'toolhive.stacklok.io/registry-name'
export const COMPONENT = 'registry-api'
/** Same value as the operator, so dashboards and selectors written for it keep working after a migration. */
export const MANAGED_BY = 'toolhive-operator'

/** Annotations (U§3.2). */
export const ANNOTATION_CONFIG_HASH = 'toolhive.stacklok.dev/config-hash'
export const ANNOTATION_PODTEMPLATE_HASH = 'toolhive.stacklok.io/podtemplatespec-hash'
export const ANNOTATION_CONTENT_CHECKSUM = 'toolhive.stacklok.dev/content-checksum'
/** Written by Metacontroller on every child it applies (M§2, dynamic apply). */
export const LAST_APPLIED_ANNOTATION = 'metacontroller.k8s.io/last-applied-configuration'

/** Name suffixes (U§2). */
export const SUFFIX_CONFIG = '-registry-server-config'
export const SUFFIX_RBAC = '-registry-api'
export const SUFFIX_API = '-api'
/**
 * The longest MCPRegistry name whose derived names all stay valid: `<name>-registry-api` is a label
 * value (at most 63 characters) and `<name>-api` a Service name (a DNS-1035 label).
 */
export const MAX_NAME_LENGTH = 63 - SUFFIX_RBAC.length

/** Metacontroller type keys of the children, `<Kind>.<apiVersion>` (M§2). Order is the response order. */
export const CHILD_TYPES = {
  ConfigMap: 'ConfigMap.v1',
  ServiceAccount: 'ServiceAccount.v1',
  Role: 'Role.rbac.authorization.k8s.io/v1',
  RoleBinding: 'RoleBinding.rbac.authorization.k8s.io/v1',
  Deployment: 'Deployment.apps/v1',
  Service: 'Service.v1',
  NetworkPolicy: 'NetworkPolicy.networking.k8s.io/v1',
} as const

/** Role rules of the registry server (U§2.2), each with its purpose. */
export const REGISTRY_API_RULES = [
  // the `kubernetes` source watches annotated ToolHive workloads in its namespace
  { apiGroups: [GROUP], resources: ['mcpservers', 'mcpremoteproxies', 'virtualmcpservers'], verbs: ['get', 'list', 'watch'] },
  // endpoint discovery for exported workloads
  { apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['gateway.networking.k8s.io'], resources: ['httproutes', 'gateways'], verbs: ['get', 'list', 'watch'] },
  // the server's own state and leader election
  { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
]

/** Status (SPEC §3). */
export const CONDITION_READY = 'Ready'
export const CONDITION_POD_TEMPLATE = 'PodTemplateValid'
export const CONDITION_CONFIG = 'ConfigValid'
export const CONDITION_DATA = 'RegistryDataValid'
export const CONDITION_POD_SECURITY = 'PodSecurity'

/** Kubernetes' Pod Security Standards, tightest first. */
export const POD_SECURITY_PROFILES = ['restricted', 'baseline', 'privileged'] as const
export type PodSecurityProfile = (typeof POD_SECURITY_PROFILES)[number]
/** An MCPRegistry annotation that asks for another profile, within what POD_SECURITY_MAX_PROFILE allows. */
export const POD_SECURITY_ANNOTATION = 'mcpregistry-hook.toolhive.stacklok.dev/pod-security'
/** Metacontroller re-syncs on child changes; this is only a backstop while Pending. */
export const PENDING_RESYNC_SECONDS = 30

/** Default settings (README "Configuration"). */
/** The image the newest ToolHive operator chart runs (v0.63.0, November 2026). */
export const DEFAULT_IMAGE = 'ghcr.io/stacklok/thv-registry-api:v1.5.3'
/**
 * The pgpass init container's image: upstream's (Chainguard's busybox, non-root), pinned to the digest that
 * `latest` had on 2026-06-28 instead of following `latest`, so a pod template never changes by itself.
 */
export const DEFAULT_PGPASS_INIT_IMAGE =
  'cgr.dev/chainguard/busybox@sha256:accc5c911abaf2f70487f93cad07b0891d502cbba7e79f96d1db9074ef40928a'
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local'
export const DEFAULT_PORT = 8080
export const DEFAULT_HOST = '0.0.0.0'
/** Metacontroller posts every child whole, managedFields and last-applied annotations included. */
export const DEFAULT_BODY_LIMIT = 32 * 1024 * 1024
export const DEFAULT_LOG_LEVEL = 'info'
/** A whole hook request must arrive within this (Metacontroller's own hook timeout is 10 s). */
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 15
/** After SIGTERM, /readyz answers 503 this long while every route keeps serving; then the port closes. */
export const DEFAULT_SHUTDOWN_DELAY_SECONDS = 5
/** The whole shutdown, delay included, ends within this: below the pod's 30 s terminationGracePeriodSeconds. */
export const DEFAULT_SHUTDOWN_TIMEOUT_SECONDS = 25
/** Longer than Go's http.Transport idle timeout (90 s), so Metacontroller closes an idle connection first. */
export const KEEP_ALIVE_TIMEOUT_SECONDS = 95
/** How deep spec may nest (Kubernetes objects need about 15 levels); deeper is a validation error. */
export const DEFAULT_MAX_SPEC_DEPTH = 64
/**
 * Entries of each content cache (content-cache.ts). A rendered spec (its validation and children) takes about
 * 13 KB of heap, a configYAML check a few kilobytes at most, a registry data check a few bytes: 256 of each
 * is a few megabytes, and holds the registries Metacontroller is busy with (the others' resyncs are 304s).
 */
export const DEFAULT_CACHE_ENTRIES = 256
/** No child the hook renders nests deeper than this (spec depth plus the Deployment's own levels). */
export const MAX_CHILD_DEPTH = 1024
