/**
 * The pure core behind every route and the CLI: a Metacontroller request in, the desired children and the
 * status out (SPEC §2, §3, §4). The only input besides the request and the settings is the clock, used for
 * a condition's lastTransitionTime when that condition is new or flips.
 */
import { CHILD_TYPES, CONDITION_READY, LAST_APPLIED_ANNOTATION, MAX_CHILD_DEPTH, PENDING_RESYNC_SECONDS } from './basics/constants.js'
import type { Phase } from './schema/mcpregistry.js'
import { desiredChildren } from './children/children.js'
import type { ContentCaches } from './basics/content-cache.js'
import { canonical, isRecord, tooDeep } from './basics/json.js'
import { childNames } from './children/names.js'
import { checkRegistryData, mountedConfigMaps, userVolumes } from './validation/registry-data.js'
import type { CustomizeRequest, CustomizeResponse, KubeObject, ObjectMap, SyncRequest, SyncResponse } from './schema/hook.js'
import type { Settings } from './settings.js'
import { computeStatus, observeDeployment, timestamp } from './status.js'
import { userMounts, validate, type Validation } from './validation/spec.js'
import type { Volume } from './basics/k8s-types.js'

/** What the edges (logs, metrics) learn about one call. */
export interface Outcome {
  phase: Phase
  /**
   * Why the spec was refused, once per sync (mcpregistry_hook_validation_failures_total): the reason of the
   * condition that explains the first spec error. Absent for a valid spec and while finalizing; rollout and
   * registry data problems are not spec errors and are not counted.
   */
  validationFailure?: string
}

/** The reason a refused spec is counted under (see Outcome.validationFailure). */
export function validationFailure(validation: Validation, finalizing: boolean): string | undefined {
  const first = validation.issues[0]
  if (finalizing || first === undefined) return undefined
  if (validation.podSecurity?.issues.includes(first) === true) return 'PodSecurityViolation'
  if (validation.podTemplateIssues?.includes(first) === true) return 'InvalidPodTemplateSpec'
  if (validation.configIssues.includes(first)) return 'InvalidConfigYAML'
  return 'ValidationFailed'
}

/** Metadata the API server sets; never part of what we apply. */
const SERVER_FIELDS = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'ownerReferences',
]

/** `Deployment.apps/v1` → apiVersion `apps/v1`, kind `Deployment`. */
function typeOf(typeKey: string): { apiVersion: string; kind: string } {
  const dot = typeKey.indexOf('.')
  return { kind: typeKey.slice(0, dot), apiVersion: typeKey.slice(dot + 1) }
}

/** The registry whose observed children are being kept. */
export interface Owner {
  name: string
  namespace: string
}

/** The one name the hook gives a child of each type it declares (U§2). */
function ownName(typeKey: string, registry: string): string | undefined {
  const names = childNames(registry)
  const byType: Record<string, string> = {
    [CHILD_TYPES.ConfigMap]: names.config,
    [CHILD_TYPES.ServiceAccount]: names.rbac,
    [CHILD_TYPES.Role]: names.rbac,
    [CHILD_TYPES.RoleBinding]: names.rbac,
    [CHILD_TYPES.Deployment]: names.api,
    [CHILD_TYPES.Service]: names.api,
    [CHILD_TYPES.NetworkPolicy]: names.api,
  }
  return byType[typeKey]
}

/**
 * Whether an observed object is one the hook could have made: a declared child type, the name the hook
 * gives that type, the registry's namespace, and no deeper than any child the hook renders.
 */
function isOwnChild(typeKey: string, obj: KubeObject, owner: Owner): boolean {
  const meta = obj.metadata
  return (
    ownName(typeKey, owner.name) === meta.name &&
    (meta.namespace ?? owner.namespace) === owner.namespace &&
    tooDeep(obj, MAX_CHILD_DEPTH, '') === undefined
  )
}

/** The last-applied annotation, when it parses and describes this very object (type, name, namespace). */
function trustedLastApplied(typeKey: string, obj: KubeObject, owner: Owner): Record<string, unknown> | undefined {
  const raw = obj.metadata.annotations?.[LAST_APPLIED_ANNOTATION]
  if (raw === undefined) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    return undefined
  }
  if (!isRecord(parsed) || !isRecord(parsed['metadata']) || tooDeep(parsed, MAX_CHILD_DEPTH, '') !== undefined) return undefined
  const { kind, apiVersion } = typeOf(typeKey)
  const meta = parsed['metadata']
  const same =
    parsed['kind'] === kind &&
    parsed['apiVersion'] === apiVersion &&
    meta['name'] === obj.metadata.name &&
    (meta['namespace'] ?? owner.namespace) === owner.namespace
  return same ? parsed : undefined
}

/**
 * An observed child as we last applied it: Metacontroller's last-applied annotation when it is there,
 * parses and describes this object, else the observed object without server-set fields and status.
 */
export function asLastApplied(typeKey: string, obj: KubeObject, owner: Owner): Record<string, unknown> {
  const trusted = trustedLastApplied(typeKey, obj, owner)
  if (trusted !== undefined) return trusted
  const copy = structuredClone(obj) as Record<string, unknown> & { metadata: Record<string, unknown> }
  delete copy['status']
  for (const f of SERVER_FIELDS) delete copy.metadata[f]
  const annotations = copy.metadata['annotations'] as Record<string, string> | undefined
  if (annotations !== undefined) {
    delete annotations[LAST_APPLIED_ANNOTATION]
    if (Object.keys(annotations).length === 0) delete copy.metadata['annotations']
  }
  return { ...copy, ...typeOf(typeKey) }
}

/**
 * Every observed child the hook could have made, kept as last applied, in a stable order: child types as
 * declared, then by name. Anything else Metacontroller reports (another type, name or namespace, forged or
 * adopted) is left out, so a forged object is never sent back to be applied.
 */
export function keepObserved(children: ObjectMap, owner: Owner): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = []
  for (const typeKey of Object.values(CHILD_TYPES)) {
    const objs = children[typeKey] ?? {}
    const own = Object.values(objs).filter((obj) => isOwnChild(typeKey, obj, owner))
    for (const obj of own.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) out.push(asLastApplied(typeKey, obj, owner))
  }
  return out
}

/** Whether Metacontroller reports any child at all. */
function anyObserved(children: ObjectMap): boolean {
  return Object.values(children).some((objs) => Object.keys(objs).length > 0)
}

/**
 * The answer when the core itself failed on a request (a bug, never expected): a finalize still finalizes,
 * and a sync keeps what the hook could have made, so the registry is neither stuck nor lost.
 */
export function syncFallback(req: SyncRequest, now: Date): { response: SyncResponse; outcome: Outcome } {
  const finalizing = req.finalizing === true
  const children = req.children ?? {}
  const phase: Phase = finalizing ? 'Terminating' : 'Failed'
  const message = finalizing
    ? 'MCPRegistry is being deleted; its children are removed with it'
    : 'The hook could not process this MCPRegistry (see the hook logs); the running registry is kept as it was'
  const status = {
    phase,
    message,
    readyReplicas: 0,
    conditions: [{ type: CONDITION_READY, status: 'False', lastTransitionTime: timestamp(now), reason: finalizing ? 'Terminating' : 'ValidationFailed', message }],
  }
  const { name, namespace } = req.parent.metadata
  const response: SyncResponse = { status, children: finalizing ? [] : keepObserved(children, { name, namespace }) }
  if (finalizing) response.finalized = !anyObserved(children)
  return { response, outcome: { phase } }
}

/**
 * The JSON text of a value as a cache key part ('' for undefined), or undefined when JSON.stringify cannot
 * write it (nested deeper than its recursion goes; validate() refuses such a spec without recursing).
 */
function jsonText(value: unknown): string | undefined {
  try {
    return JSON.stringify(value) ?? ''
  } catch {
    return undefined
  }
}

/** A validated spec and, when it is valid, its desired children. */
interface Rendered {
  validation: Validation
  children?: Record<string, unknown>[]
}

/** The checked spec and its children: they depend only on the name, namespace, spec, annotations and settings. */
function renderSpec(req: SyncRequest, settings: Settings, caches: ContentCaches | undefined): Rendered {
  const { name, namespace, annotations } = req.parent.metadata
  const rawSpec = req.parent.spec
  const render = (): Rendered => {
    const validation = validate(name, rawSpec, settings, annotations, caches)
    const parsed = validation.parsed
    if (parsed === undefined) return { validation }
    const children = desiredChildren({ name, namespace, parsed }, settings) as unknown as Record<string, unknown>[]
    if (caches !== undefined) SERIALISED.set(children, JSON.stringify(canonical(children)))
    return { validation, children }
  }
  const specText = caches === undefined ? undefined : jsonText(rawSpec)
  return caches === undefined || specText === undefined
    ? render()
    : caches.get('render', [caches.settingsKey(settings), name, namespace, specText, JSON.stringify(annotations ?? {})], render)
}

/** The RegistryDataValid condition of a valid spec, from the ConfigMaps Metacontroller sent as related. */
function registryData(validation: Validation, req: SyncRequest, caches: ContentCaches | undefined): ReturnType<typeof checkRegistryData> {
  const parsed = validation.parsed
  if (parsed === undefined) return undefined
  const volumes = userVolumes(parsed.volumes, parsed.podTemplate)
  return checkRegistryData(volumes, userMounts(parsed.spec, parsed.podTemplate), parsed.config, req.related?.[CHILD_TYPES.ConfigMap] ?? {}, caches)
}

/** POST /sync and /finalize; `caches` (content-cache.ts) saves work that depends only on rarely changing text. */
export function sync(req: SyncRequest, settings: Settings, now: Date, caches?: ContentCaches): { response: SyncResponse; outcome: Outcome } {
  const { name, namespace } = req.parent.metadata
  const generation = req.parent.metadata.generation ?? 0
  const children: ObjectMap = req.children ?? {}
  const finalizing = req.finalizing === true
  const { validation, children: rendered } = renderSpec(req, settings, caches)

  // by metadata.name, not by key: v1 hooks key children by name, v2 hooks by namespace/name
  const apiName = childNames(name).api
  const observed = Object.values(children[CHILD_TYPES.Deployment] ?? {}).find((d) => d.metadata.name === apiName)
  const data = registryData(validation, req, caches)
  const previous = isRecord(req.parent.status) ? req.parent.status['conditions'] : undefined
  const hasChildren = anyObserved(children)
  const { status, resyncAfterSeconds } = computeStatus(
    {
      name,
      namespace,
      generation,
      previous,
      finalizing,
      hasChildren,
      validation,
      deployment: observeDeployment(observed),
      data,
      clusterDomain: settings.clusterDomain,
      now,
    },
    PENDING_RESYNC_SECONDS,
  )

  let desired: Record<string, unknown>[]
  if (finalizing) desired = []
  else if (rendered === undefined) desired = keepObserved(children, { name, namespace })
  else desired = rendered

  const response: SyncResponse = { status, children: desired }
  if (resyncAfterSeconds !== undefined) response.resyncAfterSeconds = resyncAfterSeconds
  // children first: Metacontroller deletes the observed children while we answer false, and stops
  // managing them once its finalizer is gone (an early true leaves them to the garbage collector)
  if (finalizing) response.finalized = !hasChildren
  const outcome: Outcome = { phase: status.phase }
  const failure = validationFailure(validation, finalizing)
  if (failure !== undefined) outcome.validationFailure = failure
  return { response, outcome }
}

/** POST /customize: the ConfigMaps the spec's volumes mount, so that sync can check the registry data. */
export function customize(req: { parent: Pick<CustomizeRequest['parent'], 'metadata' | 'spec'> }): CustomizeResponse {
  const spec = isRecord(req.parent.spec) ? req.parent.spec : {}
  const template = isRecord(spec['podTemplateSpec']) ? spec['podTemplateSpec'] : {}
  const templateSpec = isRecord(template['spec']) ? template['spec'] : {}
  const volumes = [spec['volumes'], templateSpec['volumes']]
    .flatMap((list) => (Array.isArray(list) ? list : []))
    .filter((v): v is Volume => isRecord(v) && typeof v['name'] === 'string')
  const names = [...new Set(mountedConfigMaps(volumes).map((m) => m.configMap))].sort()
  if (names.length === 0) return { relatedResources: [] }
  return { relatedResources: [{ apiVersion: 'v1', resource: 'configmaps', namespace: req.parent.metadata.namespace, names }] }
}

/**
 * Lists whose canonical JSON is known: the desired children of a cached render, written once when the render
 * is made. They are frozen in the cache, so the text stays true.
 */
const SERIALISED = new WeakMap<object, string>()

/**
 * The serialised answer: canonical, so the same request gives the same bytes. A member whose text is known
 * (SERIALISED) is written from it instead of again.
 */
export function serialise(body: unknown): string {
  if (!isRecord(body)) return JSON.stringify(canonical(body))
  let out = ''
  for (const key of Object.keys(body).sort()) {
    const v = body[key]
    if (v === undefined || v === null) continue
    const known = typeof v === 'object' ? SERIALISED.get(v) : undefined
    out += `${out === '' ? '{' : ','}${JSON.stringify(key)}:${known ?? JSON.stringify(canonical(v))}`
  }
  return out === '' ? '{}' : `${out}}`
}
