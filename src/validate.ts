/**
 * Checks of an MCPRegistry spec before anything runs: the CRD schema, upstream's reconciler checks (U§5.2),
 * the podTemplateSpec parse (U§3.1) and the registry server's own rules for configYAML (SPEC §4, in
 * config-yaml.ts). Every problem names the field and what to change. Pure: no I/O, no clock.
 */
import { Type } from 'typebox'
import { Compile } from 'typebox/compile'
import {
  CONFIG_MOUNT_PATH,
  CONFIG_VOLUME,
  CONTAINER_NAME,
  DEFAULT_IMAGE,
  DEFAULT_MAX_SPEC_DEPTH,
  type PodSecurityProfile,
  MAX_NAME_LENGTH,
  PGPASS_APP_PATH,
  PGPASS_INIT_CONTAINER,
  PGPASS_SECRET_VOLUME,
  PGPASS_VOLUME,
  TMP_MOUNT_PATH,
  TMP_VOLUME,
} from './constants.js'
import { checkConfigYAML, rulesForImage, type RegistryConfig } from './config-yaml.js'
import type { ContentCaches } from './content-cache.js'
import { isDns1035Label, isDnsLabel } from './dns.js'
import { isRecord, tooDeep } from './json.js'
import { invalidQuantities } from './quantity.js'
import type { PodTemplateSpec, Volume, VolumeMount } from './k8s-types.js'
import { podSecurityViolations, registryProfile, type PodSecuritySettings } from './pod-security.js'
import { MCPRegistrySpec } from './schema/mcpregistry.js'

/** One problem: where, what, and what to do. */
export interface Issue {
  field: string
  message: string
}

export function describeIssue(issue: Issue): string {
  return `${issue.field}: ${issue.message}`
}

/** The first problem, and how many more there are; `issues` is never empty here. */
export function summarise(issues: readonly Issue[]): string {
  const first = issues[0] as Issue
  const more = issues.length - 1
  return more === 0 ? describeIssue(first) : `${describeIssue(first)} (and ${more} more problem${more === 1 ? '' : 's'})`
}

const StringMapRuntime = Type.Record(Type.String(), Type.String())
const NamedList = Type.Array(Type.Object({ name: Type.String({ minLength: 1 }) }, { additionalProperties: true }))

/** The shape of the pod template fields the merge reads (U§3.1); everything else passes through as is. */
const ContainerShape = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    image: Type.Optional(Type.String()),
    command: Type.Optional(Type.Array(Type.String())),
    args: Type.Optional(Type.Array(Type.String())),
    workingDir: Type.Optional(Type.String()),
    env: Type.Optional(NamedList),
    ports: Type.Optional(Type.Array(Type.Object({ containerPort: Type.Integer() }, { additionalProperties: true }))),
    volumeMounts: Type.Optional(
      Type.Array(
        Type.Object({ name: Type.String({ minLength: 1 }), mountPath: Type.String({ minLength: 1 }) }, { additionalProperties: true }),
      ),
    ),
    resources: Type.Optional(Type.Object({}, { additionalProperties: true })),
    securityContext: Type.Optional(Type.Object({}, { additionalProperties: true })),
    livenessProbe: Type.Optional(Type.Object({}, { additionalProperties: true })),
    readinessProbe: Type.Optional(Type.Object({}, { additionalProperties: true })),
    startupProbe: Type.Optional(Type.Object({}, { additionalProperties: true })),
    imagePullPolicy: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
)
const PodTemplateShape = Type.Object(
  {
    metadata: Type.Optional(
      Type.Object(
        { labels: Type.Optional(StringMapRuntime), annotations: Type.Optional(StringMapRuntime) },
        { additionalProperties: true },
      ),
    ),
    spec: Type.Optional(
      Type.Object(
        {
          containers: Type.Optional(Type.Array(ContainerShape)),
          initContainers: Type.Optional(Type.Array(ContainerShape)),
          volumes: Type.Optional(NamedList),
          imagePullSecrets: Type.Optional(NamedList),
          serviceAccountName: Type.Optional(Type.String()),
          securityContext: Type.Optional(Type.Object({}, { additionalProperties: true })),
          tolerations: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }))),
          nodeSelector: Type.Optional(StringMapRuntime),
          affinity: Type.Optional(Type.Object({}, { additionalProperties: true })),
        },
        { additionalProperties: true },
      ),
    ),
  },
  { additionalProperties: true },
)

const VolumeShape = Type.Object({ name: Type.String({ minLength: 1 }) }, { additionalProperties: true })
const VolumeMountShape = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    mountPath: Type.String({ pattern: '^/' }),
    subPath: Type.Optional(Type.String()),
    readOnly: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: true },
)
const PeerShape = Type.Object(
  {
    podSelector: Type.Optional(Type.Object({}, { additionalProperties: true })),
    namespaceSelector: Type.Optional(Type.Object({}, { additionalProperties: true })),
    ipBlock: Type.Optional(Type.Object({ cidr: Type.String({ minLength: 1 }) }, { additionalProperties: true })),
  },
  { additionalProperties: true },
)

const specValidator = Compile(MCPRegistrySpec)
const podTemplateValidator = Compile(PodTemplateShape)
const volumeValidator = Compile(VolumeShape)
const volumeMountValidator = Compile(VolumeMountShape)
const peerValidator = Compile(PeerShape)

type Validator = { Check(v: unknown): boolean; Errors(v: unknown): { instancePath: string; message: string; keyword: string; params: unknown }[] }

/** `/volumes/0/name` under `spec` → `spec.volumes[0].name`. */
export function fieldPath(base: string, pointer: string): string {
  let out = base
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~')
    out += /^\d+$/.test(key) ? `[${key}]` : `.${key}`
  }
  return out
}

function schemaIssues(validator: Validator, value: unknown, base: string): Issue[] {
  return validator.Errors(value).map((e) => {
    if (e.keyword === 'required') {
      const props = (e.params as { requiredProperties: string[] }).requiredProperties
      return { field: fieldPath(base, e.instancePath), message: `${props.join(', ')} is required; add it` }
    }
    return { field: fieldPath(base, e.instancePath), message: `${e.message}; correct the value` }
  })
}

export interface ParsedSpec {
  spec: MCPRegistrySpec
  volumes: Volume[]
  volumeMounts: VolumeMount[]
  /** The user's pod template, when given and parsed. */
  podTemplate?: PodTemplateSpec
  /** The parsed configYAML (present: the spec passed every check). */
  config: RegistryConfig
}

export interface Validation {
  /** Every problem, spec and config alike, in the order found. */
  issues: Issue[]
  /** Problems in podTemplateSpec (PodTemplateValid=False); absent when no podTemplateSpec is given. */
  podTemplateIssues?: Issue[]
  /** Problems in configYAML (ConfigValid=False); empty when it is valid. */
  configIssues: Issue[]
  /** Present only when `issues` is empty. */
  parsed?: ParsedSpec
  /** The parsed config even when other parts of the spec are wrong, for the ConfigValid message. */
  config?: RegistryConfig
  /** The Pod Security profile the registry runs under and what breaks it (PodSecurity=False); absent when the spec could not be read. */
  podSecurity?: { profile: PodSecurityProfile; issues: Issue[] }
}

/** Quantities the API server would reject (it would refuse the Deployment, so say so here). */
function quantityIssues(podSpec: unknown, base: string): Issue[] {
  return invalidQuantities(podSpec).map(([field, value]) => ({
    field: `${base}.${field}`,
    message: `${JSON.stringify(value)} is not a Kubernetes quantity; write it like 500m, 2, 128Mi or 1Gi`,
  }))
}

/** A mount whose name and mountPath can be read (the shape check reports the others). */
function isValidMount(m: unknown): m is VolumeMount {
  return isRecord(m) && typeof m['name'] === 'string' && typeof m['mountPath'] === 'string'
}

/** Mounts of the registry-api container given by the user: spec.volumeMounts, then podTemplateSpec's. */
export function userMounts(spec: MCPRegistrySpec, podTemplate: PodTemplateSpec | undefined): VolumeMount[] {
  const fromTemplate = podTemplate?.spec?.containers?.find((c) => c.name === CONTAINER_NAME)?.volumeMounts ?? []
  return [...((spec.volumeMounts ?? []) as unknown as VolumeMount[]), ...fromTemplate]
}

/** What validation depends on besides the spec: the hook's settings. */
export interface ValidationSettings {
  /** The registry server image, whose version chooses the config.yaml rules. */
  image: string
  /** How deep spec may nest (MAX_SPEC_DEPTH). */
  maxSpecDepth: number
  /** The Pod Security Standard registries run under, and how far an annotation may relax it. */
  podSecurity: PodSecuritySettings
}

const DEFAULT_VALIDATION: ValidationSettings = {
  image: DEFAULT_IMAGE,
  maxSpecDepth: DEFAULT_MAX_SPEC_DEPTH,
  podSecurity: { profile: 'restricted', maxProfile: 'restricted' },
}

/**
 * Validates the registry's name and spec. `spec` is `parent.spec` exactly as received; `annotations` are the
 * MCPRegistry's (one may choose its Pod Security profile).
 */
export function validate(
  name: string,
  rawSpec: unknown,
  settings: ValidationSettings = DEFAULT_VALIDATION,
  annotations: Readonly<Record<string, string>> = {},
  /** Caches of the app (content-cache.ts); absent: everything is computed. */
  caches?: ContentCaches,
): Validation {
  const { image, maxSpecDepth: maxDepth } = settings
  const issues: Issue[] = []
  if (name.length > MAX_NAME_LENGTH || !isDns1035Label(name)) {
    issues.push({
      field: 'metadata.name',
      message:
        `"${name}" cannot name the children: it must start with a letter, hold only lower-case letters, digits and '-', ` +
        `and be at most ${MAX_NAME_LENGTH} characters (so that ${name}-registry-api is a valid label value); recreate the MCPRegistry with a shorter name`,
    })
  }
  if (rawSpec === undefined || rawSpec === null || typeof rawSpec !== 'object' || Array.isArray(rawSpec)) {
    issues.push({ field: 'spec', message: 'is missing or not an object; give at least spec.configYAML' })
    return { issues, configIssues: [] }
  }
  // before anything walks the spec: every later step may recurse
  const deep = tooDeep(rawSpec, maxDepth, 'spec')
  if (deep !== undefined) {
    issues.push({ field: deep, message: `is nested more than ${maxDepth} levels below spec (Kubernetes objects need far fewer); flatten it` })
    return { issues, configIssues: [] }
  }
  if (!specValidator.Check(rawSpec)) {
    issues.push(...schemaIssues(specValidator as unknown as Validator, rawSpec, 'spec'))
    return { issues, configIssues: [] }
  }
  const spec = rawSpec as MCPRegistrySpec
  const pgpass = spec.pgpassSecretRef !== undefined

  // pgpassSecretRef (U§5.2)
  if (spec.pgpassSecretRef !== undefined) {
    if (!spec.pgpassSecretRef.name) issues.push({ field: 'spec.pgpassSecretRef.name', message: 'is required; name the Secret that holds the pgpass file' })
    if (!spec.pgpassSecretRef.key) issues.push({ field: 'spec.pgpassSecretRef.key', message: 'is required; name the key of the Secret that holds the pgpass file' })
  }

  // volumes and volumeMounts must be corev1 objects (U§5.2)
  const volumes = (spec.volumes ?? []) as unknown as Volume[]
  const mounts = (spec.volumeMounts ?? []) as unknown as VolumeMount[]
  volumes.forEach((v, i) => {
    if (!volumeValidator.Check(v)) issues.push(...schemaIssues(volumeValidator as unknown as Validator, v, `spec.volumes[${i}]`))
  })
  mounts.forEach((m, i) => {
    if (!volumeMountValidator.Check(m)) {
      issues.push(...schemaIssues(volumeMountValidator as unknown as Validator, m, `spec.volumeMounts[${i}]`))
    }
  })

  // podTemplateSpec must parse (U§3.1)
  let podTemplate: PodTemplateSpec | undefined
  let podTemplateIssues: Issue[] | undefined
  if (spec.podTemplateSpec !== undefined) {
    podTemplateIssues = podTemplateValidator.Check(spec.podTemplateSpec)
      ? quantityIssues((spec.podTemplateSpec as PodTemplateSpec).spec, 'spec.podTemplateSpec.spec')
      : schemaIssues(podTemplateValidator as unknown as Validator, spec.podTemplateSpec, 'spec.podTemplateSpec')
    if (podTemplateIssues.length === 0) podTemplate = spec.podTemplateSpec as PodTemplateSpec
    issues.push(...podTemplateIssues)
  }

  issues.push(...quantityIssues({ volumes }, 'spec'))

  // our own pod security policy: the profile's controls on what the user wrote (SPEC §4)
  const chosen = registryProfile(annotations, settings.podSecurity)
  const securityIssues = [...(chosen.problem ? [chosen.problem] : []), ...podSecurityViolations(volumes, podTemplate?.spec, chosen.profile)]
  issues.push(...securityIssues)

  // reserved names (U§5.2)
  const reserved = new Map<string, string>([
    [CONFIG_VOLUME, 'the config.yaml volume'],
    [TMP_VOLUME, 'the writable /tmp'],
  ])
  if (pgpass) {
    reserved.set(PGPASS_SECRET_VOLUME, 'the pgpass Secret volume')
    reserved.set(PGPASS_VOLUME, 'the pgpass emptyDir')
  }
  const checkVolumeNames = (list: readonly unknown[], base: string): void => {
    const seen = new Set<string>()
    list.forEach((v, i) => {
      if (!isRecord(v) || typeof v['name'] !== 'string') return // reported by the shape check
      const name = v['name']
      const use = reserved.get(name)
      if (use !== undefined) {
        issues.push({ field: `${base}[${i}].name`, message: `volume name '${name}' is reserved by the hook for ${use}; rename the volume` })
      } else if (seen.has(name)) {
        issues.push({ field: `${base}[${i}].name`, message: `volume name '${name}' is used twice; give each volume its own name` })
      } else if (!isDnsLabel(name)) {
        issues.push({
          field: `${base}[${i}].name`,
          message: `'${name}' is not a valid volume name (a DNS label: lower-case letters, digits and '-', at most 63 characters); rename it`,
        })
      }
      seen.add(name)
    })
  }
  checkVolumeNames(volumes, 'spec.volumes')
  checkVolumeNames(podTemplate?.spec?.volumes ?? [], 'spec.podTemplateSpec.spec.volumes')
  if (pgpass) {
    const i = podTemplate?.spec?.initContainers?.findIndex((c) => c.name === PGPASS_INIT_CONTAINER) ?? -1
    if (i >= 0) {
      issues.push({
        field: `spec.podTemplateSpec.spec.initContainers[${i}].name`,
        message: `init container name '${PGPASS_INIT_CONTAINER}' is reserved by the hook when pgpassSecretRef is set; rename it`,
      })
    }
  }

  // every mount names a volume, and no two mounts share a path (U§5.2, exact match as upstream)
  const knownVolumes = new Set<unknown>([
    ...volumes.map((v) => (isRecord(v) ? v['name'] : undefined)),
    ...(podTemplate?.spec?.volumes ?? []).map((v) => v.name),
  ])
  const taken = new Map<string, string>([
    [CONFIG_MOUNT_PATH, 'the config.yaml mount'],
    [TMP_MOUNT_PATH, 'the writable /tmp'],
  ])
  if (pgpass) taken.set(PGPASS_APP_PATH, 'the pgpass file')
  const checkMounts = (list: readonly VolumeMount[], base: string): void => {
    list.forEach((m, i) => {
      if (!isValidMount(m)) return // reported by the shape check
      const owner = taken.get(m.mountPath)
      if (owner !== undefined) {
        issues.push({ field: `${base}[${i}].mountPath`, message: `duplicate mount path '${m.mountPath}' (already used by ${owner}); choose another path` })
      } else {
        taken.set(m.mountPath, `${base}[${i}]`)
      }
      if (!knownVolumes.has(m.name)) {
        issues.push({ field: `${base}[${i}].name`, message: `mounts volume '${m.name}', which no volume defines; add it to spec.volumes or fix the name` })
      }
    })
  }
  checkMounts(mounts, 'spec.volumeMounts')
  const apiIndex = podTemplate?.spec?.containers?.findIndex((c) => c.name === CONTAINER_NAME) ?? -1
  const apiContainer = podTemplate?.spec?.containers?.[apiIndex]
  if (apiContainer?.volumeMounts !== undefined) {
    checkMounts(apiContainer.volumeMounts, `spec.podTemplateSpec.spec.containers[${apiIndex}].volumeMounts`)
  }

  // networkPolicy peers: an empty peer is rejected by Kubernetes, and a rule without peers admits everyone
  ;(spec.networkPolicy?.from ?? []).forEach((peer, i) => {
    const field = `spec.networkPolicy.from[${i}]`
    if (!peerValidator.Check(peer)) {
      issues.push(...schemaIssues(peerValidator as unknown as Validator, peer, field))
    } else if (peer.podSelector === undefined && peer.namespaceSelector === undefined && peer.ipBlock === undefined) {
      issues.push({ field, message: 'names no peer; give podSelector, namespaceSelector or ipBlock' })
    }
  })

  // configYAML: the registry server's own rules (SPEC §4)
  const configMounts = userMounts(spec, podTemplate).filter(isValidMount)
  const checkConfig = () => checkConfigYAML(spec.configYAML, configMounts, rulesForImage(image), image)
  // the check reads the text, the mounts and the image (which chooses the rules), and nothing else
  const configCheck = caches === undefined ? checkConfig() : caches.get('configYAML', [image, JSON.stringify(configMounts), spec.configYAML], checkConfig)
  issues.push(...configCheck.issues)

  const validation: Validation = { issues, configIssues: configCheck.issues, podSecurity: { profile: chosen.profile, issues: securityIssues } }
  if (podTemplateIssues !== undefined) validation.podTemplateIssues = podTemplateIssues
  if (configCheck.config !== undefined) validation.config = configCheck.config
  if (issues.length === 0) {
    validation.parsed = { spec, volumes, volumeMounts: mounts, config: configCheck.config as RegistryConfig }
    if (podTemplate !== undefined) validation.parsed.podTemplate = podTemplate
  }
  return validation
}

