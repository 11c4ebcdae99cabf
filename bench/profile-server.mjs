/**
 * Where the production server's time goes: `npm run build && node bench/profile-server.mjs [SECONDS]`.
 * Starts dist/server.js under `node --cpu-prof`, loads it with autocannon (8 connections, the request of
 * `npm run bench`), stops it, and prints the functions with the most self time and the hook's own
 * functions by inclusive time, as shares of all samples (idle included). The .cpuprofile is kept in a
 * temporary directory (its path is printed) for Chrome's DevTools.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import autocannon from 'autocannon'

const seconds = Number(process.argv[2] ?? 10)
const body = readFileSync(new URL('../examples/sync-request.json', import.meta.url), 'utf8')
const dir = mkdtempSync(join(tmpdir(), 'mcpregistry-profile-'))
const port = 19_000 + Math.floor(Math.random() * 1000)
const server = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, new URL('../dist/server.js', import.meta.url).pathname], {
  env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
  stdio: 'ignore',
})
for (;;) {
  try {
    await fetch(`http://127.0.0.1:${port}/healthz`)
    break
  } catch {
    await sleep(100)
  }
}
const r = await autocannon({ url: `http://127.0.0.1:${port}/sync`, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections: 8, duration: seconds })
process.stdout.write(`${Math.round(r.requests.total / r.duration)} req/s over ${seconds} s\n`)
server.kill('SIGINT')
await new Promise((res) => server.on('exit', res))

const file = join(dir, readdirSync(dir)[0])
const profile = JSON.parse(readFileSync(file, 'utf8'))
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const parent = new Map()
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
const name = (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`
const self = new Map()
const inclusive = new Map()
for (const id of profile.samples) {
  const k = name(byId.get(id))
  self.set(k, (self.get(k) ?? 0) + 1)
  const seen = new Set()
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const key = name(byId.get(cur))
    if (!seen.has(key)) inclusive.set(key, (inclusive.get(key) ?? 0) + 1)
    seen.add(key)
  }
}
const total = profile.samples.length
const show = (m, filter, n) =>
  [...m].filter(([k]) => filter(k)).sort((a, b) => b[1] - a[1]).slice(0, n).forEach(([k, v]) => process.stdout.write(`${((v / total) * 100).toFixed(1).padStart(6)} %  ${k}\n`))
process.stdout.write('\nself time:\n')
show(self, () => true, 20)
process.stdout.write('\nthe hook\'s functions, inclusive:\n')
show(inclusive, (k) => k.includes(' dist/'), 20)
process.stdout.write(`\nprofile: ${file}\n`)
