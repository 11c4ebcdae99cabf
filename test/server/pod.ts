/**
 * Runs the real registry server (THV_REGISTRY_API) as the kubelet would run the rendered registry-api
 * container: its volumes laid out under a temporary root (ConfigMaps and Secrets with their items, as
 * kubelet's atomic `..data` directories, subPath mounts, emptyDirs, the service-account token), bound to
 * their mountPaths in a private mount namespace (`unshare -m`), then `chroot` to that root as the image's
 * user (1001) with the container's args and env exactly as rendered, in the test PostgreSQL's network
 * namespace. The image's entrypoint is `/main` (upstream Dockerfile). Nothing is rewritten.
 */
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { TEST_CA } from '../fixtures/server-corpus/config-cases.js'
import type { Postgres } from './postgres.js'

/** The image's user (upstream Dockerfile: USER 1001). */
export const IMAGE_UID = 1001
/** kubelet-injected environment: the API server address (nothing listens there: no cluster in these tests). */
const KUBELET_ENV = { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: '6443', HOME: '/', PATH: '/usr/local/bin:/usr/bin:/bin' }
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount'

type Obj = Record<string, any>

export interface PodInputs {
  /** The rendered Deployment. */
  deployment: Obj
  /** ConfigMaps by name: the rendered config ConfigMap and the user's. */
  configMaps: Record<string, Obj>
  /** Secrets by name (from the example file). */
  secrets: Record<string, Obj>
  namespace: string
}

export interface LaidOutPod {
  root: string
  args: string[]
  env: Record<string, string>
  /** The bind mounts: source on the host, target inside root. */
  mounts: { source: string; target: string; file: boolean; readOnly: boolean }[]
  cleanup(): void
}

function secretData(secret: Obj): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries((secret['data'] ?? {}) as Record<string, string>)) out[k] = Buffer.from(v, 'base64').toString('utf8')
  for (const [k, v] of Object.entries((secret['stringData'] ?? {}) as Record<string, string>)) out[k] = v
  return out
}

/** A kubelet atomic-writer directory: files in `..<ts>`, `..data` → it, each top-level entry → `..data/<entry>`. */
function atomicDir(dir: string, files: Record<string, string>, mode = 0o644): void {
  mkdirSync(dir, { recursive: true })
  const ts = '..2026_11_01_12_00_00.000000001'
  for (const [path, text] of Object.entries(files)) {
    const file = join(dir, ts, path)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, text, { mode })
    chmodSync(file, mode)
  }
  mkdirSync(join(dir, ts), { recursive: true })
  symlinkSync(ts, join(dir, '..data'))
  for (const top of new Set(Object.keys(files).map((p) => p.split('/')[0] as string))) symlinkSync(join('..data', top), join(dir, top))
}

function projectKeys(data: Record<string, string>, items: { key: string; path: string }[] | undefined, what: string): Record<string, string> {
  if (items === undefined) return { ...data }
  const out: Record<string, string> = {}
  for (const it of items) {
    const v = data[it.key]
    if (v === undefined) throw new Error(`${what} has no key ${it.key}`)
    out[it.path] = v
  }
  return out
}

export function layOutPod(inputs: PodInputs): LaidOutPod {
  const base = mkdtempSync(join(tmpdir(), 'mcpreg-pod-'))
  chmodSync(base, 0o755)
  const root = join(base, 'root')
  const volumesDir = join(base, 'volumes')
  mkdirSync(root)
  mkdirSync(volumesDir)
  const pod = inputs.deployment['spec']['template']['spec'] as Obj
  const container = (pod['containers'] as Obj[]).find((c) => c['name'] === 'registry-api') as Obj

  const cmData = (name: string, optional: boolean): Record<string, string> | undefined => {
    const cm = inputs.configMaps[name]
    if (cm === undefined && !optional) throw new Error(`ConfigMap ${name} is not in the example`)
    return cm === undefined ? undefined : { ...(cm['data'] ?? {}) }
  }
  const secretFiles = (name: string): Record<string, string> => {
    const s = inputs.secrets[name]
    if (s === undefined) throw new Error(`Secret ${name} is not in the example`)
    return secretData(s)
  }
  const volumePath = new Map<string, string>()
  for (const v of pod['volumes'] as Obj[]) {
    const dir = join(volumesDir, v['name'])
    if (v['configMap'] !== undefined) {
      const data = cmData(v['configMap']['name'], v['configMap']['optional'] === true) ?? {}
      atomicDir(dir, projectKeys(data, v['configMap']['items'], `ConfigMap ${v['configMap']['name']}`))
    } else if (v['secret'] !== undefined) {
      atomicDir(dir, projectKeys(secretFiles(v['secret']['secretName']), v['secret']['items'], `Secret ${v['secret']['secretName']}`))
    } else if (v['projected'] !== undefined) {
      const files: Record<string, string> = {}
      for (const s of v['projected']['sources'] as Obj[]) {
        if (s['configMap'] !== undefined) Object.assign(files, projectKeys(cmData(s['configMap']['name'], s['configMap']['optional'] === true) ?? {}, s['configMap']['items'], `ConfigMap ${s['configMap']['name']}`))
        if (s['secret'] !== undefined) Object.assign(files, projectKeys(secretFiles(s['secret']['name']), s['secret']['items'], `Secret ${s['secret']['name']}`))
      }
      atomicDir(dir, files)
    } else if (v['emptyDir'] !== undefined) {
      mkdirSync(dir)
      chmodSync(dir, 0o777)
    } else {
      throw new Error(`volume ${v['name']}: only configMap, secret, projected and emptyDir volumes are laid out`)
    }
    volumePath.set(v['name'], dir)
  }

  // init containers: only the hook's own pgpass copy is known (cp + chmod 0600, as its command says)
  for (const init of (pod['initContainers'] ?? []) as Obj[]) {
    if (init['name'] !== 'setup-pgpass') throw new Error(`init container ${init['name']} is not emulated`)
    const mountsBy = new Map((init['volumeMounts'] as Obj[]).map((m) => [m['mountPath'], volumePath.get(m['name']) as string]))
    const from = join(mountsBy.get('/secret') as string, '.pgpass')
    const to = join(mountsBy.get('/pgpass') as string, '.pgpass')
    copyFileSync(from, to)
    chmodSync(to, 0o600)
    chownSync(to, IMAGE_UID, IMAGE_UID)
  }

  // the service-account token every pod gets (automountServiceAccountToken is not set by the hook)
  const sa = join(volumesDir, 'kube-api-access')
  atomicDir(sa, { token: 'not-a-real-token', namespace: inputs.namespace, 'ca.crt': TEST_CA })
  const mounts: LaidOutPod['mounts'] = [{ source: sa, target: SA_DIR, file: false, readOnly: true }]
  for (const m of container['volumeMounts'] as Obj[]) {
    const dir = volumePath.get(m['name'])
    if (dir === undefined) throw new Error(`volumeMount ${m['mountPath']}: no volume ${m['name']}`)
    const source = m['subPath'] === undefined ? dir : join(dir, m['subPath'])
    const file = m['subPath'] !== undefined && !statSync(source).isDirectory()
    mounts.push({ source, target: m['mountPath'], file, readOnly: m['readOnly'] === true })
  }
  // /etc/hosts as the kubelet writes it, plus the database's Service name (cluster DNS in a real cluster)
  mkdirSync(join(root, 'etc'))
  writeFileSync(join(root, 'etc', 'hosts'), '127.0.0.1\tlocalhost\n127.0.0.1\tpostgres\n')
  mkdirSync(join(root, 'dev'))

  const env: Record<string, string> = { ...KUBELET_ENV }
  for (const e of (container['env'] ?? []) as Obj[]) {
    if (typeof e['value'] === 'string') env[e['name']] = e['value']
    else if (e['valueFrom']?.['secretKeyRef'] !== undefined) {
      const ref = e['valueFrom']['secretKeyRef']
      const v = secretFiles(ref['name'])[ref['key']]
      if (v === undefined) throw new Error(`env ${e['name']}: Secret ${ref['name']} has no key ${ref['key']}`)
      env[e['name']] = v
    } else if (e['valueFrom']?.['configMapKeyRef'] !== undefined) {
      const ref = e['valueFrom']['configMapKeyRef']
      env[e['name']] = (cmData(ref['name'], false) as Record<string, string>)[ref['key']] as string
    } else throw new Error(`env ${e['name']}: only value, secretKeyRef and configMapKeyRef are resolved`)
  }
  const args = [...((container['command'] ?? ['/main']) as string[]), ...((container['args'] ?? []) as string[])]
  return { root, args, env, mounts, cleanup: () => rmSync(base, { recursive: true, force: true }) }
}

export interface RunningServer {
  pid: number
  output(): string
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number | null>
  running(): boolean
  stop(): Promise<void>
}

/** Starts the server binary as /main of the laid-out root, in the PostgreSQL namespace. */
export function runServer(binary: string, pod: LaidOutPod, pg: Postgres): RunningServer {
  // bind mounts in a private mount namespace (the binary is the image's /main), then chroot as the image
  // user; args and env untouched
  const lines = ['set -e', 'mount --make-rprivate /', `mount --rbind /dev "$ROOT/dev"`, 'touch "$ROOT/main"', 'mount --bind "$BINARY" "$ROOT/main"']
  // outer mounts first; read-only remounts last, so a mount point inside a read-only volume can be made
  const order = pod.mounts.map((m, i) => ({ m, i })).sort((a, b) => a.m.target.split('/').length - b.m.target.split('/').length)
  for (const { m, i } of order) {
    lines.push(`t="$ROOT${m.target}"`, m.file ? `mkdir -p "$(dirname "$t")"; touch "$t"` : 'mkdir -p "$t"', `mount --bind "$M${i}" "$t"`)
  }
  for (const { m } of order) if (m.readOnly) lines.push(`mount -o remount,bind,ro "$ROOT${m.target}"`)
  lines.push('exec env -i "$@"')
  const envArgs = Object.entries(pod.env).map(([k, v]) => `${k}=${v}`)
  const shellEnv: Record<string, string> = { ROOT: pod.root, BINARY: binary, PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }
  pod.mounts.forEach((m, i) => (shellEnv[`M${i}`] = m.source))
  const child = spawn(
    'nsenter',
    ['-t', String(pg.netns), '-n', '--', 'unshare', '-m', '--', 'sh', '-c', lines.join('\n'), 'sh', ...envArgs, '/usr/sbin/chroot', `--userspec=${IMAGE_UID}:${IMAGE_UID}`, pod.root, ...pod.args],
    { env: shellEnv, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let out = ''
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()))
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()))
  let alive = true
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    alive = false
    resolve(code)
  }))
  return {
    pid: child.pid as number,
    output: () => out,
    exited,
    running: () => alive,
    async stop() {
      if (alive) child.kill('SIGTERM')
      const t = setTimeout(() => alive && child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(t)
    },
  }
}

/** An HTTP GET from inside the pod's network namespace: status code and body. */
export function httpGet(pg: Postgres, url: string): { status: number; body: string } {
  const r = spawnSync('nsenter', ['-t', String(pg.netns), '-n', '--', 'curl', '-s', '-m', '5', '-w', '\n%{http_code}', url], { encoding: 'utf8' })
  const text = r.stdout ?? ''
  const cut = text.lastIndexOf('\n')
  return { status: Number(text.slice(cut + 1)) || 0, body: text.slice(0, cut) }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Polls until `done` is true or the server exits; false when it exited first or `limitMs` passed. */
export async function waitFor(server: RunningServer, done: () => boolean, limitMs: number): Promise<boolean> {
  const end = Date.now() + limitMs
  while (Date.now() < end) {
    if (done()) return true
    if (!server.running()) return false
    await sleep(200)
  }
  return done()
}
