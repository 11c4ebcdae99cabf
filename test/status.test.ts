/**
 * One test per row of SPEC §3's status table, through the pure core: phase, message, url, readyReplicas
 * and each condition, computed only from the request.
 */
import t from 'tap'
import { sync } from '../src/hook.js'
import { MINIMAL_CONFIG, NOW, observedDeployment, request, settings } from './fixtures/helpers.js'

const deployments = (status: Record<string, unknown>) => ({
  'Deployment.apps/v1': { 'reg-api': observedDeployment('reg-api', status) },
})
const run = (req: ReturnType<typeof request>, env: Record<string, string> = {}) => sync(req, settings(env), NOW).response
const cond = (res: { status: Record<string, unknown> }, type: string) =>
  (res.status['conditions'] as Record<string, unknown>[]).find((c) => c['type'] === type)

t.test('phase Terminating when finalizing, whatever the spec holds', async (t) => {
  for (const spec of [{ configYAML: MINIMAL_CONFIG }, { configYAML: 'not: [valid' }, undefined]) {
    const res = run(request(spec, { finalizing: true, children: deployments({ readyReplicas: 2 }) }))
    t.equal(res.status['phase'], 'Terminating')
    t.equal(res.finalized, false, 'children still observed: Metacontroller keeps its finalizer and deletes them')
    t.same(res.children, [], 'a finalize answer returns no children')
    t.equal(res.status['readyReplicas'], 2, 'readyReplicas in every phase')
    t.notOk('url' in res.status, 'no url unless Ready')
    t.notOk('resyncAfterSeconds' in res)
    t.match(cond(res, 'Ready'), { status: 'False', reason: 'Terminating' })
    t.equal(res.status['message'], 'MCPRegistry is being terminated', "the operator's words")
  }
})

t.test('finalize says finalized only once no child is observed any more', async (t) => {
  const cm = { 'ConfigMap.v1': { 'reg-registry-server-config': { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'reg-registry-server-config' } } } }
  const left = run(request({ configYAML: MINIMAL_CONFIG }, { finalizing: true, children: cm }))
  t.equal(left.finalized, false, 'one ConfigMap left: not finalized yet')
  t.same(left.children, [], 'and it is not desired, so Metacontroller deletes it')
  const none: Record<string, Record<string, never>>[] = [{}, { 'ConfigMap.v1': {}, 'Deployment.apps/v1': {} }]
  for (const children of none) {
    const gone = run(request({ configYAML: MINIMAL_CONFIG }, { finalizing: true, children }))
    t.equal(gone.finalized, true, 'nothing observed: Metacontroller may remove its finalizer')
    t.equal(gone.status['phase'], 'Terminating')
  }
})

t.test('phase Failed when the spec is invalid; Ready=False ValidationFailed', async (t) => {
  const res = run(request({ configYAML: MINIMAL_CONFIG, volumes: [{ name: 'registry-server-config', emptyDir: {} }] }))
  t.equal(res.status['phase'], 'Failed')
  t.match(res.status['message'], /spec\.volumes\[0\]\.name: volume name 'registry-server-config' is reserved/)
  t.match(res.status['message'], /nothing is created until this is fixed/)
  t.match(cond(res, 'Ready'), { status: 'False', reason: 'ValidationFailed' })
  t.notOk('finalized' in res, 'finalized only answers a finalizing request')
  t.notOk('resyncAfterSeconds' in res, 'no resync backstop outside Pending')
})

t.test('phase Failed when the Deployment reports ProgressDeadlineExceeded; Ready=False DeploymentFailed', async (t) => {
  const res = run(
    request({ configYAML: MINIMAL_CONFIG }, {
      children: deployments({
        replicas: 1,
        readyReplicas: 1,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "reg-api-5d" has timed out progressing.' }],
      }),
    }),
  )
  t.equal(res.status['phase'], 'Failed')
  t.match(res.status['message'], /Deployment reg-api failed to roll out \(ReplicaSet "reg-api-5d" has timed out progressing\.\)/)
  t.equal(res.status['readyReplicas'], 1)
  t.match(cond(res, 'Ready'), { status: 'False', reason: 'DeploymentFailed' })
})

t.test('a Progressing=False condition without a message still fails the rollout', async (t) => {
  const res = run(request({ configYAML: MINIMAL_CONFIG }, { children: deployments({ conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] }) }))
  t.match(res.status['message'], /failed to roll out \(progress deadline exceeded\)/)
})

t.test('phase Ready when the Deployment has readyReplicas > 0, with the url', async (t) => {
  const res = run(request({ configYAML: MINIMAL_CONFIG }, { children: deployments({ replicas: 2, readyReplicas: 2 }) }), { CLUSTER_DOMAIN: 'corp.internal' })
  t.equal(res.status['phase'], 'Ready')
  t.equal(res.status['url'], 'http://reg-api.ns1.svc.corp.internal:8080')
  t.equal(res.status['readyReplicas'], 2)
  t.equal(res.status['message'], 'Registry API is ready and serving requests')
  t.match(cond(res, 'Ready'), { status: 'True', reason: 'Ready', observedGeneration: 1 })
  t.notOk('resyncAfterSeconds' in res)
})

t.test('phase Pending otherwise, with a resync backstop and the reason in the message', async (t) => {
  const none = run(request({ configYAML: MINIMAL_CONFIG }))
  t.equal(none.status['phase'], 'Pending')
  t.equal(none.status['readyReplicas'], 0, '0 when no Deployment is observed')
  t.equal(none.status['message'], 'Registry API deployment is not ready yet', "the operator's words; nothing for the user to create")
  t.equal(none.resyncAfterSeconds, 30)
  t.match(cond(none, 'Ready'), { status: 'False', reason: 'NotReady' })

  const starting = run(request({ configYAML: MINIMAL_CONFIG }, { children: deployments({ replicas: 3 }) }))
  t.equal(starting.status['message'], 'Registry API deployment is not ready yet')
  t.equal(starting.status['readyReplicas'], 0, 'still 0 while no replica is ready (the operator leaves it out)')
  t.notOk('url' in starting.status)
})

t.test('the Pending status does not change from creation until Ready: no status write per Deployment update', async (t) => {
  // what Metacontroller observes for a new registry: no Deployment, one without status, then its rollout
  const steps = [undefined, {}, { replicas: 1, updatedReplicas: 1, unavailableReplicas: 1 }, { observedGeneration: 1, replicas: 1, readyReplicas: 0 }]
  let previous: unknown
  const seen = new Set<string>()
  for (const status of steps) {
    const req = request({ configYAML: MINIMAL_CONFIG }, status === undefined ? {} : { children: deployments(status) })
    if (previous !== undefined) req.parent.status = previous as Record<string, unknown>
    const res = run(req)
    t.equal(res.status['phase'], 'Pending')
    seen.add(JSON.stringify(res.status))
    previous = res.status
  }
  t.equal(seen.size, 1, 'byte-identical status at every step')
  const ready = run(request({ configYAML: MINIMAL_CONFIG }, { children: deployments({ replicas: 1, readyReplicas: 1 }) }))
  t.equal(ready.status['phase'], 'Ready', 'and it changes once, at Ready')
})

t.test('message explains a Pending phase by a missing data ConfigMap', async (t) => {
  const config = MINIMAL_CONFIG.replace('kubernetes: {}', 'file: {path: /data/r.json}\n    syncPolicy: {interval: 1h}')
  const res = run(
    request(
      {
        configYAML: config,
        volumes: [{ name: 'data', configMap: { name: 'reg-data' } }],
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
      },
      { children: deployments({ replicas: 1 }) },
    ),
  )
  t.equal(res.status['phase'], 'Pending')
  t.match(res.status['message'], /ConfigMap reg-data \(volume data\) does not exist/)
  t.match(cond(res, 'RegistryDataValid'), { status: 'False', reason: 'ConfigMapNotFound' })
})

t.test('PodTemplateValid appears only with a podTemplateSpec, with upstream reasons', async (t) => {
  t.notOk(cond(run(request({ configYAML: MINIMAL_CONFIG })), 'PodTemplateValid'))
  const ok = run(request({ configYAML: MINIMAL_CONFIG, podTemplateSpec: { spec: { nodeSelector: { a: 'b' } } } }))
  t.match(cond(ok, 'PodTemplateValid'), { status: 'True', reason: 'ValidPodTemplateSpec', message: 'PodTemplateSpec is valid' })
  const bad = run(request({ configYAML: MINIMAL_CONFIG, podTemplateSpec: { spec: { containers: 'invalid' } } }))
  t.equal(bad.status['phase'], 'Failed')
  t.match(cond(bad, 'PodTemplateValid'), {
    status: 'False',
    reason: 'InvalidPodTemplateSpec',
    message: /^Failed to parse PodTemplateSpec: spec\.podTemplateSpec\.spec\.containers: must be array.*Deployment blocked until fixed\.$/,
  })
  t.match(cond(bad, 'Ready'), { status: 'False', reason: 'ValidationFailed' })
  t.equal(bad.status['message'], `Invalid PodTemplateSpec: ${cond(bad, 'PodTemplateValid')?.['message']}`, "the operator's prefix and text")
})

t.test('an invalid podTemplateSpec message counts the other problems and says what is kept', async (t) => {
  const spec = { configYAML: MINIMAL_CONFIG, podTemplateSpec: { spec: { containers: 'invalid' } }, volumes: [{ name: 'registry-server-config', emptyDir: {} }] }
  const res = run(request(spec))
  t.match(res.status['message'], /^Invalid PodTemplateSpec: Failed to parse PodTemplateSpec: .*\. Deployment blocked until fixed\. \(and 1 more problem elsewhere in the spec\)$/)
  const two = run(request({ ...spec, volumes: [...spec.volumes, { name: 'registry-server-config', emptyDir: {} }] }))
  t.match(two.status['message'], /\(and 2 more problems elsewhere in the spec\)$/)
  const kept = run(request({ configYAML: MINIMAL_CONFIG, podTemplateSpec: { spec: { containers: 'invalid' } } }, { children: deployments({ replicas: 1, readyReplicas: 1 }) }))
  t.match(kept.status['message'], /Deployment blocked until fixed\. The running registry is kept as it was\.$/)
})

t.test('ConfigValid reports the config, True or False with the line at fault', async (t) => {
  const ok = run(request({ configYAML: MINIMAL_CONFIG }))
  t.match(cond(ok, 'ConfigValid'), { status: 'True', reason: 'ConfigValid', message: 'configYAML is valid: 1 source, 1 registry' })
  const bad = run(request({ configYAML: MINIMAL_CONFIG.replace('sources: ["k8s"]', 'sources: ["k9s"]') }))
  t.equal(bad.status['phase'], 'Failed')
  t.match(cond(bad, 'ConfigValid'), {
    status: 'False',
    reason: 'InvalidConfigYAML',
    message: /^spec\.configYAML line 6, registries\[0\]\.sources\[0\]: "k9s" is not a source defined under sources; use one of: k8s$/,
  })
})

t.test('RegistryDataValid appears only when the spec mounts ConfigMaps', async (t) => {
  t.notOk(cond(run(request({ configYAML: MINIMAL_CONFIG })), 'RegistryDataValid'))
})

t.test('lastTransitionTime is kept when nothing flips, and set to now (whole seconds) when it does', async (t) => {
  const earlier = '2026-01-01T00:00:00Z'
  const previous = {
    conditions: [
      { type: 'Ready', status: 'False', reason: 'NotReady', message: 'x', lastTransitionTime: earlier },
      { type: 'ConfigValid', status: 'True', reason: 'ConfigValid', message: 'x', lastTransitionTime: earlier },
    ],
  }
  const req = request({ configYAML: MINIMAL_CONFIG }, { children: deployments({ replicas: 1 }) })
  req.parent.status = previous
  const still = run(req)
  t.equal(cond(still, 'Ready')?.['lastTransitionTime'], earlier, 'Ready stays False: time kept')
  t.equal(cond(still, 'ConfigValid')?.['lastTransitionTime'], earlier)

  const flipped = run({ ...req, children: deployments({ replicas: 1, readyReplicas: 1 }) })
  t.equal(cond(flipped, 'Ready')?.['lastTransitionTime'], '2026-11-22T10:00:00Z', 'Ready flips: now, without milliseconds')
  t.equal(cond(flipped, 'ConfigValid')?.['lastTransitionTime'], earlier)

  req.parent.status = { conditions: 'garbage' }
  t.equal(cond(run(req), 'Ready')?.['lastTransitionTime'], '2026-11-22T10:00:00Z', 'unreadable previous status: new conditions')
})

t.test('an observed Deployment without status has no ready replica', async (t) => {
  const req = request({ configYAML: MINIMAL_CONFIG }, { children: { 'Deployment.apps/v1': { 'reg-api': { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'reg-api' } } } } })
  const res = run(req)
  t.match(res.status, { phase: 'Pending', readyReplicas: 0, message: 'Registry API deployment is not ready yet' })
})

t.test('a parent without generation still gets conditions (observedGeneration 0)', async (t) => {
  const req = request({ configYAML: MINIMAL_CONFIG })
  delete req.parent.metadata.generation
  t.equal(cond(run(req), 'Ready')?.['observedGeneration'], 0)
})

t.test('ConfigValid counts sources and registries', async (t) => {
  const two = MINIMAL_CONFIG.replace('registries:', '  - name: more\n    managed: {}\nregistries:\n  - name: all\n    sources: [k8s, more]')
  t.match(cond(run(request({ configYAML: two })), 'ConfigValid'), { message: 'configYAML is valid: 2 sources, 2 registries' })
})

t.test('no PodTemplateValid when the spec cannot be read at all', async (t) => {
  const res = run(request({ podTemplateSpec: {} }))
  t.equal(res.status['phase'], 'Failed')
  t.notOk(cond(res, 'PodTemplateValid'))
  t.notOk(cond(res, 'ConfigValid'))
})

t.test('only Progressing=False with ProgressDeadlineExceeded fails the rollout; other conditions leave it Ready', async (t) => {
  const others = [
    { type: 'Progressing', status: 'True', reason: 'ProgressDeadlineExceeded', message: 'm' },
    { type: 'Progressing', status: 'False', reason: 'NewReplicaSetAvailable', message: 'm' },
    { type: 'Available', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'm' },
    { type: 'ReplicaFailure', status: 'True', reason: 'ProgressDeadlineExceeded', message: 'm' },
  ]
  for (const c of others) {
    const res = run(request({ configYAML: MINIMAL_CONFIG }, { children: deployments({ replicas: 1, readyReplicas: 1, conditions: [c] }) }))
    t.match(res.status, { phase: 'Ready', readyReplicas: 1 }, `${c.type}=${c.status} ${c.reason}`)
  }
})

t.test('previous conditions that are not objects or have no type are ignored; the typed ones still keep their time', async (t) => {
  const earlier = '2026-01-01T00:00:00Z'
  const req = request({ configYAML: MINIMAL_CONFIG }, { children: deployments({ replicas: 1 }) })
  req.parent.status = { conditions: [null, 'Ready', { status: 'False', lastTransitionTime: '2025-01-01T00:00:00Z' }, { type: 'Ready', status: 'False', lastTransitionTime: earlier }] }
  const res = run(req)
  t.match(cond(res, 'Ready'), { status: 'False', lastTransitionTime: earlier })
  t.equal(cond(res, 'ConfigValid')?.['lastTransitionTime'], '2026-11-22T10:00:00Z')
})

t.test('a previous condition with the same status but no lastTransitionTime gets now', async (t) => {
  const req = request({ configYAML: MINIMAL_CONFIG }, { children: deployments({ replicas: 1 }) })
  req.parent.status = { conditions: [{ type: 'Ready', status: 'False', reason: 'NotReady', message: 'x' }, { type: 'ConfigValid', status: 'True', lastTransitionTime: 7 }] }
  const res = run(req)
  t.equal(cond(res, 'Ready')?.['lastTransitionTime'], '2026-11-22T10:00:00Z')
  t.equal(cond(res, 'ConfigValid')?.['lastTransitionTime'], '2026-11-22T10:00:00Z')
})

t.test('RegistryDataValid is True when the mounted data is valid', async (t) => {
  const config = MINIMAL_CONFIG.replace('kubernetes: {}', 'file: {path: /data/r.json}\n    syncPolicy: {interval: 1h}')
  const server = { name: 'io.github.example/fs', description: 'Filesystem', version: '1.0.0', packages: [{ registryType: 'oci', identifier: 'x', transport: { type: 'stdio' } }] }
  const doc = JSON.stringify({ version: '1.0.0', meta: { last_updated: '2026-11-01T12:00:00Z' }, data: { servers: [server] } })
  const res = run(
    request(
      { configYAML: config, volumes: [{ name: 'data', configMap: { name: 'reg-data' } }], volumeMounts: [{ name: 'data', mountPath: '/data' }] },
      { related: { 'ConfigMap.v1': { 'reg-data': { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'reg-data' }, data: { 'r.json': doc } } } } },
    ),
  )
  t.same(cond(res, 'RegistryDataValid'), {
    type: 'RegistryDataValid',
    status: 'True',
    observedGeneration: 1,
    lastTransitionTime: '2026-11-22T10:00:00Z',
    reason: 'RegistryDataValid',
    message: 'Registry data is valid: source k8s has 1 server',
  })
})
