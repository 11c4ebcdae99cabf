/**
 * The pure core behind every route and the CLI: a Metacontroller request in, the desired children and the
 * status out (SPEC §2, §3, §4). The only input besides the request and the settings is the clock, used for
 * a condition's lastTransitionTime when that condition is new or flips.
 */
import { CHILD_TYPES, LAST_APPLIED_ANNOTATION, PENDING_RESYNC_SECONDS, type Phase } from './constants.js'
import { desiredChildren } from './children.js'
import { canonical, isRecord } from './json.js'
import { childNames } from './names.js'
import { checkRegistryData, mountedConfigMaps, userVolumes } from './registry-data.js'
import type { CustomizeRequest, CustomizeResponse, KubeObject, ObjectMap, SyncRequest, SyncResponse } from './schema/hook.js'
import type { Settings } from './settings.js'
import { computeStatus, observeDeployment } from './status.js'
import { userMounts, validate, type Validation } from './validate.js'
import type { Volume } from './k8s-types.js'

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

/**
 * An observed child as we last applied it: Metacontroller's last-applied annotation when it is there and
 * parses, else the observed object without server-set fields and status.
 */
export function asLastApplied(typeKey: string, obj: KubeObject): Record<string, unknown> {
  const raw = obj.metadata.annotations?.[LAST_APPLIED_ANNOTATION]
  if (raw !== undefined) {
    try {
      const parsed: unknown = JSON.parse(raw)
      if (isRecord(parsed) && isRecord(parsed['metadata'])) return parsed
    } catch {
      // fall through to the observed object
    }
  }
  const copy = structuredClone(obj) as Record<string, unknown> & { metadata: Record<string, unknown> }
  delete copy['status']
  for (const f of SERVER_FIELDS) delete copy.metadata[f]
  const annotations = copy.metadata['annotations'] as Record<string, string> | undefined
  if (annotations !== undefined) {
    delete annotations[LAST_APPLIED_ANNOTATION]
    if (Object.keys(annotations).length === 0) delete copy.metadata['annotations']
  }
  return { ...typeOf(typeKey), ...copy }
}

/** Every observed child kept as last applied, in a stable order: child types as declared, then by name. */
export function keepObserved(children: ObjectMap): Record<string, unknown>[] {
  const known: string[] = Object.values(CHILD_TYPES)
  const keys = Object.keys(children).sort((a, b) => {
    const ia = known.indexOf(a)
    const ib = known.indexOf(b)
    return (ia < 0 ? known.length : ia) - (ib < 0 ? known.length : ib) || a.localeCompare(b)
  })
  const out: Record<string, unknown>[] = []
  for (const key of keys) {
    const objs = children[key] as Record<string, KubeObject>
    for (const name of Object.keys(objs).sort()) out.push(asLastApplied(key, objs[name] as KubeObject))
  }
  return out
}

/** POST /sync and /finalize. */
export function sync(req: SyncRequest, settings: Settings, now: Date): { response: SyncResponse; outcome: Outcome } {
  const { name, namespace } = req.parent.metadata
  const generation = req.parent.metadata.generation ?? 0
  const children: ObjectMap = req.children ?? {}
  const finalizing = req.finalizing === true
  const rawSpec = req.parent.spec
  const validation = validate(name, rawSpec)
  const parsed = validation.parsed

  // by metadata.name, not by key: v1 hooks key children by name, v2 hooks by namespace/name
  const apiName = childNames(name).api
  const observed = Object.values(children[CHILD_TYPES.Deployment] ?? {}).find((d) => d.metadata.name === apiName)
  const data =
    parsed === undefined
      ? undefined
      : checkRegistryData(
          userVolumes(parsed.volumes, parsed.podTemplate),
          userMounts(parsed.spec, parsed.podTemplate),
          parsed.config,
          req.related?.[CHILD_TYPES.ConfigMap] ?? {},
        )
  const previous = isRecord(req.parent.status) ? req.parent.status['conditions'] : undefined
  const { status, resyncAfterSeconds } = computeStatus(
    {
      name,
      namespace,
      generation,
      previous,
      finalizing,
      hasChildren: Object.values(children).some((objs) => Object.keys(objs).length > 0),
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
  else if (parsed === undefined) desired = keepObserved(children)
  else desired = desiredChildren({ name, namespace, parsed }, settings) as unknown as Record<string, unknown>[]

  const response: SyncResponse = { status, children: desired }
  if (resyncAfterSeconds !== undefined) response.resyncAfterSeconds = resyncAfterSeconds
  if (finalizing) response.finalized = true
  const outcome: Outcome = { phase: status.phase }
  const failure = validationFailure(validation, finalizing)
  if (failure !== undefined) outcome.validationFailure = failure
  return { response, outcome }
}

/** POST /customize: the ConfigMaps the spec's volumes mount, so that sync can check the registry data. */
export function customize(req: CustomizeRequest): CustomizeResponse {
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

/** The serialised answer: canonical, so the same request gives the same bytes. */
export function serialise(body: unknown): string {
  return JSON.stringify(canonical(body))
}
