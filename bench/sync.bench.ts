/**
 * Benchmark of the hook, reported as ratios against baselines measured in the same run, so that the
 * numbers mean the same on any machine: `npm run bench`.
 *
 * - core: sync() on a realistic request (examples/sync-request.json: six observed children with
 *   last-applied annotations) vs. the floor of touching that request at all, a JSON parse + stringify.
 * - http: POST /sync through Fastify (inject) vs. GET /healthz through the same app.
 */
import { readFileSync } from 'node:fs'
import { buildApp } from '../src/http/app.js'
import { serialise, sync } from '../src/hook.js'
import type { SyncRequest } from '../src/schema/hook.js'
import { loadSettings } from '../src/settings.js'

const settings = loadSettings({})
const body = readFileSync(new URL('../examples/sync-request.json', import.meta.url), 'utf8')
const now = new Date('2026-11-22T00:00:00Z')

async function measure(name: string, fn: () => unknown | Promise<unknown>, ms = 1500): Promise<number> {
  for (let i = 0; i < 200; i++) await fn() // warm-up
  let n = 0
  const start = performance.now()
  while (performance.now() - start < ms) {
    for (let i = 0; i < 50; i++) await fn()
    n += 50
  }
  const perOp = (performance.now() - start) / n
  process.stdout.write(`${name.padEnd(44)} ${(1000 / perOp).toFixed(0).padStart(8)} ops/s  ${(perOp * 1000).toFixed(1).padStart(8)} µs/op\n`)
  return perOp
}

const jsonFloor = await measure('baseline: JSON.parse + JSON.stringify', () => JSON.stringify(JSON.parse(body)))
const core = await measure('sync() + canonical serialise', () => serialise(sync(JSON.parse(body) as SyncRequest, settings, now).response))

const app = buildApp({ settings })
await app.ready()
const health = await measure('baseline: GET /healthz (inject)', () => app.inject({ method: 'GET', url: '/healthz' }))
const http = await measure('POST /sync (inject)', () => app.inject({ method: 'POST', url: '/sync', headers: { 'content-type': 'application/json' }, payload: body }))
await app.close()

process.stdout.write(`\nrequest size ${body.length} bytes\n`)
process.stdout.write(`core: sync() costs ${(core / jsonFloor).toFixed(1)}x a JSON round trip of the request\n`)
process.stdout.write(`http: POST /sync costs ${(http / health).toFixed(1)}x a GET /healthz\n`)
