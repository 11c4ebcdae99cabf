/**
 * Checks of an MCPRegistry spec before anything runs: the CRD schema, upstream's reconciler checks (U§5.2),
 * the podTemplateSpec parse (U§3.1), our pod security policy and the registry server's own rules for
 * configYAML (SPEC §4, in config-yaml.ts). Every rule is a small named function in SPEC_RULES, which
 * `validate` runs in order; each names the condition reason and the field it checks (README "Validation
 * rules"). Every problem names the field and what to change. Pure: no I/O, no clock.
 */
import { CONTAINER_NAME, DEFAULT_IMAGE, DEFAULT_MAX_SPEC_DEPTH, MAX_NAME_LENGTH, type PodSecurityProfile } from '../basics/constants.js'
import { isDns1035Label, isDnsLabel } from '../basics/dns.js'
import { isRecord, tooDeep } from '../basics/json.js'
import type { PodTemplateSpec, Volume, VolumeMount } from '../basics/k8s-types.js'
import { reservedNames } from '../basics/own-pod.js'
import type { ContentCaches } from '../basics/content-cache.js'
import { invalidQuantities } from '../basics/quantity.js'
import type { MCPRegistrySpec } from '../schema/mcpregistry.js'
import { checkConfigYAML, rulesForImage, type RegistryConfig } from './config-yaml.js'
import { schemaIssues, type Issue, type Validator } from './issues.js'
import { podSecurityViolations, registryProfile, type PodSecuritySettings } from './pod-security.js'
import { peerValidator, podTemplateValidator, specValidator, volumeMountValidator, volumeValidator } from './shapes.js'

/** The condition reason a rule's problems are reported under. */
export type SpecReason = 'ValidationFailed' | 'InvalidPodTemplateSpec' | 'PodSecurityViolation' | 'InvalidConfigYAML'

/** One check: the reason and the field it reports (as README "Validation rules" writes them), and the check. */
export interface Rule<C> {
  reason: SpecReason
  field: string
  check: (ctx: C) => Issue[]
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

/** A mount whose name and mountPath can be read (the shape check reports the others). */
function isValidMount(m: unknown): m is VolumeMount {
  return isRecord(m) && typeof m['name'] === 'string' && typeof m['mountPath'] === 'string'
}

/** Mounts of the registry-api container given by the user: spec.volumeMounts, then podTemplateSpec's. */
export function userMounts(spec: MCPRegistrySpec, podTemplate: PodTemplateSpec | undefined): VolumeMount[] {
  const fromTemplate = podTemplate?.spec?.containers?.find((c) => c.name === CONTAINER_NAME)?.volumeMounts ?? []
  return [...((spec.volumeMounts ?? []) as unknown as VolumeMount[]), ...fromTemplate]
}

/** Quantities the API server would reject (it would refuse the Deployment, so say so here). */
function quantityIssues(podSpec: unknown, base: string): Issue[] {
  return invalidQuantities(podSpec).map(([field, value]) => ({
    field: `${base}.${field}`,
    message: `${JSON.stringify(value)} is not a Kubernetes quantity; write it like 500m, 2, 128Mi or 1Gi`,
  }))
}

// ---- before the spec can be read: its name, and the spec as a whole (each gate stops the rest) ----

/** What the gates see: the request as received. */
export interface RawSpec {
  name: string
  spec: unknown
  maxDepth: number
}

function registryName({ name }: RawSpec): Issue[] {
  if (name.length <= MAX_NAME_LENGTH && isDns1035Label(name)) return []
  return [
    {
      field: 'metadata.name',
      message:
        `"${name}" cannot name the children: it must start with a letter, hold only lower-case letters, digits and '-', ` +
        `and be at most ${MAX_NAME_LENGTH} characters (so that ${name}-registry-api is a valid label value); recreate the MCPRegistry with a shorter name`,
    },
  ]
}

function specIsObject({ spec }: RawSpec): Issue[] {
  return isRecord(spec) ? [] : [{ field: 'spec', message: 'is missing or not an object; give at least spec.configYAML' }]
}

/** Before anything walks the spec: every later step may recurse. */
function specDepth({ spec, maxDepth }: RawSpec): Issue[] {
  const deep = tooDeep(spec, maxDepth, 'spec')
  return deep === undefined ? [] : [{ field: deep, message: `is nested more than ${maxDepth} levels below spec (Kubernetes objects need far fewer); flatten it` }]
}

function specSchema({ spec }: RawSpec): Issue[] {
  return specValidator.Check(spec) ? [] : schemaIssues(specValidator as unknown as Validator, spec, 'spec')
}

/** The name rule runs always; of the gates, the first that finds problems stops validation there. */
export const NAME_RULE: Rule<RawSpec> = { reason: 'ValidationFailed', field: 'metadata.name', check: registryName }
export const GATES: Rule<RawSpec>[] = [
  { reason: 'ValidationFailed', field: 'spec', check: specIsObject },
  { reason: 'ValidationFailed', field: 'spec.*', check: specDepth },
  { reason: 'ValidationFailed', field: 'spec.*', check: specSchema },
]

// ---- the spec, once it has the CRD's shape ----

/** What the rules read: the spec and what is derived from it once. */
export interface SpecContext {
  spec: MCPRegistrySpec
  volumes: Volume[]
  mounts: VolumeMount[]
  /** podTemplateSpec's problems; undefined when there is no podTemplateSpec. */
  podTemplateIssues: Issue[] | undefined
  /** The user's pod template, when given and valid. */
  podTemplate: PodTemplateSpec | undefined
  reserved: ReturnType<typeof reservedNames>
  profile: ReturnType<typeof registryProfile>
  config: ReturnType<typeof checkConfigYAML>
}

function pgpassSecretRef({ spec }: SpecContext): Issue[] {
  const ref = spec.pgpassSecretRef
  if (ref === undefined) return []
  const out: Issue[] = []
  if (!ref.name) out.push({ field: 'spec.pgpassSecretRef.name', message: 'is required; name the Secret that holds the pgpass file' })
  if (!ref.key) out.push({ field: 'spec.pgpassSecretRef.key', message: 'is required; name the key of the Secret that holds the pgpass file' })
  return out
}

/** volumes and volumeMounts must be corev1 objects (U§5.2). */
function volumeShapes({ volumes }: SpecContext): Issue[] {
  return volumes.flatMap((v, i) => (volumeValidator.Check(v) ? [] : schemaIssues(volumeValidator as unknown as Validator, v, `spec.volumes[${i}]`)))
}

function volumeMountShapes({ mounts }: SpecContext): Issue[] {
  return mounts.flatMap((m, i) =>
    volumeMountValidator.Check(m) ? [] : schemaIssues(volumeMountValidator as unknown as Validator, m, `spec.volumeMounts[${i}]`),
  )
}

/** podTemplateSpec must parse (U§3.1), quantities included. */
export function podTemplateIssues(spec: MCPRegistrySpec): Issue[] | undefined {
  if (spec.podTemplateSpec === undefined) return undefined
  return podTemplateValidator.Check(spec.podTemplateSpec)
    ? quantityIssues((spec.podTemplateSpec as PodTemplateSpec).spec, 'spec.podTemplateSpec.spec')
    : schemaIssues(podTemplateValidator as unknown as Validator, spec.podTemplateSpec, 'spec.podTemplateSpec')
}

function podTemplateParses(ctx: SpecContext): Issue[] {
  return ctx.podTemplateIssues ?? []
}

function volumeQuantities({ volumes }: SpecContext): Issue[] {
  return quantityIssues({ volumes }, 'spec')
}

/** Our own pod security policy: the annotation asks for a profile the settings allow (SPEC §4). */
function podSecurityAnnotation({ profile }: SpecContext): Issue[] {
  return profile.problem ? [profile.problem] : []
}

/** The profile's controls on what the user wrote. */
function podSecurityControls({ volumes, podTemplate, profile }: SpecContext): Issue[] {
  return podSecurityViolations(volumes, podTemplate?.spec, profile.profile)
}

/** Volume names: not reserved by the hook, unique, DNS labels (U§5.2). */
function volumeNamesIn(list: readonly unknown[], base: string, reserved: ReadonlyMap<string, string>): Issue[] {
  const out: Issue[] = []
  const seen = new Set<string>()
  list.forEach((v, i) => {
    if (!isRecord(v) || typeof v['name'] !== 'string') return // reported by the shape check
    const name = v['name']
    const use = reserved.get(name)
    const field = `${base}[${i}].name`
    if (use !== undefined) out.push({ field, message: `volume name '${name}' is reserved by the hook for ${use}; rename the volume` })
    else if (seen.has(name)) out.push({ field, message: `volume name '${name}' is used twice; give each volume its own name` })
    else if (!isDnsLabel(name)) {
      out.push({ field, message: `'${name}' is not a valid volume name (a DNS label: lower-case letters, digits and '-', at most 63 characters); rename it` })
    }
    seen.add(name)
  })
  return out
}

function specVolumeNames({ volumes, reserved }: SpecContext): Issue[] {
  return volumeNamesIn(volumes, 'spec.volumes', reserved.volumes)
}

function templateVolumeNames({ podTemplate, reserved }: SpecContext): Issue[] {
  return volumeNamesIn(podTemplate?.spec?.volumes ?? [], 'spec.podTemplateSpec.spec.volumes', reserved.volumes)
}

function reservedInitContainers({ podTemplate, reserved }: SpecContext): Issue[] {
  const i = podTemplate?.spec?.initContainers?.findIndex((c) => reserved.initContainers.has(c.name)) ?? -1
  if (i < 0) return []
  const name = (podTemplate?.spec?.initContainers?.[i] as { name: string }).name
  return [{ field: `spec.podTemplateSpec.spec.initContainers[${i}].name`, message: `init container name '${name}' is reserved by the hook when pgpassSecretRef is set; rename it` }]
}

/** Every mount names a volume, and no two mounts share a path (U§5.2, exact match as upstream). */
function mountsIn(list: readonly VolumeMount[], base: string, known: ReadonlySet<unknown>, taken: Map<string, string>): Issue[] {
  const out: Issue[] = []
  list.forEach((m, i) => {
    if (!isValidMount(m)) return // reported by the shape check
    const owner = taken.get(m.mountPath)
    if (owner !== undefined) {
      out.push({ field: `${base}[${i}].mountPath`, message: `duplicate mount path '${m.mountPath}' (already used by ${owner}); choose another path` })
    } else {
      taken.set(m.mountPath, `${base}[${i}]`)
    }
    if (!known.has(m.name)) {
      out.push({ field: `${base}[${i}].name`, message: `mounts volume '${m.name}', which no volume defines; add it to spec.volumes or fix the name` })
    }
  })
  return out
}

function volumeMounts({ volumes, mounts, podTemplate, reserved }: SpecContext): Issue[] {
  const known = new Set<unknown>([...volumes.map((v) => (isRecord(v) ? v['name'] : undefined)), ...(podTemplate?.spec?.volumes ?? []).map((v) => v.name)])
  const taken = new Map(reserved.mountPaths)
  const apiIndex = podTemplate?.spec?.containers?.findIndex((c) => c.name === CONTAINER_NAME) ?? -1
  const apiMounts = podTemplate?.spec?.containers?.[apiIndex]?.volumeMounts
  return [
    ...mountsIn(mounts, 'spec.volumeMounts', known, taken),
    ...(apiMounts === undefined ? [] : mountsIn(apiMounts, `spec.podTemplateSpec.spec.containers[${apiIndex}].volumeMounts`, known, taken)),
  ]
}

/** An empty peer is rejected by Kubernetes, and a rule without peers admits everyone. */
function networkPolicyPeers({ spec }: SpecContext): Issue[] {
  return (spec.networkPolicy?.from ?? []).flatMap((peer, i) => {
    const field = `spec.networkPolicy.from[${i}]`
    if (!peerValidator.Check(peer)) return schemaIssues(peerValidator as unknown as Validator, peer, field)
    if (peer.podSelector === undefined && peer.namespaceSelector === undefined && peer.ipBlock === undefined) {
      return [{ field, message: 'names no peer; give podSelector, namespaceSelector or ipBlock' }]
    }
    return []
  })
}

/** The registry server's own rules (SPEC §4): config-yaml.ts, whose rules CONFIG_RULES lists. */
function configYAML({ config }: SpecContext): Issue[] {
  return config.issues
}

/** The rules of a spec that has the CRD's shape, in the order their problems are reported. */
export const SPEC_RULES: Rule<SpecContext>[] = [
  { reason: 'ValidationFailed', field: 'spec.pgpassSecretRef', check: pgpassSecretRef },
  { reason: 'ValidationFailed', field: 'spec.volumes[*]', check: volumeShapes },
  { reason: 'ValidationFailed', field: 'spec.volumeMounts[*]', check: volumeMountShapes },
  { reason: 'InvalidPodTemplateSpec', field: 'spec.podTemplateSpec', check: podTemplateParses },
  { reason: 'ValidationFailed', field: 'spec.volumes[*].emptyDir.sizeLimit', check: volumeQuantities },
  { reason: 'PodSecurityViolation', field: 'metadata.annotations[mcpregistry-hook.toolhive.stacklok.dev/pod-security]', check: podSecurityAnnotation },
  { reason: 'PodSecurityViolation', field: 'spec.podTemplateSpec.spec, spec.volumes[*]', check: podSecurityControls },
  { reason: 'ValidationFailed', field: 'spec.volumes[*].name', check: specVolumeNames },
  { reason: 'ValidationFailed', field: 'spec.podTemplateSpec.spec.volumes[*].name', check: templateVolumeNames },
  { reason: 'ValidationFailed', field: 'spec.podTemplateSpec.spec.initContainers[*].name', check: reservedInitContainers },
  { reason: 'ValidationFailed', field: 'spec.volumeMounts[*], spec.podTemplateSpec.spec.containers[registry-api].volumeMounts[*]', check: volumeMounts },
  { reason: 'ValidationFailed', field: 'spec.networkPolicy.from[*]', check: networkPolicyPeers },
  { reason: 'InvalidConfigYAML', field: 'spec.configYAML', check: configYAML },
]

/** The configYAML check, from the app's cache when there is one: it reads the text, the mounts and the image (which chooses the rules), and nothing else. */
function configCheck(spec: MCPRegistrySpec, mounts: VolumeMount[], image: string, caches: ContentCaches | undefined): ReturnType<typeof checkConfigYAML> {
  const check = (): ReturnType<typeof checkConfigYAML> => checkConfigYAML(spec.configYAML, mounts, rulesForImage(image), image)
  return caches === undefined ? check() : caches.get('configYAML', [image, JSON.stringify(mounts), spec.configYAML], check)
}

function specContext(
  spec: MCPRegistrySpec,
  settings: ValidationSettings,
  annotations: Readonly<Record<string, string>>,
  caches: ContentCaches | undefined,
): SpecContext {
  const pgpass = spec.pgpassSecretRef !== undefined
  const issues = podTemplateIssues(spec)
  const podTemplate = issues?.length === 0 ? (spec.podTemplateSpec as PodTemplateSpec) : undefined
  const mounts = userMounts(spec, podTemplate).filter(isValidMount)
  return {
    spec,
    volumes: (spec.volumes ?? []) as unknown as Volume[],
    mounts: (spec.volumeMounts ?? []) as unknown as VolumeMount[],
    podTemplateIssues: issues,
    podTemplate,
    reserved: reservedNames(pgpass),
    profile: registryProfile(annotations, settings.podSecurity),
    config: configCheck(spec, mounts, settings.image, caches),
  }
}

/** Runs SPEC_RULES; issues in rule order, and each rule's own list for the conditions. */
function runSpecRules(ctx: SpecContext): { issues: Issue[]; security: Issue[] } {
  const issues: Issue[] = []
  const security: Issue[] = []
  for (const rule of SPEC_RULES) {
    const found = rule.check(ctx)
    issues.push(...found)
    if (rule.reason === 'PodSecurityViolation') security.push(...found)
  }
  return { issues, security }
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
  /** Caches of the app (basics/content-cache.ts); absent: everything is computed. */
  caches?: ContentCaches,
): Validation {
  const raw: RawSpec = { name, spec: rawSpec, maxDepth: settings.maxSpecDepth }
  const nameIssues = NAME_RULE.check(raw)
  for (const gate of GATES) {
    const found = gate.check(raw)
    if (found.length > 0) return { issues: [...nameIssues, ...found], configIssues: [] }
  }
  const spec = rawSpec as MCPRegistrySpec
  const ctx = specContext(spec, settings, annotations, caches)
  const { issues, security } = runSpecRules(ctx)
  issues.unshift(...nameIssues)
  const validation: Validation = { issues, configIssues: ctx.config.issues, podSecurity: { profile: ctx.profile.profile, issues: security } }
  if (ctx.podTemplateIssues !== undefined) validation.podTemplateIssues = ctx.podTemplateIssues
  if (ctx.config.config !== undefined) validation.config = ctx.config.config
  if (issues.length === 0) {
    validation.parsed = { spec, volumes: ctx.volumes, volumeMounts: ctx.mounts, config: ctx.config.config as RegistryConfig }
    if (ctx.podTemplate !== undefined) validation.parsed.podTemplate = ctx.podTemplate
  }
  return validation
}
