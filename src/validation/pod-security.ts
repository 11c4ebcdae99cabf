/**
 * Our own pod security policy, beyond the operator (SPEC §4 "Hardened pods"): the rendered pod must meet a
 * Kubernetes Pod Security Standard, "restricted" unless the hook's settings let a registry relax it. The
 * checks follow the standard's published controls (kubernetes.io/docs/concepts/security/pod-security-standards)
 * and run on what the user gave, with the hook's hardening merged in field by field, as the builders merge
 * it: a violation can only come from a value the user wrote, so each names that field. Pure.
 */
import { POD_SECURITY_ANNOTATION, POD_SECURITY_PROFILES, type PodSecurityProfile } from '../basics/constants.js'
import { isRecord } from '../basics/json.js'
import { HARDENED_CONTAINER, HARDENED_POD } from '../basics/own-pod.js'
import type { Container, PodSpec, Volume } from '../basics/k8s-types.js'

type Context = Record<string, unknown>

/**
 * A container securityContext: the hardening, then the user's fields; capabilities merged one level deeper.
 * A privileged or CAP_SYS_ADMIN container (allowed only under the privileged profile) does not get the default
 * allowPrivilegeEscalation: false, which the API server refuses beside them.
 */
export function hardenedContainerContext(user: unknown): Context {
  const u = isRecord(user) ? user : {}
  const caps = isRecord(u['capabilities']) ? u['capabilities'] : {}
  const out: Context = { ...structuredClone(HARDENED_CONTAINER), ...u, capabilities: { ...HARDENED_CONTAINER.capabilities, ...caps } }
  const add = Array.isArray(caps['add']) ? caps['add'].map(String) : []
  const escalates = u['privileged'] === true || add.includes('SYS_ADMIN') || add.includes('CAP_SYS_ADMIN')
  if (escalates && u['allowPrivilegeEscalation'] === undefined) delete out['allowPrivilegeEscalation']
  return out
}

/** The pod securityContext: the hardening, then the user's fields. */
export function hardenedPodContext(user: unknown): Context {
  return { ...structuredClone(HARDENED_POD), ...(isRecord(user) ? user : {}) }
}

/** How loose a profile is: a registry may use a profile up to the loosest the settings allow. */
export function looseness(profile: PodSecurityProfile): number {
  return POD_SECURITY_PROFILES.indexOf(profile)
}

/** One control that failed: the field the user wrote and what the profile requires. */
export interface Violation {
  field: string
  message: string
}

const BASELINE_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'])
const SAFE_SYSCTLS = new Set(['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes'])
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'])
const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'])
/** Volume types of corev1.VolumeSource (baseline forbids only hostPath; restricted allows the list above). */
const VOLUME_TYPES = ['hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'nfs', 'iscsi', 'glusterfs', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'fc', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'storageos', 'image', ...RESTRICTED_VOLUMES]

/** The `type` of a seccomp or AppArmor profile, when it is an object. */
function typeOf(profile: unknown): unknown {
  return isRecord(profile) ? profile['type'] : undefined
}

/** Checks of one securityContext (pod or container) that both profiles share. */
function baselineContext(sc: Context, at: string, out: Violation[]): void {
  const seccomp = typeOf(sc['seccompProfile'])
  if (seccomp === 'Unconfined') out.push({ field: `${at}.seccompProfile.type`, message: 'Unconfined is not allowed; use RuntimeDefault or remove it' })
  const se = isRecord(sc['seLinuxOptions']) ? sc['seLinuxOptions'] : {}
  if (!SELINUX_TYPES.has(String(se['type'] ?? ''))) out.push({ field: `${at}.seLinuxOptions.type`, message: `"${String(se['type'])}" is not allowed; use container_t or remove it` })
  for (const f of ['user', 'role'] as const) if (se[f] !== undefined) out.push({ field: `${at}.seLinuxOptions.${f}`, message: 'must not be set; remove it' })
  const apparmor = typeOf(sc['appArmorProfile'])
  if (apparmor === 'Unconfined') out.push({ field: `${at}.appArmorProfile.type`, message: 'Unconfined is not allowed; use RuntimeDefault or remove it' })
  if (isRecord(sc['windowsOptions']) && sc['windowsOptions']['hostProcess'] === true) out.push({ field: `${at}.windowsOptions.hostProcess`, message: 'host processes are not allowed; remove it' })
}

/** The controls of one container, on its merged securityContext. */
function containerViolations(c: Container, at: string, restricted: boolean, out: Violation[]): void {
  const sc = hardenedContainerContext(c.securityContext)
  const scAt = `${at}.securityContext`
  baselineContext(sc, scAt, out)
  if (sc['privileged'] === true) out.push({ field: `${scAt}.privileged`, message: 'privileged containers are not allowed; remove it' })
  if (sc['procMount'] !== undefined && sc['procMount'] !== 'Default') out.push({ field: `${scAt}.procMount`, message: 'only Default is allowed; remove it' })
  const caps = sc['capabilities'] as { add?: unknown; drop?: unknown }
  const add = Array.isArray(caps.add) ? caps.add.map(String) : []
  const allowed = restricted ? new Set(['NET_BIND_SERVICE']) : BASELINE_CAPABILITIES
  add.forEach((cap, i) => {
    if (!allowed.has(cap)) out.push({ field: `${scAt}.capabilities.add[${i}]`, message: `${cap} is not allowed${restricted ? ' (only NET_BIND_SERVICE)' : ''}; remove it` })
  })
  ;(c.ports ?? []).forEach((p, i) => {
    if (isRecord(p) && typeof p['hostPort'] === 'number' && p['hostPort'] !== 0) out.push({ field: `${at}.ports[${i}].hostPort`, message: 'host ports are not allowed; remove it' })
  })
  if (!restricted) return
  // the hardening sets false; only a user's true gets here (privileged and SYS_ADMIN are reported above)
  if (sc['allowPrivilegeEscalation'] === true) out.push({ field: `${scAt}.allowPrivilegeEscalation`, message: 'must be false; remove it or set false' })
  if (sc['runAsNonRoot'] === false) out.push({ field: `${scAt}.runAsNonRoot`, message: 'must be true; remove it or set true' })
  if (sc['runAsUser'] === 0) out.push({ field: `${scAt}.runAsUser`, message: 'must not be 0 (root); use a non-zero user id' })
  const seccomp = typeOf(sc['seccompProfile'])
  if (seccomp !== undefined && seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost' && seccomp !== 'Unconfined') out.push({ field: `${scAt}.seccompProfile.type`, message: 'must be RuntimeDefault or Localhost' })
  const drop = Array.isArray(caps.drop) ? caps.drop.map(String) : []
  if (!drop.includes('ALL')) out.push({ field: `${scAt}.capabilities.drop`, message: 'must include ALL; remove it or add ALL' })
}

/** The controls of the pod itself: host namespaces, sysctls and its securityContext. */
function podViolations(spec: PodSpec, at: string, restricted: boolean, out: Violation[]): void {
  for (const f of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if ((spec as unknown as Record<string, unknown>)[f] === true) out.push({ field: `${at}.${f}`, message: 'host namespaces are not allowed; remove it' })
  }
  const sc = hardenedPodContext(spec.securityContext)
  baselineContext(sc, `${at}.securityContext`, out)
  const sysctls = Array.isArray(sc['sysctls']) ? sc['sysctls'] : []
  sysctls.forEach((s, i) => {
    const name = String(isRecord(s) ? s['name'] : s)
    if (!SAFE_SYSCTLS.has(name)) out.push({ field: `${at}.securityContext.sysctls[${i}].name`, message: `${name} is not a safe sysctl; remove it` })
  })
  if (!restricted) return
  if (sc['runAsNonRoot'] !== true) out.push({ field: `${at}.securityContext.runAsNonRoot`, message: 'must be true; remove it or set true' })
  if (sc['runAsUser'] === 0) out.push({ field: `${at}.securityContext.runAsUser`, message: 'must not be 0 (root); use a non-zero user id' })
  const seccomp = typeOf(sc['seccompProfile'])
  if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost' && seccomp !== 'Unconfined') out.push({ field: `${at}.securityContext.seccompProfile.type`, message: 'must be RuntimeDefault or Localhost' })
}

/** The volume types a list of volumes uses that the profile forbids. */
function volumeViolations(volumes: readonly Volume[], at: string, restricted: boolean, out: Violation[]): void {
  volumes.forEach((v, i) => {
    if (!isRecord(v)) return
    for (const type of VOLUME_TYPES) {
      if (v[type] === undefined) continue
      const forbidden = type === 'hostPath' || (restricted && !RESTRICTED_VOLUMES.has(type))
      if (forbidden) out.push({ field: `${at}[${i}].${type}`, message: `${type} volumes are not allowed; use ${restricted ? 'configMap, secret, emptyDir, projected, persistentVolumeClaim, csi or ephemeral' : 'another volume type'}` })
    }
  })
}

/**
 * Every control of `profile` that the user's pod template and volumes break, as the builders will render them
 * (containers of the podTemplateSpec, init containers, the pod, spec.volumes and the template's volumes).
 */
export function podSecurityViolations(volumes: readonly Volume[], podSpec: PodSpec | undefined, profile: PodSecurityProfile): Violation[] {
  const out: Violation[] = []
  if (profile === 'privileged') return out
  const restricted = profile === 'restricted'
  const base = 'spec.podTemplateSpec.spec'
  if (podSpec !== undefined) {
    podViolations(podSpec, base, restricted, out)
    ;(podSpec.initContainers ?? []).forEach((c, i) => containerViolations(c, `${base}.initContainers[${i}]`, restricted, out))
    ;(podSpec.containers ?? []).forEach((c, i) => containerViolations(c, `${base}.containers[${i}]`, restricted, out))
    volumeViolations(podSpec.volumes ?? [], `${base}.volumes`, restricted, out)
  }
  volumeViolations(volumes, 'spec.volumes', restricted, out)
  return out
}

/** The profiles the hook's settings allow (POD_SECURITY_PROFILE, POD_SECURITY_MAX_PROFILE). */
export interface PodSecuritySettings {
  profile: PodSecurityProfile
  maxProfile: PodSecurityProfile
}

/**
 * The profile a registry runs under: the setting's, or the one its annotation asks for when that is no looser
 * than POD_SECURITY_MAX_PROFILE (a cluster admin decides how far registries may relax it).
 */
export function registryProfile(annotations: Readonly<Record<string, string>> | undefined, settings: PodSecuritySettings): { profile: PodSecurityProfile; problem?: Violation } {
  const asked = annotations?.[POD_SECURITY_ANNOTATION]
  if (asked === undefined) return { profile: settings.profile }
  const field = `metadata.annotations["${POD_SECURITY_ANNOTATION}"]`
  if (!(POD_SECURITY_PROFILES as readonly string[]).includes(asked)) {
    return { profile: settings.profile, problem: { field, message: `"${asked}" is not a profile; use ${POD_SECURITY_PROFILES.join(', ')}` } }
  }
  const profile = asked as PodSecurityProfile
  if (looseness(profile) > looseness(settings.maxProfile)) {
    return {
      profile: settings.profile,
      problem: { field, message: `asks for "${profile}", but this hook allows at most "${settings.maxProfile}" (POD_SECURITY_MAX_PROFILE); remove the annotation or ask a cluster admin` },
    }
  }
  return { profile }
}
