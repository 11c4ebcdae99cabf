/**
 * `npm run bench`: the hook's cost, each figure next to a baseline measured in the same run, so that the
 * ratios mean the same on any machine (README "Performance"). Sections (BENCH_ONLY=http,etag,pure,size,memory
 * runs some of them; BENCH_SECONDS sets the length of each HTTP run, default 10; BENCH_CONNECTIONS=8 runs one
 * connection count):
 *
 * - http: the production server (dist/server.js, its logger included, writing to /dev/null) against a bare
 *   Fastify route with the same Fastify and body limit that parses the same request and answers a body of
 *   the hook's answer size (bench/baseline-server.mjs); autocannon at 1, 8 and 64 connections, a fresh
 *   process for each run; req/s, p50, p99 and the server's peak RSS.
 * - etag: the same request with the If-None-Match the hook's answer carried: 304 without a body, at 8
 *   connections, against the baseline at 8.
 * - pure: the pure function per call (JSON.parse, sync(), serialise) against a JSON.parse + JSON.stringify
 *   of the same request.
 * - size: the pure function's cost against the size of the request (related ConfigMaps of registry data, a
 *   1 MB configYAML, 50 user volumes), warm (the content caches hit, as in steady state) and cold (caches off).
 * - memory: the production server's RSS after 20,000 and after 200,000 requests, every request another
 *   registry (name and uid).
 */
/// <reference path="./autocannon.d.ts" />
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import autocannon, { type Result } from 'autocannon'
import { ContentCaches } from '../src/basics/content-cache.js'
import { buildApp } from '../src/http/app.js'
import { serialise, sync } from '../src/hook.js'
import type { SyncRequest } from '../src/schema/hook.js'
import { loadSettings } from '../src/settings.js'
import { BASE_TEXT, variedText, withConfigMaps, withLargeConfig, withVolumes } from './requests.js'

const root = new URL('../', import.meta.url).pathname
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10)
const ONLY = new Set((process.env['BENCH_ONLY'] ?? 'http,etag,pure,size,memory').split(','))
const CONNECTIONS = (process.env['BENCH_CONNECTIONS'] ?? '1,8,64').split(',').map(Number)
const MEMORY_REQUESTS = Number(process.env['BENCH_MEMORY_REQUESTS'] ?? 200_000)
const out = (s = ''): void => void process.stdout.write(`${s}\n`)
const ms = (n: number): string => n.toFixed(n < 10 ? 2 : 1)
const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })

// ---- servers ----

interface Server {
  proc: ChildProcess
  url: string
}

let nextPort = 18_400 + Math.floor(Math.random() * 1000)

async function startServer(kind: 'hook' | 'baseline', answerFile?: string): Promise<Server> {
  const port = nextPort++
  const proc =
    kind === 'hook'
      ? spawn(process.execPath, [join(root, 'dist/server.js')], { env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' }, stdio: 'ignore' })
      : spawn(process.execPath, [join(root, 'bench/baseline-server.mjs'), String(port), answerFile as string], { stdio: 'ignore' })
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; ; i++) {
    try {
      await fetch(`${url}/healthz`)
      break
    } catch {
      if (i > 300 || proc.exitCode !== null) throw new Error(`${kind} server did not start`)
      await sleep(100)
    }
  }
  return { proc, url }
}

async function stopServer(s: Server): Promise<void> {
  if (s.proc.exitCode !== null) return
  s.proc.kill('SIGKILL')
  await once(s.proc, 'exit')
}

/** A line of /proc/PID/status in MiB: VmHWM is the peak RSS, VmRSS the current one. */
function procMiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`)) as string
  return Number(/(\d+)/.exec(line)?.[1]) / 1024
}

const JSON_HEADERS = { 'content-type': 'application/json' }

interface Run {
  rps: number
  p50: number
  p99: number
  peakMiB: number
  codes: string
}

async function load(s: Server, connections: number, headers: Record<string, string> = {}): Promise<Run> {
  const opts = { url: `${s.url}/sync`, method: 'POST', headers: { ...JSON_HEADERS, ...headers }, body: BASE_TEXT, connections }
  await autocannon({ ...opts, duration: Math.min(3, SECONDS) }) // warm-up: JIT, caches, heap
  // latencies of every response, whatever its code (autocannon's own histogram has whole milliseconds and 2xx only)
  const latencies: number[] = []
  const instance = autocannon({ ...opts, duration: SECONDS })
  instance.on('response', (_client, _code, _bytes, ms) => void latencies.push(ms))
  const r: Result = await instance
  if (r.errors > 0 || r.timeouts > 0) throw new Error(`${r.errors} errors, ${r.timeouts} timeouts`)
  const codes = Object.entries(r.statusCodeStats).map(([c, v]) => `${c}×${v.count}`).join(' ')
  latencies.sort((a, b) => a - b)
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] as number
  return { rps: latencies.length / r.duration, p50: at(0.5), p99: at(0.99), peakMiB: procMiB(s.proc.pid as number, 'VmHWM'), codes }
}

async function oneRun(kind: 'hook' | 'baseline', connections: number, answerFile: string, headers?: Record<string, string>): Promise<Run> {
  const s = await startServer(kind, answerFile)
  try {
    return await load(s, connections, headers)
  } finally {
    await stopServer(s)
  }
}

// ---- pure function ----

function measure(fn: () => unknown, ms = 2000): number {
  const warm = performance.now()
  do fn()
  while (performance.now() - warm < Math.min(500, ms / 2))
  let n = 0
  const start = performance.now()
  while (performance.now() - start < ms) {
    fn()
    n++
  }
  return ((performance.now() - start) / n) * 1000 // µs
}

const settings = loadSettings({})
const now = new Date('2026-11-22T00:00:00Z')
/** The pure function as the server runs it: warm (the app's content caches, hit in steady state) or cold (none). */
const caches = new ContentCaches(settings.cacheEntries)
const pure = (text: string, warm = true) => () => serialise(sync(JSON.parse(text) as SyncRequest, settings, now, warm ? caches : undefined).response)
const roundTrip = (text: string) => () => JSON.stringify(JSON.parse(text))

// ---- the report ----

out(`# npm run bench, ${new Date().toISOString()}`)
out(`machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${fmt(totalmem() / 2 ** 30, 1)} GiB; Node ${process.version}; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
out(`request: examples/sync-request.json, ${fmt(Buffer.byteLength(BASE_TEXT))} bytes`)

const work = mkdtempSync(join(tmpdir(), 'mcpregistry-bench-'))
const answerFile = join(work, 'answer.json')
{
  const s = await startServer('hook')
  const res = await fetch(`${s.url}/sync`, { method: 'POST', headers: JSON_HEADERS, body: BASE_TEXT })
  const text = await res.text()
  writeFileSync(answerFile, text)
  await stopServer(s)
  out(`answer: ${fmt(Buffer.byteLength(text))} bytes (the baseline answers these bytes)`)
}

let baseline8: Run | undefined
if (ONLY.has('http') || ONLY.has('etag')) {
  out()
  out(`## HTTP: production server vs bare Fastify (autocannon, ${SECONDS} s a run after ${Math.min(3, SECONDS)} s of warm-up)`)
  out()
  out('| connections | hook req/s | baseline req/s | ratio | hook p50 / p99 ms | baseline p50 / p99 ms | hook peak RSS MiB | baseline peak RSS MiB |')
  out('|---|---|---|---|---|---|---|---|')
  for (const c of ONLY.has('http') ? CONNECTIONS : [8]) {
    const base = await oneRun('baseline', c, answerFile)
    if (c === 8) baseline8 = base
    if (!ONLY.has('http')) continue
    const hook = await oneRun('hook', c, answerFile)
    out(`| ${c} | ${fmt(hook.rps)} | ${fmt(base.rps)} | ${(hook.rps / base.rps).toFixed(2)} | ${ms(hook.p50)} / ${ms(hook.p99)} | ${ms(base.p50)} / ${ms(base.p99)} | ${fmt(hook.peakMiB)} | ${fmt(base.peakMiB)} |`)
  }
}

if (ONLY.has('etag')) {
  const s = await startServer('hook')
  try {
    const first = await fetch(`${s.url}/sync`, { method: 'POST', headers: JSON_HEADERS, body: BASE_TEXT })
    await first.text()
    const etag = first.headers.get('etag')
    if (etag === null) {
      out()
      out('ETag: the hook sends none')
    } else {
      const r = await load(s, 8, { 'if-none-match': etag })
      const base = baseline8 as Run
      out(`| 8, If-None-Match (${r.codes}) | ${fmt(r.rps)} | ${fmt(base.rps)} | ${(r.rps / base.rps).toFixed(2)} | ${ms(r.p50)} / ${ms(r.p99)} | ${ms(base.p50)} / ${ms(base.p99)} | ${fmt(r.peakMiB)} | ${fmt(base.peakMiB)} |`)
    }
  } finally {
    await stopServer(s)
  }
}

if (ONLY.has('pure')) {
  out()
  out('## Pure function vs JSON round trip of the same request (µs per call)')
  out()
  const json = measure(roundTrip(BASE_TEXT), 3000)
  const hook = measure(pure(BASE_TEXT), 3000)
  const cold = measure(pure(BASE_TEXT, false), 2000)
  const parse = measure(() => JSON.parse(BASE_TEXT), 2000)
  const answer = sync(JSON.parse(BASE_TEXT) as SyncRequest, settings, now, caches).response
  const ser = measure(() => serialise(answer), 2000)
  out('| JSON.parse + JSON.stringify | JSON.parse + sync() + serialise(), warm caches | ratio | the same, caches off | ratio | of which JSON.parse | serialise() |')
  out('|---|---|---|---|---|---|---|')
  out(`| ${fmt(json, 1)} | ${fmt(hook, 1)} | ${(hook / json).toFixed(2)} | ${fmt(cold, 1)} | ${(cold / json).toFixed(2)} | ${fmt(parse, 1)} | ${fmt(ser, 1)} |`)
}

if (ONLY.has('size')) {
  out()
  out('## Cost against size (pure function, µs per call)')
  out()
  const cases: [string, string][] = [
    ['the example (no registry data)', BASE_TEXT],
    ['1 ConfigMap of registry data', JSON.stringify(withConfigMaps(1))],
    ['10 ConfigMaps', JSON.stringify(withConfigMaps(10))],
    ['100 ConfigMaps', JSON.stringify(withConfigMaps(100))],
    ['1 MB configYAML', JSON.stringify(withLargeConfig(1_000_000))],
    ['50 user volumes', JSON.stringify(withVolumes(50))],
  ]
  out('| request | bytes | warm µs per call | ns per byte | cold µs per call | ns per byte | JSON round trip µs | warm / round trip |')
  out('|---|---|---|---|---|---|---|---|')
  const points: { bytes: number; warm: number; cold: number }[] = []
  for (const [name, text] of cases) {
    const bytes = Buffer.byteLength(text)
    const ms = bytes > 500_000 ? 3000 : 1500
    const warm = measure(pure(text), ms)
    // a cold call of a large config takes long: a few calls suffice
    const cold = bytes > 500_000 ? measure(pure(text, false), 1) : measure(pure(text, false), ms)
    const json = measure(roundTrip(text), ms / 2)
    if (name.includes('ConfigMap')) points.push({ bytes, warm, cold })
    out(`| ${name} | ${fmt(bytes)} | ${fmt(warm, 1)} | ${fmt((warm * 1000) / bytes, 1)} | ${fmt(cold, 1)} | ${fmt((cold * 1000) / bytes, 1)} | ${fmt(json, 1)} | ${(warm / json).toFixed(2)} |`)
  }
  type Point = (typeof points)[number]
  const slope = (a: Point, b: Point, k: 'warm' | 'cold') => (Math.log(b[k] / a[k]) / Math.log(b.bytes / a.bytes)).toFixed(2)
  const [p1, p10, p100] = points as [Point, Point, Point]
  out()
  for (const k of ['warm', 'cold'] as const) {
    out(`slope of log(time) against log(bytes), ConfigMaps, ${k}: 1→10 ${slope(p1, p10, k)}, 10→100 ${slope(p10, p100, k)}, 1→100 ${slope(p1, p100, k)} (1 = linear)`)
  }
}

if (ONLY.has('memory')) {
  out()
  out(`## Memory: RSS of the production server, every request another registry (name and uid)`)
  out()
  const s = await startServer('hook')
  try {
    let i = 0
    const requests = [{ method: 'POST', path: '/sync', headers: JSON_HEADERS, setupRequest: (req: object) => ({ ...req, body: variedText(i++) }) }]
    const run = async (amount: number): Promise<void> => {
      const r = await autocannon({ url: s.url, connections: 8, amount, requests })
      if (r.errors > 0 || r.non2xx > 0) throw new Error(`${r.errors} errors, ${r.non2xx} non-2xx`)
    }
    const first = MEMORY_REQUESTS / 10
    // RSS is read after 5 s without requests, when V8 has had time to collect (it cannot be told to from here)
    await run(first)
    await sleep(5000)
    const rss20 = procMiB(s.proc.pid as number, 'VmRSS')
    await run(MEMORY_REQUESTS - first)
    await sleep(5000)
    const rss200 = procMiB(s.proc.pid as number, 'VmRSS')
    out('| after requests | RSS MiB |')
    out('|---|---|')
    out(`| ${fmt(first)} | ${fmt(rss20, 1)} |`)
    out(`| ${fmt(MEMORY_REQUESTS)} | ${fmt(rss200, 1)} (${rss200 >= rss20 ? '+' : ''}${(((rss200 - rss20) / rss20) * 100).toFixed(1)} %) |`)
    out(`peak RSS ${fmt(procMiB(s.proc.pid as number, 'VmHWM'), 1)} MiB; ${i} distinct registries`)
  } finally {
    await stopServer(s)
  }
}

out()
out(`load average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
