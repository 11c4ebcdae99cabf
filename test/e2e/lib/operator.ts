/**
 * The real ToolHive operator (thv-operator, built by build-tools.sh from the Go module proxy) run outside
 * the cluster against the e2e API server, like the other control-plane binaries: admin kubeconfig, no
 * leader election, metrics and health probes disabled (no listener at all), no update check (it would call
 * out to the internet), and WATCH_NAMESPACE so it reconciles only the namespaces a test gives it.
 *
 * Its CRDs come from its own module in the Go module cache (deploy/charts/operator-crds/files/crds), found
 * with `go list -m` in the wrapper module, so they always match the binary.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { closeSync, existsSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import type { ControlPlane } from './controlplane.js'
import { Api, type ApiResult } from './metacontroller.js'

const TOOLS = new URL('../tools/operator/', import.meta.url).pathname
export const OPERATOR_MODULE = 'github.com/stacklok/toolhive'
/** The operator's finalizer on an MCPRegistry. */
export const OPERATOR_FINALIZER = 'mcpregistry.toolhive.stacklok.dev/finalizer'

/** Version and module cache directory of the pinned operator module (tools/operator/go.mod). */
export function operatorModule(): { version: string; dir: string } {
  const out = execFileSync('go', ['list', '-m', '-json', OPERATOR_MODULE], {
    cwd: TOOLS,
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=readonly' },
  })
  const m = JSON.parse(out) as { Version: string; Dir?: string }
  if (m.Dir === undefined || !existsSync(m.Dir)) {
    execFileSync('go', ['mod', 'download', OPERATOR_MODULE], { cwd: TOOLS, env: { ...process.env, GOFLAGS: '-mod=readonly' } })
    return operatorModule()
  }
  return { version: m.Version, dir: m.Dir }
}

/** The operator's CRD files (all of them: its manager starts every controller and waits for their caches). */
export function operatorCrdFiles(): string[] {
  const dir = join(operatorModule().dir, 'deploy/charts/operator-crds/files/crds')
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(dir, f))
}

export async function applyOperatorCrds(cp: ControlPlane): Promise<void> {
  const files = operatorCrdFiles()
  for (const f of files) await cp.kubectlOk(['apply', '--server-side', '--force-conflicts', '-f', f])
  for (const f of files) {
    const name = /^\s*name:\s*(\S+)/m.exec(readFileSync(f, 'utf8').split('\nspec:')[0] ?? '')?.[1]
    if (name !== undefined) await cp.kubectlOk(['wait', '--for=condition=Established', `crd/${name}`, '--timeout=60s'])
  }
}

export interface RunningOperator {
  pid: number
  logFile: string
  /** Stops this process (by its pid) and waits for it to exit. */
  stop(): Promise<void>
  exited: boolean
}

export interface OperatorOptions {
  /** Namespaces it reconciles (WATCH_NAMESPACE). */
  namespaces: string[]
  /** Extra environment, e.g. TOOLHIVE_REGISTRY_API_IMAGE. */
  env?: Record<string, string>
  logName?: string
}

export function startOperator(cp: ControlPlane, opts: OperatorOptions): RunningOperator {
  const bin = join(cp.binDir, 'thv-operator')
  if (!existsSync(bin)) throw new Error(`missing ${bin}; run test/e2e/build-tools.sh`)
  const logFile = join(cp.workDir, 'logs', `${opts.logName ?? 'thv-operator'}.log`)
  const args = ['--metrics-bind-address=0', '--health-probe-bind-address=0', '--leader-elect=false']
  const fd = openSync(logFile, 'w')
  writeSync(fd, `# ${bin} ${args.join(' ')} (WATCH_NAMESPACE=${opts.namespaces.join(',')})\n`)
  const child: ChildProcess = spawn(bin, args, {
    cwd: cp.workDir,
    stdio: ['ignore', fd, fd],
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: cp.workDir,
      KUBECONFIG: cp.kubeconfig,
      WATCH_NAMESPACE: opts.namespaces.join(','),
      POD_NAMESPACE: opts.namespaces[0] ?? 'default',
      TOOLHIVE_SKIP_UPDATE_CHECK: 'true',
      ...opts.env,
    },
  })
  closeSync(fd)
  if (child.pid === undefined) throw new Error(`could not start ${bin}`)
  const pid = child.pid
  const exitedP = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  // never leave it behind: killed (by its pid) when this process exits
  const onExit = () => {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      /* gone */
    }
  }
  process.once('exit', onExit)
  // and if this process dies without running its handlers (SIGKILL), a detached watchdog kills it by pid
  const watchdog = spawn(
    process.execPath,
    [
      '-e',
      `const [parent, child] = process.argv.slice(1).map(Number);
       const alive = (p) => { try { process.kill(p, 0); return true } catch (e) { return e.code === 'EPERM' } };
       const t = setInterval(() => {
         if (!alive(child)) return clearInterval(t);
         if (!alive(parent)) { clearInterval(t); try { process.kill(child, 'SIGKILL') } catch {} }
       }, 1000);`,
      String(process.pid),
      String(pid),
    ],
    { detached: true, stdio: 'ignore' },
  )
  watchdog.unref()
  const running: RunningOperator = {
    pid,
    logFile,
    exited: false,
    async stop() {
      process.removeListener('exit', onExit)
      if (child.exitCode !== null || child.signalCode !== null) return
      process.kill(pid, 'SIGTERM')
      const timer = setTimeout(() => {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {
          /* gone */
        }
      }, 15_000)
      await exitedP
      clearTimeout(timer)
    },
  }
  void exitedP.then(() => (running.exited = true))
  return running
}

/**
 * An API client for the Metacontroller stand-in that hides the MCPRegistries of namespaces the operator
 * reconciles: the stand-in lists parents cluster-wide, as Metacontroller does, and the two must not fight
 * over one registry (a test-only filter on list answers; nothing else changes).
 */
export class HookNamespacesApi extends Api {
  constructor(
    server: string,
    token: string,
    ca: string,
    private readonly hookNamespace: (ns: string) => boolean,
  ) {
    super(server, token, ca)
    // A stand-in driven by watches (Api.watch, where it exists) gets the same filter on its MCPRegistry
    // watch events: another namespace's event becomes a bookmark (its resourceVersion, no object).
    const self = this as unknown as Record<string, unknown>
    const watch = self['watch']
    if (typeof watch === 'function') {
      type Event = { type: string; object: Record<string, any> }
      self['watch'] = (path: string, onEvent: (e: Event) => void, onEnd: (err?: Error) => void) =>
        watch.call(
          this,
          path,
          /\/mcpregistries(\?|$)/.test(path)
            ? (e: Event) => {
                const ns = e.object?.['metadata']?.['namespace']
                if (e.type === 'BOOKMARK' || e.type === 'ERROR' || typeof ns !== 'string' || this.hookNamespace(ns)) onEvent(e)
                else onEvent({ type: 'BOOKMARK', object: { metadata: { resourceVersion: e.object['metadata']['resourceVersion'] } } })
              }
            : onEvent,
          onEnd,
        )
    }
  }

  override async call(method: string, p: string, body?: unknown, contentType?: string): Promise<ApiResult> {
    const r = await super.call(method, p, body, contentType)
    if (method === 'GET' && /\/mcpregistries(\?|$)/.test(p) && Array.isArray(r.body['items'])) {
      r.body['items'] = (r.body['items'] as Record<string, any>[]).filter((i) => this.hookNamespace(String(i['metadata']?.['namespace'])))
    }
    return r
  }
}
