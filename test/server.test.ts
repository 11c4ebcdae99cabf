/**
 * The process: starts from the environment, serves on the port, logs JSON, and stops cleanly on SIGTERM
 * with in-flight hooks finished. A bad setting stops start-up with a message naming the variable.
 */
import { spawn } from 'node:child_process'
import { request as httpRequest } from 'node:http'
import { createServer } from 'node:net'
import { once } from 'node:events'
import t from 'tap'
import { MINIMAL_CONFIG, request } from './fixtures/helpers.js'

async function freePort(): Promise<number> {
  const srv = createServer().listen(0, '127.0.0.1')
  await once(srv, 'listening')
  const { port } = srv.address() as { port: number }
  srv.close()
  return port
}

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import=@tapjs/typescript/import', 'src/server.ts'], {
    cwd: new URL('../', import.meta.url).pathname,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>
  return { child, exited, out: () => stdout, err: () => stderr }
}

t.test('serves, then shuts down gracefully on SIGTERM', async (t) => {
  const port = await freePort()
  const proc = start({ PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' })
  t.teardown(() => {
    if (proc.child.exitCode === null) proc.child.kill('SIGKILL')
  })
  const base = `http://127.0.0.1:${port}`
  let healthy = false
  for (let i = 0; i < 100 && !healthy; i++) {
    healthy = await fetch(`${base}/healthz`).then((r) => r.ok, () => false)
    if (!healthy) await new Promise((r) => setTimeout(r, 100))
  }
  t.ok(healthy, '/healthz answers within 10 s')
  const res = await fetch(`${base}/sync`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request({ configYAML: MINIMAL_CONFIG })) })
  t.equal(res.status, 200)
  t.equal(((await res.json()) as { children: unknown[] }).children.length, 6)

  proc.child.kill('SIGTERM')
  const [code] = await proc.exited
  t.equal(code, 0, 'exit 0 after SIGTERM')
  const lines = proc.out().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)
  t.match(lines.find((l) => l['msg'] === 'ready'), { service: 'mcpregistry-hook', image: 'ghcr.io/stacklok/thv-registry-api:v1.5.3' })
  t.match(lines.find((l) => l['msg'] === 'sync'), { namespace: 'ns1', name: 'reg', phase: 'Pending' })
  t.match(lines.find((l) => l['msg'] === 'shutting down: finishing in-flight hooks'), { signal: 'SIGTERM' })
  t.rejects(fetch(`${base}/healthz`), 'the port is closed')
})

t.test('a hook call in flight when SIGTERM arrives still gets its answer', async (t) => {
  const port = await freePort()
  const proc = start({ PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' })
  t.teardown(() => {
    if (proc.child.exitCode === null) proc.child.kill('SIGKILL')
  })
  for (let i = 0; i < 100; i++) {
    if (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)) break
    await new Promise((r) => setTimeout(r, 100))
  }
  const body = Buffer.from(JSON.stringify(request({ configYAML: MINIMAL_CONFIG })))
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/sync', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      let text = ''
      res.on('data', (d) => (text += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
    })
    req.on('error', reject)
    // half the body now, SIGTERM, the rest a moment later
    req.write(body.subarray(0, 100))
    setTimeout(() => {
      proc.child.kill('SIGTERM')
      setTimeout(() => req.end(body.subarray(100)), 300)
    }, 200)
  })
  const res = await answer
  t.equal(res.status, 200, 'the in-flight call is answered')
  t.equal((JSON.parse(res.text) as { children: unknown[] }).children.length, 6)
  const [code] = await proc.exited
  t.equal(code, 0, 'then the process exits cleanly')
})

t.test('a bad setting stops start-up with a message naming the variable', async (t) => {
  const proc = start({ LOG_LEVEL: 'verbose' })
  const [code] = await proc.exited
  t.equal(code, 2)
  t.equal(proc.err(), 'mcpregistry-hook: LOG_LEVEL="verbose" is not valid: use one of fatal, error, warn, info, debug, trace, silent\n')
})
