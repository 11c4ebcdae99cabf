/**
 * Our own pod security policy (SPEC §4): the rendered pod meets the Pod Security Standard "restricted" by
 * default; what breaks it is a Failed status with PodSecurityViolation naming the field; settings and an
 * annotation (within what the settings allow) relax it; hardening is merged field by field into every container.
 */
import t from 'tap'
import { sync } from '../src/hook.js'
import { hardenedContainerContext, podSecurityViolations } from '../src/validation/pod-security.js'
import { validate } from '../src/validation/spec.js'
import { child, MINIMAL_CONFIG, NOW, request, settings } from './fixtures/helpers.js'

const ANNOTATION = 'mcpregistry-hook.toolhive.stacklok.dev/pod-security'
const tmpl = (spec: Record<string, unknown>) => ({ configYAML: MINIMAL_CONFIG, podTemplateSpec: { spec } })
const api = (securityContext: Record<string, unknown>, extra: Record<string, unknown> = {}) => tmpl({ containers: [{ name: 'registry-api', securityContext, ...extra }] })
const sidecar = (securityContext: Record<string, unknown>) => tmpl({ containers: [{ name: 'proxy', image: 'envoy', securityContext }] })
const problems = (spec: unknown, env: Record<string, string> = {}, annotations: Record<string, string> = {}) =>
  (validate('reg', spec, settings(env), annotations).podSecurity?.issues ?? []).map((i) => `${i.field}: ${i.message}`)

const restricted: [string, unknown, string][] = [
  ['privileged', api({ privileged: true }), 'spec.podTemplateSpec.spec.containers[0].securityContext.privileged: privileged containers are not allowed; remove it'],
  ['an added capability', sidecar({ capabilities: { add: ['SYS_ADMIN'] } }), 'spec.podTemplateSpec.spec.containers[0].securityContext.capabilities.add[0]: SYS_ADMIN is not allowed (only NET_BIND_SERVICE); remove it'],
  ['capabilities not dropped', api({ capabilities: { drop: [] } }), 'spec.podTemplateSpec.spec.containers[0].securityContext.capabilities.drop: must include ALL; remove it or add ALL'],
  ['capabilities.drop written as a string', api({ capabilities: { drop: 'ALL' } }), 'spec.podTemplateSpec.spec.containers[0].securityContext.capabilities.drop: must include ALL; remove it or add ALL'],
  ['root', api({ runAsUser: 0 }), 'spec.podTemplateSpec.spec.containers[0].securityContext.runAsUser: must not be 0 (root); use a non-zero user id'],
  ['runAsNonRoot false', api({ runAsNonRoot: false }), 'spec.podTemplateSpec.spec.containers[0].securityContext.runAsNonRoot: must be true; remove it or set true'],
  ['privilege escalation', api({ allowPrivilegeEscalation: true }), 'spec.podTemplateSpec.spec.containers[0].securityContext.allowPrivilegeEscalation: must be false; remove it or set false'],
  ['an init container as root', tmpl({ initContainers: [{ name: 'wait', image: 'busybox', securityContext: { runAsUser: 0 } }] }), 'spec.podTemplateSpec.spec.initContainers[0].securityContext.runAsUser: must not be 0 (root); use a non-zero user id'],
  ['host network', tmpl({ hostNetwork: true }), 'spec.podTemplateSpec.spec.hostNetwork: host namespaces are not allowed; remove it'],
  ['host PID', tmpl({ hostPID: true }), 'spec.podTemplateSpec.spec.hostPID: host namespaces are not allowed; remove it'],
  ['pod as root', tmpl({ securityContext: { runAsUser: 0 } }), 'spec.podTemplateSpec.spec.securityContext.runAsUser: must not be 0 (root); use a non-zero user id'],
  ['pod runAsNonRoot false', tmpl({ securityContext: { runAsNonRoot: false } }), 'spec.podTemplateSpec.spec.securityContext.runAsNonRoot: must be true; remove it or set true'],
  ['unconfined seccomp', tmpl({ securityContext: { seccompProfile: { type: 'Unconfined' } } }), 'spec.podTemplateSpec.spec.securityContext.seccompProfile.type: Unconfined is not allowed; use RuntimeDefault or remove it'],
  ['an unsafe sysctl', tmpl({ securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '1' }] } }), 'spec.podTemplateSpec.spec.securityContext.sysctls[0].name: kernel.msgmax is not a safe sysctl; remove it'],
  ['a host port', api({}, { ports: [{ containerPort: 8080, hostPort: 80 }] }), 'spec.podTemplateSpec.spec.containers[0].ports[0].hostPort: host ports are not allowed; remove it'],
  ['a hostPath of /', { configYAML: MINIMAL_CONFIG, volumes: [{ name: 'root', hostPath: { path: '/' } }] }, 'spec.volumes[0].hostPath: hostPath volumes are not allowed; use configMap, secret, emptyDir, projected, persistentVolumeClaim, csi or ephemeral'],
  ['an nfs volume in the template', tmpl({ volumes: [{ name: 'n', nfs: { server: 's', path: '/' } }] }), 'spec.podTemplateSpec.spec.volumes[0].nfs: nfs volumes are not allowed; use configMap, secret, emptyDir, projected, persistentVolumeClaim, csi or ephemeral'],
  ['an SELinux user', api({ seLinuxOptions: { user: 'system_u' } }), 'spec.podTemplateSpec.spec.containers[0].securityContext.seLinuxOptions.user: must not be set; remove it'],
  ['unconfined AppArmor', api({ appArmorProfile: { type: 'Unconfined' } }), 'spec.podTemplateSpec.spec.containers[0].securityContext.appArmorProfile.type: Unconfined is not allowed; use RuntimeDefault or remove it'],
  ['a host process', api({ windowsOptions: { hostProcess: true } }), 'spec.podTemplateSpec.spec.containers[0].securityContext.windowsOptions.hostProcess: host processes are not allowed; remove it'],
  ['an unusual procMount', api({ procMount: 'Unmasked' }), 'spec.podTemplateSpec.spec.containers[0].securityContext.procMount: only Default is allowed; remove it'],
  ['a container seccomp type of another kind', api({ seccompProfile: { type: 'Other' } }), 'spec.podTemplateSpec.spec.containers[0].securityContext.seccompProfile.type: must be RuntimeDefault or Localhost'],
  ['a pod seccompProfile without a type', tmpl({ securityContext: { seccompProfile: {} } }), 'spec.podTemplateSpec.spec.securityContext.seccompProfile.type: must be RuntimeDefault or Localhost'],
  ['a sysctl that is only a name', tmpl({ securityContext: { sysctls: ['kernel.sem'] } }), 'spec.podTemplateSpec.spec.securityContext.sysctls[0].name: kernel.sem is not a safe sysctl; remove it'],
  ['an SELinux type', api({ seLinuxOptions: { type: 'spc_t' } }), 'spec.podTemplateSpec.spec.containers[0].securityContext.seLinuxOptions.type: "spc_t" is not allowed; use container_t or remove it'],
]
for (const [name, spec, expected] of restricted) {
  t.test(`restricted refuses ${name}`, async (t) => {
    t.same(problems(spec), [expected])
  })
}

t.test('what restricted allows: one field set keeps the rest of the hardening, NET_BIND_SERVICE, safe volumes', async (t) => {
  t.same(problems(tmpl({ securityContext: { runAsUser: 1000, fsGroup: 2000 } })), [])
  t.same(problems(api({ runAsUser: 1000, readOnlyRootFilesystem: false, capabilities: { add: ['NET_BIND_SERVICE'] } })), [])
  t.same(problems(sidecar({ seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } })), [])
  t.same(problems({ configYAML: MINIMAL_CONFIG, volumes: [{ name: 'a', configMap: { name: 'c' } }, { name: 'b', persistentVolumeClaim: { claimName: 'p' } }] }), [])
})

t.test('baseline allows root and any volume but hostPath; privileged allows all', async (t) => {
  const env = { POD_SECURITY_PROFILE: 'baseline' }
  t.same(problems(api({ runAsUser: 0, allowPrivilegeEscalation: true, capabilities: { add: ['CHOWN'], drop: [] } }), env), [])
  t.same(problems(tmpl({ volumes: [{ name: 'n', nfs: { server: 's', path: '/' } }] }), env), [])
  t.same(problems(api({ capabilities: { add: ['SYS_ADMIN'] } }), env), ['spec.podTemplateSpec.spec.containers[0].securityContext.capabilities.add[0]: SYS_ADMIN is not allowed; remove it'])
  t.same(problems({ configYAML: MINIMAL_CONFIG, volumes: [{ name: 'h', hostPath: { path: '/' } }] }, env), ['spec.volumes[0].hostPath: hostPath volumes are not allowed; use another volume type'])
  t.same(podSecurityViolations([{ name: 'h', hostPath: { path: '/' } }], { hostNetwork: true, containers: [{ name: 'x', securityContext: { privileged: true } }] }, 'privileged'), [])
})

t.test('an annotation relaxes the profile only as far as POD_SECURITY_MAX_PROFILE allows', async (t) => {
  const rootPod = api({ runAsUser: 0 })
  t.same(problems(rootPod, { POD_SECURITY_MAX_PROFILE: 'baseline' }, { [ANNOTATION]: 'baseline' }), [], 'allowed: baseline')
  t.same(problems(rootPod, {}, { [ANNOTATION]: 'baseline' }), [
    `metadata.annotations["${ANNOTATION}"]: asks for "baseline", but this hook allows at most "restricted" (POD_SECURITY_MAX_PROFILE); remove the annotation or ask a cluster admin`,
    'spec.podTemplateSpec.spec.containers[0].securityContext.runAsUser: must not be 0 (root); use a non-zero user id',
  ])
  t.same(problems({ configYAML: MINIMAL_CONFIG }, {}, { [ANNOTATION]: 'lax' }), [`metadata.annotations["${ANNOTATION}"]: "lax" is not a profile; use restricted, baseline, privileged`])
  t.same(problems(rootPod, { POD_SECURITY_PROFILE: 'baseline' }, { [ANNOTATION]: 'restricted' }).length, 1, 'an annotation may also tighten')
})

t.test('a privileged container is not given allowPrivilegeEscalation: false, which the API server refuses beside it', async (t) => {
  t.same(hardenedContainerContext({ privileged: true }), { runAsNonRoot: true, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, privileged: true })
  t.same(hardenedContainerContext({ capabilities: { add: ['CAP_SYS_ADMIN'] } }), { runAsNonRoot: true, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['CAP_SYS_ADMIN'] } })
  t.same(hardenedContainerContext({ privileged: true, allowPrivilegeEscalation: true }).allowPrivilegeEscalation, true)
})

t.test('status: PodSecurity says the profile; a violation is Failed with PodSecurityViolation and keeps the registry', async (t) => {
  const ok = sync(request({ configYAML: MINIMAL_CONFIG }), settings(), NOW).response.status
  const cond = (status: Record<string, unknown>) => (status['conditions'] as Record<string, unknown>[]).find((c) => c['type'] === 'PodSecurity')
  t.same(cond(ok), { type: 'PodSecurity', status: 'True', observedGeneration: 1, lastTransitionTime: '2026-11-22T10:00:00Z', reason: 'Restricted', message: 'The pod meets the Pod Security Standard "restricted"' })
  const bad = sync(request(api({ privileged: true })), settings(), NOW).response
  t.equal(bad.status['phase'], 'Failed')
  t.match(bad.status['message'], /^Spec validation failed: spec\.podTemplateSpec\.spec\.containers\[0\]\.securityContext\.privileged: privileged containers are not allowed/)
  t.same(cond(bad.status), {
    type: 'PodSecurity',
    status: 'False',
    observedGeneration: 1,
    lastTransitionTime: '2026-11-22T10:00:00Z',
    reason: 'PodSecurityViolation',
    message: 'spec.podTemplateSpec.spec.containers[0].securityContext.privileged: privileged containers are not allowed; remove it (the pod must meet the Pod Security Standard "restricted")',
  })
  t.same(bad.children, [], 'nothing observed: nothing created')
  const relaxed = sync(request(api({ privileged: true }), { parent: { ...request({}).parent, metadata: { ...request({}).parent.metadata, annotations: { [ANNOTATION]: 'privileged' } }, spec: api({ privileged: true }) } }), settings({ POD_SECURITY_MAX_PROFILE: 'privileged' }), NOW).response
  t.match(cond(relaxed.status), { status: 'True', reason: 'Privileged', message: 'The pod meets the Pod Security Standard "privileged"' })
  t.notOk('allowPrivilegeEscalation' in child(relaxed.children, 'Deployment')['spec']['template']['spec']['containers'][0]['securityContext'])
})

const C0 = 'spec.podTemplateSpec.spec.containers[0].securityContext'
const POD = 'spec.podTemplateSpec.spec.securityContext'
const BASELINE = { POD_SECURITY_PROFILE: 'baseline' }

t.test('each capability baseline allows is allowed under baseline; any other is refused, naming the field', async (t) => {
  for (const cap of ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']) {
    t.same(problems(sidecar({ capabilities: { add: [cap] } }), BASELINE), [], cap)
  }
  t.same(problems(sidecar({ capabilities: { add: ['CHOWN', 'NET_ADMIN'] } }), BASELINE), [`${C0}.capabilities.add[1]: NET_ADMIN is not allowed; remove it`])
})

t.test('each safe sysctl is allowed; an unsafe one is refused, naming its index', async (t) => {
  const safe = ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']
  for (const name of safe) t.same(problems(tmpl({ securityContext: { sysctls: [{ name, value: '1' }] } })), [], name)
  t.same(problems(tmpl({ securityContext: { sysctls: [{ name: 'net.ipv4.tcp_syncookies', value: '1' }, { name: 'net.core.somaxconn', value: '1' }] } }), BASELINE), [`${POD}.sysctls[1].name: net.core.somaxconn is not a safe sysctl; remove it`])
})

t.test('each allowed SELinux type is allowed, in a container and in the pod; another is refused', async (t) => {
  for (const type of ['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']) {
    t.same(problems(api({ seLinuxOptions: { type } })), [], `container ${type}`)
    t.same(problems(tmpl({ securityContext: { seLinuxOptions: { type } } })), [], `pod ${type}`)
  }
  t.same(problems(tmpl({ securityContext: { seLinuxOptions: { type: 'unconfined_t' } } }), BASELINE), [`${POD}.seLinuxOptions.type: "unconfined_t" is not allowed; use container_t or remove it`])
})

const RESTRICTED_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']
const OTHER_TYPES = ['gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'nfs', 'iscsi', 'glusterfs', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'fc', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'storageos', 'image']
const withVolume = (type: string) => ({ configYAML: MINIMAL_CONFIG, volumes: [{ name: 'v', [type]: {} }] })

t.test('volumes: restricted allows its eight types and refuses every other, naming it; baseline refuses only hostPath', async (t) => {
  for (const type of RESTRICTED_TYPES) t.same(problems(withVolume(type)), [], `restricted allows ${type}`)
  for (const type of OTHER_TYPES) {
    t.same(problems(withVolume(type)), [`spec.volumes[0].${type}: ${type} volumes are not allowed; use configMap, secret, emptyDir, projected, persistentVolumeClaim, csi or ephemeral`], `restricted refuses ${type}`)
    t.same(problems(withVolume(type), BASELINE), [], `baseline allows ${type}`)
  }
  t.same(problems(withVolume('hostPath'), BASELINE), ['spec.volumes[0].hostPath: hostPath volumes are not allowed; use another volume type'])
})

t.test('the allowed values of a control are not refused: hostProcess false, procMount Default, hostPort 0', async (t) => {
  t.same(problems(api({ windowsOptions: { hostProcess: false } })), [])
  t.same(problems(tmpl({ securityContext: { windowsOptions: { hostProcess: false } } })), [])
  t.same(problems(api({ procMount: 'Default' })), [])
  t.same(problems(api({}, { ports: [{ containerPort: 8080, hostPort: 0 }] })), [])
})

t.test('seccomp: RuntimeDefault and Localhost allowed in a container and in the pod; Unconfined refused once, under baseline too', async (t) => {
  for (const type of ['RuntimeDefault', 'Localhost']) {
    t.same(problems(api({ seccompProfile: { type } })), [], `container ${type}`)
    t.same(problems(tmpl({ securityContext: { seccompProfile: { type } } })), [], `pod ${type}`)
  }
  const unconfined = `${C0}.seccompProfile.type: Unconfined is not allowed; use RuntimeDefault or remove it`
  t.same(problems(api({ seccompProfile: { type: 'Unconfined' } })), [unconfined])
  t.same(problems(api({ seccompProfile: { type: 'Unconfined' } }), BASELINE), [unconfined])
})

t.test('baseline does not apply the restricted pod controls: a root pod without seccomp passes', async (t) => {
  t.same(problems(tmpl({ securityContext: { runAsNonRoot: false, runAsUser: 0, seccompProfile: { type: 'Other' } } }), BASELINE), [])
})

t.test('a container adding SYS_ADMIN (without CAP_) is not given allowPrivilegeEscalation: false either', async (t) => {
  t.same(hardenedContainerContext({ capabilities: { add: ['SYS_ADMIN'] } }), { runAsNonRoot: true, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] } })
})
