/**
 * The process: starts from the environment, serves on the port, logs JSON, and stops within its bounds
 * whatever the clients do: /readyz turns 503 at once, in-flight hooks finish, stalled clients are cut off,
 * and a second signal ends it at once. No test waits a fixed time: each waits for what the process says
 * (a log line) or does (an answer, an exit), bounded only by generous timeouts.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { Agent, request as httpRequest } from 'node:http'
import { connect, createServer, type Socket } from 'node:net'
import t, { type Test } from 'tap'
import { MINIMAL_CONFIG, request } from './fixtures/helpers.js'

async function freePort(): Promise<number> {
  const srv = createServer().listen(0, '127.0.0.1')
  await once(srv, 'listening')
  const { port } = srv.address() as { port: number }
  srv.close()
  return port
}

/**
 * The server entry the way this test runs: in mutation runs the sandbox compiles every file to JavaScript beside
 * its source (stryker.config.json) and this file runs as .js, so the server does too; otherwise it runs as
 * TypeScript under tap's loader, the loader this test runs under (one loader per file keeps coverage right).
 */
const SERVER = import.meta.url.endsWith('.js') ? ['src/server.js'] : ['--import=@tapjs/typescript/import', 'src/server.ts']

type Line = Record<string, unknown>

/** Starts the hook on a free port; `logged(msg)` resolves with the first log line whose msg starts so. */
async function start(t: Test, env: Record<string, string> = {}, preload: string[] = []) {
  const port = await freePort()
  const child = spawn(process.execPath, [...preload, ...SERVER], {
    cwd: new URL('../', import.meta.url).pathname,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'debug', SHUTDOWN_DELAY_SECONDS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  const lines: Line[] = []
  const waiters: { prefix: string; resolve: (l: Line) => void }[] = []
  let buffered = ''
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  child.stdout.on('data', (d) => {
    buffered += d
    const parts = buffered.split('\n')
    buffered = parts.pop() as string
    for (const text of parts.filter(Boolean)) {
      const line = JSON.parse(text) as Line
      lines.push(line)
      for (const w of waiters.filter((w) => String(line['msg']).startsWith(w.prefix))) w.resolve(line)
    }
  })
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>
  const logged = (prefix: string): Promise<Line> => {
    const seen = lines.find((l) => String(l['msg']).startsWith(prefix))
    return seen !== undefined ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ prefix, resolve }))
  }
  await logged('ready')
  return { child, port, exited, logged, lines, err: () => stderr, base: `http://127.0.0.1:${port}` }
}

const syncBody = () => Buffer.from(JSON.stringify(request({ configYAML: MINIMAL_CONFIG })))

/** A POST /sync whose body is written by the caller; resolves with the answer or the connection's end. */
function openSync(port: number, body: Buffer) {
  let req!: ReturnType<typeof httpRequest>
  const answer = new Promise<{ status: number; text: string } | { error: string }>((resolve) => {
    req = httpRequest({ host: '127.0.0.1', port, path: '/sync', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      let text = ''
      res.on('data', (d) => (text += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
    })
    req.on('error', (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }))
  })
  return { req, answer }
}

t.test('serves, then shuts down gracefully on SIGTERM', async (t) => {
  const proc = await start(t, { LOG_LEVEL: 'info' })
  t.equal((await fetch(`${proc.base}/healthz`)).status, 200)
  const res = await fetch(`${proc.base}/sync`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: syncBody() })
  t.equal(res.status, 200)
  t.equal(((await res.json()) as { children: unknown[] }).children.length, 6)
  proc.child.kill('SIGTERM')
  const [code] = await proc.exited
  t.equal(code, 0, 'exit 0 after SIGTERM')
  t.match(proc.lines.find((l) => l['msg'] === 'ready'), { service: 'mcpregistry-hook', image: 'ghcr.io/stacklok/thv-registry-api:v1.5.3' })
  t.match(proc.lines.find((l) => l['msg'] === 'sync'), { namespace: 'ns1', name: 'reg', phase: 'Pending' })
  t.match(proc.lines.find((l) => String(l['msg']).startsWith('shutting down')), { signal: 'SIGTERM' })
  await t.rejects(fetch(`${proc.base}/healthz`), 'the port is closed')
})

t.test('a hook call in flight when SIGTERM arrives still gets its answer', async (t) => {
  const proc = await start(t)
  const body = syncBody()
  const { req, answer } = openSync(proc.port, body)
  req.write(body.subarray(0, 100))
  await proc.logged('request received') // the server has the request
  proc.child.kill('SIGTERM')
  await proc.logged('closing') // the server has begun to close
  req.end(body.subarray(100))
  const res = await answer
  t.match(res, { status: 200 }, 'the in-flight call is answered')
  t.equal((JSON.parse((res as { text: string }).text) as { children: unknown[] }).children.length, 6)
  const [code] = await proc.exited
  t.equal(code, 0, 'then the process exits cleanly')
})

t.test('while draining, /readyz answers 503 on a kept-alive connection and hooks are still served', async (t) => {
  const proc = await start(t, { SHUTDOWN_DELAY_SECONDS: '3' })
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => agent.destroy())
  const get = (path: string) =>
    new Promise<number>((resolve, reject) => httpRequest({ host: '127.0.0.1', port: proc.port, path, agent }, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on('error', reject).end())
  t.equal(await get('/readyz'), 200)
  proc.child.kill('SIGTERM')
  await proc.logged('shutting down')
  t.equal(await get('/readyz'), 503, 'not ready at once, on the same connection')
  t.equal(await get('/healthz'), 200, 'still alive and serving')
  const [code] = await proc.exited
  t.equal(code, 0)
})

t.test('stalled clients cannot hold the process: cut off after REQUEST_TIMEOUT_SECONDS, and the exit is bounded', async (t) => {
  const proc = await start(t, { REQUEST_TIMEOUT_SECONDS: '2', SHUTDOWN_TIMEOUT_SECONDS: '20' })
  // a body that stops halfway, a connection that never says anything, and a body trickling a byte at a time
  const body = syncBody()
  const stalled = openSync(proc.port, body)
  stalled.req.write(body.subarray(0, 100))
  const silent: Socket = connect(proc.port, '127.0.0.1')
  const silentClosed = once(silent, 'close')
  const trickle = openSync(proc.port, body)
  let sent = 0
  const drip = setInterval(() => trickle.req.write(body.subarray(sent, ++sent)), 200)
  t.teardown(() => clearInterval(drip))
  t.same(await stalled.answer, { error: 'ECONNRESET' }, 'the stalled body: its connection is closed')
  t.same(await trickle.answer, { error: 'ECONNRESET' }, 'so is the trickling one')
  t.ok(proc.lines.some((l) => String(l['msg']).startsWith('request body not received within REQUEST_TIMEOUT_SECONDS')), 'and the hook says why')
  clearInterval(drip)
  t.equal((await fetch(`${proc.base}/healthz`)).status, 200, 'others are served meanwhile')
  proc.child.kill('SIGTERM')
  const [code] = await proc.exited
  await silentClosed
  t.equal(code, 0, 'the silent connection did not hold the exit', { lines: proc.lines.filter((l) => l['level'] !== 20).map((l) => l['msg']) })
})

t.test('a bug that throws crashes the process at once, with its stack, instead of stopping gracefully', async (t) => {
  const proc = await start(t, {}, ['--import=./test/fixtures/bug-on-sigwinch.mjs'])
  proc.child.kill('SIGWINCH')
  const [code] = await proc.exited
  t.equal(code, 1)
  t.match(proc.err(), /Error: a bug, thrown on purpose\n\s+at /, 'the stack on stderr')
  t.notOk(proc.lines.some((l) => String(l['msg']).startsWith('shutting down')), 'no graceful stop: the Deployment restarts the pod')
})

t.test('a hung request cannot hold the exit past SHUTDOWN_TIMEOUT_SECONDS', async (t) => {
  const proc = await start(t, { REQUEST_TIMEOUT_SECONDS: '600', SHUTDOWN_TIMEOUT_SECONDS: '2' })
  const body = syncBody()
  const hung = openSync(proc.port, body)
  hung.req.write(body.subarray(0, 100))
  await proc.logged('request received')
  proc.child.kill('SIGTERM')
  const [code] = await proc.exited
  t.equal(code, 1, 'ended by the shutdown bound')
  t.match(proc.lines.find((l) => String(l['msg']).startsWith('shutdown took too long')), { level: 50, delayMs: 2000 }, 'and says so, at error, with the bound')
})

t.test('a second signal exits at once', async (t) => {
  const proc = await start(t, { SHUTDOWN_DELAY_SECONDS: '120', SHUTDOWN_TIMEOUT_SECONDS: '300' })
  proc.child.kill('SIGTERM')
  await proc.logged('shutting down')
  proc.child.kill('SIGINT')
  const [code] = await proc.exited
  t.equal(code, 1)
  t.match(proc.lines.find((l) => String(l['msg']).startsWith('second signal')), { signal: 'SIGINT' })
})

t.test('a bad setting stops start-up with a message naming the variable', async (t) => {
  const child = spawn(process.execPath, [...SERVER], {
    cwd: new URL('../', import.meta.url).pathname,
    env: { ...process.env, LOG_LEVEL: 'verbose' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  const [code] = (await once(child, 'exit')) as [number]
  t.equal(code, 2)
  t.equal(stderr, 'mcpregistry-hook: LOG_LEVEL="verbose" is not valid: use one of fatal, error, warn, info, debug, trace, silent\n')
})
