/**
 * Asks the real registry server (THV_REGISTRY_API) what it makes of a config.yaml or a registry document,
 * in the corpus pod (test/fixtures/server-corpus/config-cases.ts): used by `npm run record:server` to
 * record verdicts and by test/server-verdicts.test.ts to re-check them live.
 *
 * A config is accepted when `serve` gets past loading and validating it: it logs "Starting registry API
 * server" and is still running a moment later. It is rejected when the process exits first; the message is
 * cobra's `Error: ...` line. A failure only because a remote endpoint is unreachable counts as accepted
 * (there is no network here). A registry document is accepted when the list endpoint returns its servers
 * after the first sync, rejected when the sync logs a failure.
 */
import { CORPUS_FILES, CORPUS_MOUNTS } from '../fixtures/server-corpus/config-cases.js'
import { httpGet, layOutPod, runServer, sleep, waitFor, type RunningServer } from './pod.js'
import { DB_USERS, type Postgres } from './postgres.js'

export type Verdict = { verdict: 'accepted'; note?: string } | { verdict: 'rejected'; message: string }

const STARTED = 'Starting registry API server'
/** Messages of a failure to reach something over the network, not a config error. */
const UNREACHABLE = /dial tcp|no such host|connection refused|i\/o timeout|network is unreachable|server misbehaving/
const MAX_MESSAGE = 600

/** A Deployment as the hook renders it for the corpus: config, data, secrets, pgpass, /tmp. */
function corpusPod(configYAML: string, registryJSON: string) {
  const secretItems = Object.keys(CORPUS_FILES).map((p) => ({ key: p.split('/').slice(2).join('-'), path: p.split('/').slice(2).join('/') }))
  const secretData: Record<string, string> = {}
  for (const [p, text] of Object.entries(CORPUS_FILES)) secretData[p.split('/').slice(2).join('-')] = text
  const pgpass = `postgres:5432:*:${DB_USERS.app.user}:${DB_USERS.app.password}\npostgres:5432:*:${DB_USERS.migrator.user}:${DB_USERS.migrator.password}\n`
  const deployment = {
    spec: {
      template: {
        spec: {
          initContainers: [{ name: 'setup-pgpass', volumeMounts: [{ name: 'pgpass-secret', mountPath: '/secret' }, { name: 'pgpass', mountPath: '/pgpass' }] }],
          containers: [
            {
              name: 'registry-api',
              args: ['serve', '--config=/config/config.yaml'],
              env: [{ name: 'PGPASSFILE', value: '/home/appuser/.pgpass' }],
              volumeMounts: [
                { name: 'registry-server-config', mountPath: '/config', readOnly: true },
                { name: CORPUS_MOUNTS[0]?.name, mountPath: CORPUS_MOUNTS[0]?.mountPath, readOnly: true },
                { name: CORPUS_MOUNTS[1]?.name, mountPath: CORPUS_MOUNTS[1]?.mountPath, readOnly: true },
                { name: 'pgpass', mountPath: '/home/appuser/.pgpass', subPath: '.pgpass', readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'registry-server-config', configMap: { name: 'config' } },
            { name: 'data', configMap: { name: 'data' } },
            { name: 'secrets', secret: { secretName: 'secrets', items: secretItems } },
            { name: 'pgpass-secret', secret: { secretName: 'pgpass', items: [{ key: 'pgpass', path: '.pgpass' }] } },
            { name: 'pgpass', emptyDir: {} },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
    },
  }
  return layOutPod({
    deployment,
    namespace: 'toolhive-system',
    configMaps: { config: { data: { 'config.yaml': configYAML } }, data: { data: { 'registry.json': registryJSON } } },
    secrets: { secrets: { stringData: secretData }, pgpass: { stringData: { pgpass } } },
  })
}

function errorLine(output: string): string {
  const lines = output.split('\n')
  let at = lines.map((l) => l.startsWith('Error: ')).lastIndexOf(true)
  if (at < 0) at = lines.map((l) => /panic|level=ERROR|"level":"ERROR"/.test(l)).lastIndexOf(true)
  if (at < 0) at = lines.map((l) => l.trim() !== '').lastIndexOf(true)
  if (at < 0) return '(no output)'
  // cobra's message and the lines that continue it (yaml and mapstructure list their errors below it)
  let text = (lines[at] as string).replace(/^Error: /, '')
  for (const l of lines.slice(at + 1)) {
    if (/^(time=|\{"time"|Usage:)/.test(l)) break
    if (l.trim() !== '') text += ` ${l.trim()}`
  }
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text
}

async function withServer<T>(binary: string, pg: Postgres, configYAML: string, registryJSON: string, body: (s: RunningServer) => Promise<T>): Promise<T> {
  const pod = corpusPod(configYAML, registryJSON)
  const server = runServer(binary, pod, pg)
  try {
    return await body(server)
  } finally {
    await server.stop()
    pod.cleanup()
  }
}

/** The server's verdict on one config.yaml. */
export async function configVerdict(binary: string, pg: Postgres, configYAML: string, registryJSON: string): Promise<Verdict> {
  return withServer(binary, pg, configYAML, registryJSON, async (server) => {
    const started = await waitFor(server, () => server.output().includes(STARTED), 60_000)
    if (started) {
      await sleep(1500) // still up a moment later (a bad ticker interval panics only once the loops start)
      if (server.running()) return { verdict: 'accepted' }
    } else if (server.running()) {
      return { verdict: 'rejected', message: `did not start within 60 s: ${errorLine(server.output())}` }
    }
    await server.exited
    const message = errorLine(server.output())
    if (UNREACHABLE.test(message)) return { verdict: 'accepted', note: `a remote endpoint is unreachable here: ${message}` }
    return { verdict: 'rejected', message }
  })
}

const DATA_CONFIG = `sources:
  - name: files
    file:
      path: /data/registry.json
    syncPolicy:
      interval: 1h
registries:
  - name: default
    sources: [files]
database:
  host: postgres
  port: 5432
  user: db_app
  database: registry
auth:
  mode: anonymous
`
const SYNC_FAILED = /Fetch operation failed|Registry validation failed|Failed to store registry data|Registry filtering failed/

/** The server's verdict on one registry document: served after the first sync, or the sync's error. */
export async function dataVerdict(binary: string, pg: Postgres, registryJSON: string): Promise<Verdict & { servers?: string[] }> {
  return withServer(binary, pg, DATA_CONFIG, registryJSON, async (server) => {
    if (!(await waitFor(server, () => server.output().includes(STARTED), 60_000))) {
      return { verdict: 'rejected', message: `the server did not start: ${errorLine(server.output())}` }
    }
    let names: string[] | undefined
    const served = (): boolean => {
      const r = httpGet(pg, 'http://127.0.0.1:8080/registry/default/v0.1/servers')
      if (r.status !== 200) return false
      const list = (JSON.parse(r.body) as { servers?: { server: { name: string } }[] }).servers ?? []
      if (list.length === 0) return false
      names = list.map((s) => s.server.name)
      return true
    }
    const done = await waitFor(server, () => SYNC_FAILED.test(server.output()) || served(), 30_000)
    if (done && names !== undefined) return { verdict: 'accepted', servers: names }
    const line = server.output().split('\n').find((l) => SYNC_FAILED.test(l))
    const message = line === undefined ? `no servers listed within 30 s: ${errorLine(server.output())}` : line
    return { verdict: 'rejected', message: message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message }
  })
}
