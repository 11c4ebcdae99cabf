/**
 * Requests of the benchmark, built from examples/sync-request.json (a Ready registry with its six observed
 * children, as Metacontroller sends them: managedFields, last-applied annotations): the request as it is,
 * the same with other names and uids, and larger ones for the cost-against-size table.
 */
import { readFileSync } from 'node:fs'

type Obj = Record<string, any>

export const BASE_TEXT = readFileSync(new URL('../examples/sync-request.json', import.meta.url), 'utf8')
const BASE_UID = (JSON.parse(BASE_TEXT) as Obj)['parent']['metadata']['uid'] as string

/** The base request for registry number `i`: every `minimal` (the registry and its children) and the uid replaced. */
export function variedText(i: number): string {
  const id = i.toString(36).padStart(6, '0')
  return BASE_TEXT.replaceAll('minimal', `r-${id}`).replaceAll(BASE_UID, `7d6f9a52-2c4e-4d0a-9a3e-${id.padStart(12, '0')}`)
}

/** A registry document with `servers` servers. */
function registryDocument(servers: number, tag: string): string {
  const list = Array.from({ length: servers }, (_, i) => ({
    name: `io.github.example/${tag}-server-${i}`,
    description: `Server ${i} of ${tag}`,
    version: '1.0.0',
    packages: [{ registryType: 'oci', identifier: `docker.io/example/${tag}-${i}:1.0.0`, transport: { type: 'stdio' } }],
  }))
  return JSON.stringify({ version: '1.0.0', meta: { last_updated: '2026-11-01T12:00:00Z' }, data: { servers: list } }, null, 2)
}

const DATABASE = 'database:\n  host: postgres\n  port: 5432\n  user: db_app\n  database: registry\nauth:\n  mode: anonymous\n'

/**
 * The base request with `n` ConfigMaps of registry data: `n` file sources in configYAML, each read from its
 * own ConfigMap volume, and the `n` ConfigMaps (20 servers each) in `related`.
 */
export function withConfigMaps(n: number): Obj {
  const req = JSON.parse(BASE_TEXT) as Obj
  const spec = req['parent']['spec']
  const names = Array.from({ length: n }, (_, i) => `data-${i}`)
  spec['configYAML'] =
    'sources:\n' +
    names.map((s) => `  - name: ${s}\n    file:\n      path: /data/${s}/registry.json\n    syncPolicy:\n      interval: 1h\n`).join('') +
    `registries:\n  - name: default\n    sources: [${names.join(', ')}]\n` +
    DATABASE
  spec['volumes'] = names.map((s) => ({ name: s, configMap: { name: s } }))
  spec['volumeMounts'] = names.map((s) => ({ name: s, mountPath: `/data/${s}`, readOnly: true }))
  req['related'] = {
    'ConfigMap.v1': Object.fromEntries(
      names.map((s) => [s, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: s, namespace: 'toolhive-system', uid: `uid-${s}`, resourceVersion: '1' }, data: { 'registry.json': registryDocument(20, s) } }]),
    ),
  }
  return req
}

/** The base request whose configYAML is about `bytes` long: that many kubernetes sources, one registry of them all. */
export function withLargeConfig(bytes: number): Obj {
  const req = JSON.parse(BASE_TEXT) as Obj
  const per = '  - name: source-000000\n    kubernetes:\n      namespaces: [team-000000]\n'.length + 'source-000000, '.length
  const n = Math.round(bytes / per)
  const names = Array.from({ length: n }, (_, i) => `source-${String(i).padStart(6, '0')}`)
  req['parent']['spec']['configYAML'] =
    'sources:\n' +
    names.map((s, i) => `  - name: ${s}\n    kubernetes:\n      namespaces: [team-${String(i).padStart(6, '0')}]\n`).join('') +
    `registries:\n  - name: default\n    sources: [${names.join(', ')}]\n` +
    DATABASE
  return req
}

/** The base request with `n` user volumes (emptyDir, each mounted). */
export function withVolumes(n: number): Obj {
  const req = JSON.parse(BASE_TEXT) as Obj
  const spec = req['parent']['spec']
  spec['volumes'] = Array.from({ length: n }, (_, i) => ({ name: `scratch-${i}`, emptyDir: { sizeLimit: '64Mi' } }))
  spec['volumeMounts'] = Array.from({ length: n }, (_, i) => ({ name: `scratch-${i}`, mountPath: `/scratch/${i}` }))
  return req
}
