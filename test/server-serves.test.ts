/**
 * It serves (issue 9). Runs only with THV_REGISTRY_API=/path/to/thv-registry-api (build it from
 * github.com/stacklok/toolhive-registry-server, cmd/thv-registry-api; README "Tests"), as root, with Debian's
 * PostgreSQL 15, openssl and curl.
 *
 * Every example is rendered by the hook's own sync(), its pod laid out as the kubelet would
 * (test/server/pod.ts) and the container's args and env run exactly as rendered against a fresh PostgreSQL.
 * The process stays up, the Deployment's readiness and liveness probes answer 200 on their declared port and
 * path, and the list endpoint returns exactly the servers of the example's registry data.
 */
import { readdirSync } from 'node:fs'
import t from 'tap'
import { parse, parseAllDocuments } from 'yaml'
import { sync } from '../src/hook.js'
import { exampleRequest, NOW, readText, settings } from './fixtures/helpers.js'

const binary = process.env['THV_REGISTRY_API']
// loaded only when the server runs: the harness is test tooling, not part of what `npm test` covers
const why = binary === undefined || binary === '' ? 'THV_REGISTRY_API is not set (the path of a thv-registry-api binary; see README "Tests")' : (await import('./server/postgres.js')).missingTools()
if (why !== undefined) {
  t.pass(`skipped: ${why}`)
  t.end()
} else {
  t.setTimeout(3_600_000)
  const { httpGet, layOutPod, runServer, waitFor } = await import('./server/pod.js')
  const { startPostgres } = await import('./server/postgres.js')
  const pg = startPostgres()
  t.teardown(() => pg.stop())
  const exe = binary as string
  const examples = readdirSync(new URL('../examples/', import.meta.url)).filter((f) => f.endsWith('.yaml')).sort()

  for (const file of examples) {
    t.test(`it serves: examples/${file}`, async (t) => {
      const text = readText(`examples/${file}`)
      const objects = parseAllDocuments(text).map((d) => d.toJS() as Record<string, any>)
      const { response } = sync(exampleRequest(`examples/${file}`), settings(), NOW)
      t.equal(response.status.phase, 'Pending', 'the hook accepts the example')
      const children = response.children as Record<string, any>[]
      const deployment = children.find((c) => c['kind'] === 'Deployment') as Record<string, any>
      const config = children.find((c) => c['kind'] === 'ConfigMap') as Record<string, any>
      const configMaps: Record<string, any> = { [config['metadata']['name']]: config }
      const secrets: Record<string, any> = {}
      for (const o of objects) {
        if (o?.['kind'] === 'ConfigMap') configMaps[o['metadata']['name']] = o
        if (o?.['kind'] === 'Secret') secrets[o['metadata']['name']] = o
      }
      const db = parse(config['data']['config.yaml'])['database']
      pg.resetDatabase(db['migrationUser'] ?? db['user'])
      const pod = layOutPod({ deployment, configMaps, secrets, namespace: deployment['metadata']['namespace'] })
      t.same(pod.args, ['/main', 'serve', '--config=/config/config.yaml'], 'the image entrypoint with the rendered args')
      const server = runServer(exe, pod, pg)
      t.teardown(async () => {
        await server.stop()
        pod.cleanup()
      })
      const started = await waitFor(server, () => server.output().includes('Starting registry API server'), 60_000)
      t.ok(started, `the server gets past its config and starts\n${started ? '' : server.output().slice(-3000)}`)
      if (!started) return
      const container = (deployment['spec']['template']['spec']['containers'] as Record<string, any>[]).find((c) => c['name'] === 'registry-api') as Record<string, any>
      for (const probe of ['readinessProbe', 'livenessProbe']) {
        const { path, port } = container[probe]['httpGet']
        let status = 0
        await waitFor(server, () => (status = httpGet(pg, `http://127.0.0.1:${port}${path}`).status) === 200, 60_000)
        t.equal(status, 200, `${probe} GET :${port}${path} answers 200`)
      }
      // the servers of every ConfigMap-backed registry document of the example
      const expected: string[] = []
      for (const o of objects) {
        if (o?.['kind'] !== 'ConfigMap') continue
        for (const v of Object.values((o['data'] ?? {}) as Record<string, string>)) {
          try {
            const d = JSON.parse(v) as { data?: { servers?: { name: string }[] } }
            for (const s of d.data?.servers ?? []) expected.push(s.name)
          } catch {
            // not a registry document (a CA certificate)
          }
        }
      }
      const url = `http://127.0.0.1:${container['ports'][0]['containerPort']}/registry/default/v0.1/servers`
      const oauth = parse(config['data']['config.yaml'])['auth']['mode'] === 'oauth'
      if (oauth) {
        t.equal(httpGet(pg, url).status, 401, 'the list endpoint wants a token (oauth)')
      } else if (expected.length > 0) {
        let names: string[] = []
        await waitFor(server, () => {
          const r = httpGet(pg, url)
          names = r.status === 200 ? ((JSON.parse(r.body) as { servers?: { server: { name: string } }[] }).servers ?? []).map((s) => s.server.name) : []
          return names.length > 0
        }, 60_000)
        t.same(names.sort(), [...new Set(expected)].sort(), 'the list endpoint returns exactly the servers of the registry data')
      } else {
        // remote or Kubernetes sources: nothing synced here; v1.5 lists no servers, v1.3.0 does not know the
        // registry until its first sync
        t.ok([200, 404].includes(httpGet(pg, url).status), 'the list endpoint answers')
      }
      t.ok(server.running(), 'the process is still up')
    })
  }
}
