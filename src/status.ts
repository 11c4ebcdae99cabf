/**
 * The MCPRegistry status (SPEC §3), computed only from the request: the parent, the observed Deployment and
 * the checks. The clock is an argument; it is read only for a condition that is new or flips.
 */
import { KNOWN_SERVER_VERSIONS } from './validation/config-yaml.js'
import {
  API_PORT,
  CONDITION_CONFIG,
  CONDITION_DATA,
  CONDITION_POD_SECURITY,
  CONDITION_POD_TEMPLATE,
  CONDITION_READY,
} from './basics/constants.js'
import { isRecord } from './basics/json.js'
import { childNames, registryUrl } from './children/names.js'
import type { DataCondition } from './validation/registry-data.js'
import type { Condition, Phase } from './schema/mcpregistry.js'
import { summarise } from './validation/issues.js'
import type { Validation } from './validation/spec.js'

/** The PodSecurity condition's reason when the pod meets its profile: which profile that is. */
const PROFILE_REASONS = { restricted: 'Restricted', baseline: 'Baseline', privileged: 'Privileged' } as const

export interface ObservedDeployment {
  readyReplicas: number
  /** The Progressing=False/ProgressDeadlineExceeded message, when the rollout failed. */
  failedRollout?: string
}

/** Reads what status needs from an observed Deployment, which may be any shape. */
export function observeDeployment(obj: unknown): ObservedDeployment | undefined {
  if (!isRecord(obj)) return undefined
  const status = isRecord(obj['status']) ? obj['status'] : {}
  const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0)
  const out: ObservedDeployment = { readyReplicas: num(status['readyReplicas']) }
  const conditions = Array.isArray(status['conditions']) ? status['conditions'] : []
  const failed = conditions.find(
    (c): c is Record<string, unknown> =>
      isRecord(c) && c['type'] === 'Progressing' && c['status'] === 'False' && c['reason'] === 'ProgressDeadlineExceeded',
  )
  if (failed !== undefined) out.failedRollout = typeof failed['message'] === 'string' ? failed['message'] : 'progress deadline exceeded'
  return out
}

export interface StatusInput {
  name: string
  namespace: string
  generation: number
  /** The parent's current status.conditions, for lastTransitionTime. */
  previous: unknown
  finalizing: boolean
  /** Whether any child was observed (what a failed validation keeps). */
  hasChildren: boolean
  validation: Validation
  deployment: ObservedDeployment | undefined
  data: DataCondition | undefined
  clusterDomain: string
  now: Date
}

export interface StatusResult {
  status: {
    phase: Phase
    message: string
    url?: string
    readyReplicas: number
    conditions: Condition[]
  }
  /** Set only while Pending. */
  resyncAfterSeconds?: number
}

/** RFC 3339 in whole seconds, as metav1.Time serialises. */
export function timestamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

function previousConditions(previous: unknown): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>()
  if (Array.isArray(previous)) {
    for (const c of previous) if (isRecord(c) && typeof c['type'] === 'string') out.set(c['type'], c)
  }
  return out
}

/** The ToolHive operator's Pending text (controllers/mcpregistry_controller.go), kept word for word. */
export const OPERATOR_PENDING = 'Registry API deployment is not ready yet'
/** The ToolHive operator's Terminating text, kept word for word. */
export const OPERATOR_TERMINATING = 'MCPRegistry is being terminated'

/** PodTemplateValid=False's message, in the operator's frame around our own description of the problem. */
function podTemplateMessage(issues: Validation['issues']): string {
  return `Failed to parse PodTemplateSpec: ${summarise(issues)}. Deployment blocked until fixed.`
}

/** One condition as it is written: lastTransitionTime kept from the previous status unless it is new or flips. */
type SetCondition = (type: string, ok: boolean, reason: string, message: string) => void

function conditionWriter(input: StatusInput, conditions: Condition[]): SetCondition {
  const prev = previousConditions(input.previous)
  const now = timestamp(input.now)
  return (type, ok, reason, message) => {
    const status = ok ? 'True' : 'False'
    const before = prev.get(type)
    const kept = before?.['status'] === status && typeof before['lastTransitionTime'] === 'string'
    conditions.push({
      type,
      status,
      observedGeneration: input.generation,
      lastTransitionTime: kept ? (before['lastTransitionTime'] as string) : now,
      reason,
      message,
    })
  }
}

interface Verdict {
  phase: Phase
  readyReason: string
  message: string
}

/** Failed on a spec error: the operator's words for a podTemplateSpec problem, ours otherwise. */
function specFailed({ validation, hasChildren }: StatusInput): Verdict {
  const keep = hasChildren ? 'the running registry is kept as it was' : 'nothing is created'
  const pod = validation.podTemplateIssues ?? []
  if (pod.length === 0) return { phase: 'Failed', readyReason: 'ValidationFailed', message: `Spec validation failed: ${summarise(validation.issues)}; ${keep} until this is fixed` }
  // the operator's words: "Invalid PodTemplateSpec: " + the PodTemplateValid message
  const others = validation.issues.length - pod.length
  const more = others > 0 ? ` (and ${others} more problem${others === 1 ? '' : 's'} elsewhere in the spec)` : ''
  const message = `Invalid PodTemplateSpec: ${podTemplateMessage(pod)}${more}${hasChildren ? ' The running registry is kept as it was.' : ''}`
  return { phase: 'Failed', readyReason: 'ValidationFailed', message }
}

/** The phase, the Ready condition's reason and the message (README "Status"). */
function verdict(input: StatusInput): Verdict {
  const api = childNames(input.name).api
  if (input.finalizing) return { phase: 'Terminating', readyReason: 'Terminating', message: OPERATOR_TERMINATING }
  if (input.validation.issues.length > 0) return specFailed(input)
  if (input.deployment?.failedRollout !== undefined) {
    const message = `Deployment ${api} failed to roll out (${input.deployment.failedRollout}); check its pods with kubectl describe pods -l app.kubernetes.io/name=${api}`
    return { phase: 'Failed', readyReason: 'DeploymentFailed', message }
  }
  if ((input.deployment?.readyReplicas ?? 0) > 0) return { phase: 'Ready', readyReason: 'Ready', message: 'Registry API is ready and serving requests' }
  // The operator's words, also on the first sync, when Metacontroller has yet to create the Deployment
  // (naming it there sent people to create it themselves); a data problem is the one thing worth adding.
  const message = input.data?.status === 'False' ? `${OPERATOR_PENDING}: ${input.data.message}` : OPERATOR_PENDING
  return { phase: 'Pending', readyReason: 'NotReady', message }
}

function podTemplateCondition({ validation }: StatusInput, set: SetCondition): void {
  const issues = validation.podTemplateIssues
  if (issues === undefined) return
  if (issues.length === 0) set(CONDITION_POD_TEMPLATE, true, 'ValidPodTemplateSpec', 'PodTemplateSpec is valid')
  else set(CONDITION_POD_TEMPLATE, false, 'InvalidPodTemplateSpec', podTemplateMessage(issues))
}

function podSecurityCondition({ validation }: StatusInput, set: SetCondition): void {
  if (validation.podSecurity === undefined) return
  const { profile, issues: broken } = validation.podSecurity
  if (broken.length === 0) set(CONDITION_POD_SECURITY, true, PROFILE_REASONS[profile], `The pod meets the Pod Security Standard "${profile}"`)
  else set(CONDITION_POD_SECURITY, false, 'PodSecurityViolation', `${summarise(broken)} (the pod must meet the Pod Security Standard "${profile}")`)
}

function configCondition({ validation }: StatusInput, set: SetCondition): void {
  if (validation.configIssues.length > 0) {
    set(CONDITION_CONFIG, false, 'InvalidConfigYAML', summarise(validation.configIssues))
    return
  }
  if (validation.config === undefined) return
  const { sources, registries, unchecked } = validation.config
  set(
    CONDITION_CONFIG,
    true,
    'ConfigValid',
    unchecked !== undefined
      ? `configYAML is a YAML mapping; only structural checks ran: the hook does not know the rules of image ${unchecked} (known: ${KNOWN_SERVER_VERSIONS})`
      : `configYAML is valid: ${sources} source${sources === 1 ? '' : 's'}, ${registries} registr${registries === 1 ? 'y' : 'ies'}`,
  )
}

function dataCondition({ data }: StatusInput, set: SetCondition): void {
  if (data !== undefined) set(CONDITION_DATA, data.status === 'True', data.reason, data.message)
}

export function computeStatus(input: StatusInput, resyncSeconds: number): StatusResult {
  const conditions: Condition[] = []
  const set = conditionWriter(input, conditions)
  const { phase, readyReason, message } = verdict(input)
  set(CONDITION_READY, phase === 'Ready', readyReason, message)
  for (const condition of [podTemplateCondition, podSecurityCondition, configCondition, dataCondition]) condition(input, set)
  const result: StatusResult = {
    status: {
      phase,
      message,
      ...(phase === 'Ready' ? { url: registryUrl(input.name, input.namespace, input.clusterDomain, API_PORT) } : {}),
      readyReplicas: input.deployment?.readyReplicas ?? 0,
      conditions,
    },
  }
  if (phase === 'Pending') result.resyncAfterSeconds = resyncSeconds
  return result
}
