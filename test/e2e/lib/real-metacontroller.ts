/**
 * Runs a real Metacontroller binary (E2E_METACONTROLLER_BIN) against the e2e control plane, as the
 * ServiceAccount metacontroller/metacontroller through a kubeconfig holding that account's token, with the
 * project's CompositeController applied unchanged. Its hooks name the Service
 * mcpregistry-hook.mcpregistry-hook:80, which does not resolve outside a cluster: Metacontroller's webhook
 * client honours HTTP_PROXY, so a small forward proxy on 127.0.0.1 sends those requests to the hook under
 * test (the API server is on 127.0.0.1, which Go never proxies).
 *
 * The binary is not part of this repository: build Metacontroller from its source and point
 * E2E_METACONTROLLER_BIN at it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { createServer, request, type Server } from 'node:http'
import { join } from 'node:path'

export interface RealMetacontrollerOptions {
  bin: string
  /** Kubeconfig with the ServiceAccount's token. */
  kubeconfig: string
  /** Where the hook really listens, e.g. http://127.0.0.1:PORT. */
  hookBaseUrl: string
  /** Directory for its log (metacontroller.log). */
  logDir: string
  /** --client-go-qps / --client-go-burst; Metacontroller's defaults (5 / 10) when absent. */
  qps?: number
  burst?: number
  log?: (s: string) => void
}

export class RealMetacontroller {
  private child: ChildProcess | undefined
  private proxy: Server | undefined
  private proxyPort = 0
  readonly logFile: string
  /** Hook requests forwarded, by path. */
  readonly forwarded: Record<string, number> = {}
  private readonly kill = () => this.child?.kill('SIGKILL')

  constructor(private readonly opts: RealMetacontrollerOptions) {
    this.logFile = join(opts.logDir, 'metacontroller.log')
  }

  private async startProxy(): Promise<void> {
    const target = new URL(this.opts.hookBaseUrl)
    this.proxy = createServer((req, res) => {
      // a proxy request carries the absolute URL: http://mcpregistry-hook.mcpregistry-hook:80/sync
      const url = new URL(req.url ?? '/', 'http://unknown')
      this.forwarded[url.pathname] = (this.forwarded[url.pathname] ?? 0) + 1
      const headers: Record<string, string | string[] | undefined> = { ...req.headers, host: target.host }
      delete headers['proxy-connection']
      const out = request({ hostname: target.hostname, port: target.port, path: `${url.pathname}${url.search}`, method: req.method, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      })
      out.on('error', (e) => {
        res.writeHead(502)
        res.end(e.message)
      })
      req.pipe(out)
    })
    this.proxy.listen(0, '127.0.0.1')
    await once(this.proxy, 'listening')
    this.proxyPort = (this.proxy.address() as { port: number }).port
  }

  async start(): Promise<void> {
    if (this.proxy === undefined) await this.startProxy()
    const args = [
      `--kubeconfig=${this.opts.kubeconfig}`,
      '--metrics-address=0',
      '--health-probe-bind-address=0',
      '--pprof-address=0',
      ...(this.opts.qps === undefined ? [] : [`--client-go-qps=${this.opts.qps}`]),
      ...(this.opts.burst === undefined ? [] : [`--client-go-burst=${this.opts.burst}`]),
    ]
    const fd = openSync(this.logFile, 'a')
    const env: NodeJS.ProcessEnv = { ...process.env, HTTP_PROXY: `http://127.0.0.1:${this.proxyPort}`, NO_PROXY: '127.0.0.1,localhost' }
    delete env['KUBECONFIG']
    delete env['HTTPS_PROXY']
    this.child = spawn(this.opts.bin, args, { stdio: ['ignore', fd, fd], env })
    closeSync(fd)
    process.on('exit', this.kill)
    this.opts.log?.(`started ${this.opts.bin} pid ${this.child.pid} (${args.slice(1).join(' ')})`)
    // started means it has read the CompositeController and started its parent controller
    const end = Date.now() + 60_000
    const before = readFileSync(this.logFile, 'utf8').split('Starting CompositeController').length
    while (readFileSync(this.logFile, 'utf8').split('Starting CompositeController').length === before) {
      if (this.child.exitCode !== null) throw new Error(`metacontroller exited ${this.child.exitCode}: ${this.tail()}`)
      if (Date.now() > end) throw new Error(`metacontroller did not start its CompositeController: ${this.tail()}`)
      await new Promise((r) => setTimeout(r, 200))
    }
  }

  tail(lines = 20): string {
    return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n')
  }

  /** Sync errors it logged for parents whose key (namespace/name) starts with `prefix`. */
  syncErrors(prefix: string): string[] {
    return readFileSync(this.logFile, 'utf8')
      .split('\n')
      .filter((l) => /failed to sync|Sync error/.test(l) && l.includes(`'${prefix}`))
  }

  async stop(): Promise<void> {
    const child = this.child
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
    process.removeListener('exit', this.kill)
  }

  async close(): Promise<void> {
    await this.stop()
    if (this.proxy !== undefined) {
      this.proxy.closeAllConnections()
      await new Promise((r) => this.proxy?.close(r))
      this.proxy = undefined
    }
  }
}
