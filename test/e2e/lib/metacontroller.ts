/**
 * A test-only stand-in for Metacontroller, which CI cannot build (its module path is not fetchable). It
 * follows the CompositeController contract of metacontroller-contract.md §2–§4 and the code of
 * Metacontroller v4.17.2 (pkg/controller/composite) where the two say more than the contract, talking to a
 * real API server as the ServiceAccount metacontroller/metacontroller, so metacontroller/rbac.yaml is what
 * it is allowed to do:
 *
 * - start-up: lists and watches compositecontrollers, decoratorcontrollers, controllerrevisions, CRDs and
 *   namespaces; reads its CompositeController through the API; checks the parent CRD has a status
 *   subresource; then lists and watches the parent and every child type (shared informers);
 * - triggers, as Metacontroller's event handlers: parent added, changed (its own status writes included) or
 *   deleted; an owned child added, changed (new resourceVersion) or deleted; an orphan whose labels match a
 *   parent; a ConfigMap named by a parent's customize answer; `resyncAfterSeconds` (delayed re-queue, the
 *   earliest wins); `resyncPeriodSeconds` (at least 1 s), else the informer resync every
 *   `cacheFlushSeconds` (--cache-flush-interval, 30 min). A work queue holds each parent once, never
 *   syncs one parent twice at a time, and backs off exponentially after a sync error;
 * - a client-side token bucket over every request, watches included: --client-go-qps 5, --client-go-burst
 *   10 by default, settable;
 * - per sync, in Metacontroller's order: the parent from the informer cache; the finalizer
 *   `metacontroller.io/compositecontroller-<name>` added (GET + PUT, the live parent used from then on)
 *   unless the parent is being deleted; children claimed (owned ones with the `controller-uid` label;
 *   matching orphans adopted, owned ones that stopped matching released); the customize hook (cached per
 *   parent uid and generation) and `related` from the informer cache; the sync or finalize hook; on
 *   `finalized: true` the finalizer removed (GET + PUT), after which the re-read parent no longer has it and
 *   the child list is not applied; children managed (deleted with a uid precondition and background
 *   propagation, created with the last-applied annotation and a controller ownerReference, updated InPlace
 *   with the dynamic-apply 3-way merge only when the merge differs from the live object); then the status:
 *   always a GET of the live parent, a PUT of /status with observedGeneration only when it differs.
 *
 * What it does not do is listed in test/e2e/README.md.
 */
import { readFileSync } from 'node:fs'
import { Agent, request as httpsRequest } from 'node:https'
import { request as httpRequest } from 'node:http'
import { isDeepStrictEqual } from 'node:util'
import { parse } from 'yaml'

type Obj = Record<string, any>

export const LAST_APPLIED = 'metacontroller.k8s.io/last-applied-configuration'
const SYSTEM_FIELDS = ['selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields']
const MERGE_KEYS = ['containerPort', 'port', 'mountPath', 'name', 'uid', 'ip', 'path']

// ---- dynamic apply (contract §2 "Apply semantics"), written from its description ----

/** JSON with object keys sorted, as Go's encoding/json writes a map (the last-applied annotation). */
export function goJson(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sort) : isMap(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort(v[k])])) : v
  return JSON.stringify(sort(value))
}

function isMap(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function listMapKey(...lists: (unknown[] | undefined)[]): string | undefined {
  let common: Set<string> | undefined
  for (const list of lists) {
    for (const item of list ?? []) {
      if (!isMap(item)) return undefined
      if (common === undefined) common = new Set(Object.keys(item))
      else for (const k of [...common]) if (!(k in item)) common.delete(k)
    }
  }
  return MERGE_KEYS.find((k) => common?.has(k))
}

function mergeValue(dest: unknown, last: unknown, desired: unknown): unknown {
  if (isMap(dest)) return mergeObject(dest, isMap(last) ? last : undefined, isMap(desired) ? desired : {})
  if (Array.isArray(dest) && Array.isArray(desired)) {
    const lastList = Array.isArray(last) ? last : undefined
    const key = listMapKey(dest, lastList, desired)
    if (key === undefined) return desired
    const asMap = (l: unknown[] | undefined): Obj => Object.fromEntries((l ?? []).map((i) => [String((i as Obj)[key]), i]))
    const destMap = mergeObject(asMap(dest), asMap(lastList), asMap(desired))
    const out: unknown[] = []
    const added = new Set<string>()
    for (const item of [...dest, ...desired]) {
      const k = String((item as Obj)[key])
      if (!added.has(k) && k in destMap) {
        out.push(destMap[k])
        added.add(k)
      }
    }
    return out
  }
  return desired
}

function mergeObject(dest: Obj, last: Obj | undefined, desired: Obj): Obj {
  for (const k of Object.keys(last ?? {})) if (!(k in desired)) delete dest[k]
  for (const [k, v] of Object.entries(desired)) dest[k] = mergeValue(dest[k], last?.[k], v)
  return dest
}

/** The object Metacontroller would PUT for `live`, given what it applied last time and what is desired now. */
export function threeWayMerge(live: Obj, desired: Obj): Obj {
  let last: Obj | undefined
  const raw = live['metadata']?.['annotations']?.[LAST_APPLIED]
  if (typeof raw === 'string' && raw !== '') last = JSON.parse(raw) as Obj
  const merged = mergeObject(structuredClone(live), last, desired)
  merged['metadata']['annotations'] = { ...(merged['metadata']['annotations'] ?? {}), [LAST_APPLIED]: goJson(desired) }
  for (const f of SYSTEM_FIELDS) {
    if (live['metadata'][f] === undefined) delete merged['metadata'][f]
    else merged['metadata'][f] = live['metadata'][f]
  }
  if (live['status'] === undefined) delete merged['status']
  else merged['status'] = live['status']
  return merged
}

// ---- API access ----

export interface ApiResult {
  status: number
  body: Obj
}

/**
 * client-go's token bucket (flowcontrol.NewTokenBucketRateLimiter): starts full with `burst` tokens,
 * refills at `qps` per second; a request waits for its token in the order it asked.
 */
export class TokenBucket {
  private tokens: number
  private last = performance.now()
  constructor(
    readonly qps: number,
    readonly burst: number,
  ) {
    this.tokens = burst
  }

  async take(): Promise<void> {
    const now = performance.now()
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.qps) / 1000)
    this.last = now
    this.tokens -= 1
    if (this.tokens < 0) await new Promise((r) => setTimeout(r, (-this.tokens * 1000) / this.qps))
  }
}

export type WatchEvent = { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'; object: Obj }

export class Api {
  private readonly agent: Agent
  private limiter: TokenBucket | undefined
  /** Requests made, by verb (GET also counts lists and watches). */
  readonly requests: Record<string, number> = {}
  constructor(
    private readonly server: string,
    private readonly token: string,
    private readonly ca: string,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: 64, ca })
  }

  /** Client-side rate limit for every later request, watches included (client-go's --client-go-qps/burst). */
  limit(qps: number, burst: number): void {
    this.limiter = new TokenBucket(qps, burst)
  }

  /** One request; a 429 with Retry-After is retried after that delay, up to 10 times, as client-go does. */
  async call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<ApiResult> {
    for (let attempt = 0; ; attempt++) {
      const r = await this.once(method, path, body, contentType)
      if (r.status !== 429 || r.retryAfter === undefined || attempt >= 10) return { status: r.status, body: r.body }
      await new Promise((res) => setTimeout(res, r.retryAfter! * 1000))
    }
  }

  private async once(method: string, path: string, body: unknown, contentType: string): Promise<ApiResult & { retryAfter?: number }> {
    await this.limiter?.take()
    this.requests[method] = (this.requests[method] ?? 0) + 1
    const url = new URL(path, this.server)
    const payload = body === undefined ? undefined : JSON.stringify(body)
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        url,
        {
          method,
          agent: this.agent,
          timeout: 30_000,
          headers: {
            Authorization: `Bearer ${this.token}`,
            Accept: 'application/json',
            ...(payload !== undefined ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) } : {}),
          },
        },
        (res) => {
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (d) => (text += d))
          res.on('end', () => {
            let parsed: Obj = {}
            try {
              parsed = text === '' ? {} : (JSON.parse(text) as Obj)
            } catch {
              parsed = { message: text }
            }
            const after = Number(res.headers['retry-after'])
            resolve({ status: res.statusCode ?? 0, body: parsed, ...(Number.isFinite(after) && res.headers['retry-after'] !== undefined ? { retryAfter: after } : {}) })
          })
        },
      )
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout`)))
      req.on('error', reject)
      if (payload !== undefined) req.write(payload)
      req.end()
    })
  }

  async ok(method: string, path: string, body?: unknown): Promise<Obj> {
    const r = await this.call(method, path, body)
    if (r.status < 200 || r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.body['message'] ?? ''}`)
    return r.body
  }

  /**
   * A watch request: resolves once the response starts (rejects on a non-200 answer, e.g. 403), then calls
   * `onEvent` for each event until the server ends the watch (`onEnd`) or `abort()` is called.
   */
  async watch(path: string, onEvent: (e: WatchEvent) => void, onEnd: (err?: Error) => void): Promise<{ abort(): void }> {
    await this.limiter?.take()
    this.requests['WATCH'] = (this.requests['WATCH'] ?? 0) + 1
    const url = new URL(path, this.server)
    return new Promise((resolve, reject) => {
      let started = false
      let ended = false
      const end = (err?: Error) => {
        if (ended) return
        ended = true
        if (started) onEnd(err)
        else reject(err ?? new Error(`watch ${path}: closed`))
      }
      // a separate connection: a watch holds its socket for minutes
      const req = httpsRequest(url, { method: 'GET', ca: this.ca, agent: false, headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/json' } }, (res) => {
        if (res.statusCode !== 200) {
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (d) => (text += d))
          res.on('end', () => {
            let message = text
            try {
              message = (JSON.parse(text) as Obj)['message'] ?? text
            } catch {
              // keep the text
            }
            end(new Error(`watch ${path}: ${res.statusCode} ${message}`))
          })
          return
        }
        started = true
        resolve({ abort: () => req.destroy() })
        let buffer = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => {
          buffer += d
          for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
            const line = buffer.slice(0, nl)
            buffer = buffer.slice(nl + 1)
            if (line.trim() !== '') onEvent(JSON.parse(line) as WatchEvent)
          }
        })
        res.on('end', () => end())
        res.on('error', (e) => end(e))
        res.on('close', () => end())
      })
      req.on('error', (e) => end(e))
      req.end()
    })
  }

  close(): void {
    this.agent.destroy()
  }
}

/**
 * A webhook's ETag mode (contract §2 "ETag mode"; Metacontroller's pkg/hooks/webhook_etag.go): the last 200
 * body and its ETag per parent (kind, namespace, name), for cacheTimeoutSeconds (0 or unset: for ever);
 * If-None-Match is sent when an entry is there, and a 304 or 412 to it reuses the cached body.
 */
export class EtagCache {
  private readonly entries = new Map<string, { etag: string; body: string; expires: number }>()
  /** If-None-Match sent, answers reused after a 304 or 412, and 200 answers stored. */
  readonly counts = { ifNoneMatch: 0, notModified: 0, stored: 0 }
  constructor(private readonly timeoutSeconds: number) {}

  get(key: string): { etag: string; body: string } | undefined {
    const e = this.entries.get(key)
    if (e === undefined || e.expires < Date.now()) return undefined
    return e
  }

  set(key: string, etag: string, body: string): void {
    this.counts.stored++
    this.entries.set(key, { etag, body, expires: this.timeoutSeconds > 0 ? Date.now() + this.timeoutSeconds * 1000 : Infinity })
  }
}

/** POST JSON to a hook URL; resolves with the parsed body of a 200, rejects otherwise (a sync error). */
function postHook(url: string, body: unknown, timeoutMs: number, etag?: { cache: EtagCache; key: string }): Promise<Obj> {
  const payload = JSON.stringify(body)
  const cached = etag?.cache.get(etag.key)
  if (cached !== undefined) etag!.cache.counts.ifNoneMatch++
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }
    if (cached !== undefined) headers['If-None-Match'] = cached.etag
    const req = httpRequest(url, { method: 'POST', timeout: timeoutMs, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (text += d))
      res.on('end', () => {
        const reused = cached !== undefined && (res.statusCode === 304 || res.statusCode === 412)
        if (res.statusCode !== 200 && !reused) return reject(new Error(`hook ${url}: unsupported status code ${res.statusCode}: ${text.slice(0, 300)}`))
        if (reused) {
          // the entry read before the call (Metacontroller reads it again; nothing else writes it meanwhile)
          etag!.cache.counts.notModified++
          text = cached.body
        } else if (etag !== undefined && typeof res.headers['etag'] === 'string' && res.headers['etag'] !== '') {
          etag.cache.set(etag.key, res.headers['etag'], text)
        }
        try {
          resolve(JSON.parse(text) as Obj)
        } catch (e) {
          reject(new Error(`hook ${url}: can't unmarshal response: ${(e as Error).message}`))
        }
      })
    })
    req.on('timeout', () => req.destroy(new Error(`hook ${url}: timeout`)))
    req.on('error', reject)
    req.end(payload)
  })
}

// ---- informers and the work queue ----

interface Handlers {
  add?: (obj: Obj) => void
  update?: (old: Obj, cur: Obj) => void
  delete?: (obj: Obj) => void
}

const keyOf = (o: Obj): string => (o['metadata']['namespace'] ? `${o['metadata']['namespace']}/${o['metadata']['name']}` : o['metadata']['name'])

/** A shared informer: one list, then a watch from its resourceVersion; relists on 410 Gone; an object cache. */
class Informer {
  readonly cache = new Map<string, Obj>()
  private readonly handlers: Handlers[] = []
  private running = false
  private current: { abort(): void } | undefined
  private rv = ''
  constructor(
    private readonly api: Api,
    private readonly path: string,
    private readonly stamp: { apiVersion: string; kind: string } | undefined,
    private readonly log: (s: string) => void,
  ) {}

  on(h: Handlers): void {
    this.handlers.push(h)
    for (const o of this.cache.values()) h.add?.(o)
  }

  private stamped(o: Obj): Obj {
    return this.stamp === undefined ? o : { ...o, apiVersion: this.stamp.apiVersion, kind: this.stamp.kind }
  }

  /** Lists and starts watching; rejects when the list or the first watch is refused (RBAC). */
  async start(): Promise<void> {
    this.running = true
    await this.list()
    await this.watch()
  }

  private async list(): Promise<void> {
    const body = await this.api.ok('GET', this.path)
    const seen = new Set<string>()
    for (const raw of body['items'] as Obj[]) {
      const o = this.stamped(raw)
      const k = keyOf(o)
      seen.add(k)
      const old = this.cache.get(k)
      this.cache.set(k, o)
      for (const h of this.handlers) {
        if (old === undefined) h.add?.(o)
        else h.update?.(old, o)
      }
    }
    for (const [k, old] of [...this.cache]) {
      if (seen.has(k)) continue
      this.cache.delete(k)
      for (const h of this.handlers) h.delete?.(old)
    }
    this.rv = body['metadata']['resourceVersion']
  }

  private async watch(): Promise<void> {
    const sep = this.path.includes('?') ? '&' : '?'
    // client-go's reflector asks for a timeout between 5 and 10 minutes
    const timeout = 300 + Math.floor(Math.random() * 300)
    let gone = false
    this.current = await this.api.watch(
      `${this.path}${sep}watch=true&allowWatchBookmarks=true&resourceVersion=${this.rv}&timeoutSeconds=${timeout}`,
      (e) => {
        if (e.type === 'ERROR') {
          gone = e.object['code'] === 410
          return
        }
        this.rv = e.object['metadata']?.['resourceVersion'] ?? this.rv
        if (e.type === 'BOOKMARK') return
        const o = this.stamped(e.object)
        const k = keyOf(o)
        const old = this.cache.get(k)
        if (e.type === 'DELETED') {
          this.cache.delete(k)
          for (const h of this.handlers) h.delete?.(o)
          return
        }
        this.cache.set(k, o)
        for (const h of this.handlers) {
          if (old === undefined) h.add?.(o)
          else h.update?.(old, o)
        }
      },
      (err) => {
        if (!this.running) return
        if (err !== undefined) this.log(`watch ${this.path} ended: ${err.message}`)
        void this.rewatch(gone)
      },
    )
  }

  private async rewatch(relist: boolean): Promise<void> {
    for (let delay = 100; this.running; delay = Math.min(delay * 2, 5000)) {
      try {
        if (relist) await this.list()
        await this.watch()
        return
      } catch (e) {
        this.log(`watch ${this.path}: ${(e as Error).message}`)
        relist = true
        await new Promise((r) => setTimeout(r, delay))
      }
    }
  }

  stop(): void {
    this.running = false
    this.current?.abort()
  }
}

/** client-go's rate-limited work queue: a key is queued once, never processed twice at the same time. */
class WorkQueue {
  private readonly queue: string[] = []
  private readonly dirty = new Set<string>()
  private readonly processing = new Set<string>()
  private readonly waiting = new Map<string, { at: number; timer: NodeJS.Timeout }>()
  private readonly failures = new Map<string, number>()
  private readonly getters: ((k: string | undefined) => void)[] = []
  private idle: (() => void)[] = []
  private shut = false

  add(key: string): void {
    if (this.shut || this.dirty.has(key)) return
    this.dirty.add(key)
    if (this.processing.has(key)) return
    const getter = this.getters.shift()
    if (getter !== undefined) {
      this.dirty.delete(key)
      this.processing.add(key)
      getter(key)
    } else this.queue.push(key)
  }

  /** AddAfter: the earliest of several requested times wins. */
  addAfter(key: string, ms: number): void {
    if (this.shut) return
    if (ms <= 0) return this.add(key)
    const at = Date.now() + ms
    const w = this.waiting.get(key)
    if (w !== undefined && w.at <= at) return
    if (w !== undefined) clearTimeout(w.timer)
    const timer = setTimeout(() => {
      this.waiting.delete(key)
      this.add(key)
    }, ms)
    this.waiting.set(key, { at, timer })
  }

  /** AddRateLimited with the per-item exponential backoff (5 ms doubling, at most 1000 s). */
  addRateLimited(key: string): void {
    const n = this.failures.get(key) ?? 0
    this.failures.set(key, n + 1)
    this.addAfter(key, Math.min(5 * 2 ** n, 1_000_000))
  }

  forget(key: string): void {
    this.failures.delete(key)
  }

  get(): Promise<string | undefined> {
    if (this.shut) return Promise.resolve(undefined)
    const key = this.queue.shift()
    if (key !== undefined) {
      this.dirty.delete(key)
      this.processing.add(key)
      return Promise.resolve(key)
    }
    return new Promise((r) => this.getters.push(r))
  }

  done(key: string): void {
    this.processing.delete(key)
    if (this.dirty.has(key)) {
      this.dirty.delete(key)
      this.add(key)
    }
    if (this.queue.length === 0 && this.processing.size === 0) {
      for (const f of this.idle.splice(0)) f()
    }
  }

  /** Resolves when nothing is queued or being processed (delayed keys do not count). */
  drained(): Promise<void> {
    if (this.queue.length === 0 && this.processing.size === 0) return Promise.resolve()
    return new Promise((r) => this.idle.push(r))
  }

  shutDown(): void {
    this.shut = true
    for (const w of this.waiting.values()) clearTimeout(w.timer)
    this.waiting.clear()
    for (const g of this.getters.splice(0)) g(undefined)
    for (const f of this.idle.splice(0)) f()
  }
}
// ---- the controller ----

interface ResourceInfo {
  apiVersion: string
  resource: string
  kind: string
  namespaced: boolean
  /** `Kind.apiVersion` (contract §2). */
  typeKey: string
  method: string
}

function collectionPath(info: { apiVersion: string; resource: string }, namespace?: string): string {
  const base = info.apiVersion.includes('/') ? `/apis/${info.apiVersion}` : `/api/${info.apiVersion}`
  return namespace === undefined ? `${base}/${info.resource}` : `${base}/namespaces/${namespace}/${info.resource}`
}

const MC = 'metacontroller.k8s.io/v1alpha1'
/** What Metacontroller lists and watches besides the parent and children (its own types, CRDs, namespaces). */
const WATCHED = [
  { apiVersion: MC, resource: 'compositecontrollers' },
  { apiVersion: MC, resource: 'decoratorcontrollers' },
  { apiVersion: MC, resource: 'controllerrevisions' },
  { apiVersion: 'apiextensions.k8s.io/v1', resource: 'customresourcedefinitions' },
  { apiVersion: 'v1', resource: 'namespaces' },
]

export interface StandInOptions {
  api: Api
  /**
   * Path of metacontroller/compositecontroller.yaml: gives the controller's name. The controller itself is
   * read through the API (it must have been applied), as Metacontroller reads it.
   */
  controllerFile: string
  /** Base URL of the hook (the CompositeController's service URLs point into a cluster). */
  hookBaseUrl: string
  /** Client-side rate limit, as Metacontroller's --client-go-qps / --client-go-burst (default 5 / 10). */
  qps?: number
  burst?: number
  /** Sync workers, as --workers (default 5). */
  workers?: number
  /** Informer resync, as --cache-flush-interval (default 1800 s): every parent is synced this often. */
  cacheFlushSeconds?: number
  /** No longer used: the stand-in is driven by watch events. Accepted so that older callers compile. */
  intervalMs?: number
  log?: (s: string) => void
}

export interface SyncErrorRecord {
  parent: string
  message: string
}

export class MetacontrollerStandIn {
  /** The CompositeController as read from the API server (set by start()). */
  controller: Obj
  private readonly api: Api
  readonly hookBase: string
  private readonly workers: number
  private readonly cacheFlushMs: number
  private readonly log: (s: string) => void
  private parentInfo!: ResourceInfo
  private children: ResourceInfo[] = []
  private readonly customizeCache = new Map<string, Obj[]>()
  private readonly discovered = new Map<string, ResourceInfo>()
  private informers = new Map<string, Informer>()
  private parents!: Informer
  private queue = new WorkQueue()
  private loops: Promise<void>[] = []
  private timers: NodeJS.Timeout[] = []
  /** Hook and apply errors, newest last (the SyncError events Metacontroller would emit). */
  readonly errors: SyncErrorRecord[] = []
  /** How many hook calls were made, by hook name. */
  readonly calls: Record<string, number> = { sync: 0, finalize: 0, customize: 0 }
  /** The ETag caches of the hooks whose webhook enables ETag mode, by hook name (set by start()). */
  readonly etagCaches = new Map<string, EtagCache>()
  /** Writes, by kind (create, update, delete of children; status; finalizer), to show that a converged registry is quiet. */
  readonly writes: Record<string, number> = { create: 0, update: 0, delete: 0, status: 0, finalizer: 0 }

  constructor(opts: StandInOptions) {
    this.controller = parse(readFileSync(opts.controllerFile, 'utf8')) as Obj
    this.api = opts.api
    this.api.limit(opts.qps ?? 5, opts.burst ?? 10)
    this.hookBase = opts.hookBaseUrl
    this.workers = opts.workers ?? 5
    this.cacheFlushMs = (opts.cacheFlushSeconds ?? 1800) * 1000
    this.log = opts.log ?? (() => {})
  }

  private get name(): string {
    return this.controller['metadata']['name'] as string
  }

  private get finalizer(): string {
    return `metacontroller.io/compositecontroller-${this.name}`
  }

  private hookUrl(hook: string): string | undefined {
    const webhook = this.controller['spec']['hooks']?.[hook]?.['webhook']
    if (webhook === undefined) return undefined
    return new URL(webhook['path'] ?? new URL(webhook['url']).pathname, this.hookBase).toString()
  }

  private hookTimeout(hook: string): number {
    const t = String(this.controller['spec']['hooks']?.[hook]?.['webhook']?.['timeout'] ?? '10s')
    const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(t)
    if (m === null) return 10_000
    return Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60_000)
  }

  /** Discovery: Kind and scope of every resource the controller names. */
  private async discover(apiVersion: string, resource: string, method = 'OnDelete'): Promise<ResourceInfo> {
    const cached = this.discovered.get(`${apiVersion}/${resource}/${method}`)
    if (cached !== undefined) return cached
    const list = await this.api.ok('GET', apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`)
    const found = (list['resources'] as Obj[]).find((r) => r['name'] === resource)
    if (found === undefined) throw new Error(`discovery: ${resource} not served in ${apiVersion}`)
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion]
    const info: ResourceInfo = {
      apiVersion,
      resource,
      kind: found['kind'],
      namespaced: found['namespaced'],
      typeKey: `${found['kind']}.${group ? `${group}/` : ''}${version}`,
      method,
    }
    this.discovered.set(`${apiVersion}/${resource}/${method}`, info)
    return info
  }

  private informer(info: { apiVersion: string; resource: string }, stamp?: { apiVersion: string; kind: string }): Informer {
    const key = `${info.apiVersion}/${info.resource}`
    let inf = this.informers.get(key)
    if (inf === undefined) {
      inf = new Informer(this.api, collectionPath(info), stamp, this.log)
      this.informers.set(key, inf)
    }
    return inf
  }

  /**
   * Starts like Metacontroller: list and watch its own types, the CRDs and namespaces, read the
   * CompositeController through the API, check the parent CRD has a status subresource, then list and
   * watch the parent and every child type and start the workers. Rejects when any of that is forbidden.
   */
  async start(): Promise<void> {
    this.queue = new WorkQueue()
    this.informers = new Map()
    for (const w of WATCHED) await this.informer(w).start()
    const name = this.name
    const cc = this.informers.get(`${MC}/compositecontrollers`)?.cache.get(name)
    if (cc === undefined) throw new Error(`CompositeController ${name} not found through the API (apply metacontroller/compositecontroller.yaml first)`)
    this.controller = await this.api.ok('GET', `/apis/${MC}/compositecontrollers/${name}`)
    const spec = this.controller['spec']
    if (spec['generateSelector'] !== true) throw new Error('the stand-in supports generateSelector: true only')
    const [group, version] = String(spec['parentResource']['apiVersion']).split('/')
    const crd = this.informers.get('apiextensions.k8s.io/v1/customresourcedefinitions')?.cache.get(`${spec['parentResource']['resource']}.${group}`)
    const served = (crd?.['spec']['versions'] ?? []).find((v: Obj) => v['name'] === version)
    if (served?.['subresources']?.['status'] === undefined) throw new Error(`the parent CRD ${spec['parentResource']['resource']}.${group} has no status subresource for ${version}`)

    this.parentInfo = await this.discover(spec['parentResource']['apiVersion'], spec['parentResource']['resource'])
    this.children = []
    for (const c of spec['childResources'] ?? []) {
      this.children.push(await this.discover(c['apiVersion'], c['resource'], c['updateStrategy']?.['method'] ?? 'OnDelete'))
    }
    // one ETag cache per hook with ETag mode on, kept while the controller runs (rebuilt on a restart)
    this.etagCaches.clear()
    for (const [hook, def] of Object.entries((spec['hooks'] ?? {}) as Obj)) {
      const etag = def?.['webhook']?.['etag']
      if (etag?.['enabled'] === true) this.etagCaches.set(hook, new EtagCache(Number(etag['cacheTimeoutSeconds'] ?? 0)))
    }
    this.parents = this.informer(this.parentInfo, this.parentInfo)
    await this.parents.start()
    for (const info of this.children) await this.informer(info, info).start()

    // event handlers (contract §2 "When the hook is called")
    const enqueue = (p: Obj) => this.queue.add(keyOf(p))
    this.parents.on({ add: enqueue, update: (_old, cur) => enqueue(cur), delete: enqueue })
    for (const info of this.children) {
      this.informer(info).on({
        add: (o) => this.onChild(o),
        update: (old, cur) => {
          if (old['metadata']['resourceVersion'] !== cur['metadata']['resourceVersion']) this.onChild(cur)
          if (info.typeKey === 'ConfigMap.v1') this.onRelated(cur)
        },
        delete: (o) => {
          const ref = this.controllerRef(o)
          const p = ref === undefined ? undefined : this.resolve(o['metadata']['namespace'], ref)
          if (p !== undefined) enqueue(p)
          if (info.typeKey === 'ConfigMap.v1') this.onRelated(o)
        },
      })
      if (info.typeKey === 'ConfigMap.v1') this.informer(info).on({ add: (o) => this.onRelated(o) })
    }
    // resyncs: resyncPeriodSeconds (at least 1 s) for the parent, else the informer's, --cache-flush-interval
    const period = spec['resyncPeriodSeconds'] !== undefined ? Math.max(1, Number(spec['resyncPeriodSeconds'])) * 1000 : this.cacheFlushMs
    this.timers.push(setInterval(() => this.resyncAll(), period))
    this.loops = Array.from({ length: this.workers }, () => this.worker())
  }

  /** Every parent queued, as on an informer resync. */
  private resyncAll(): void {
    for (const p of this.parents.cache.values()) this.queue.add(keyOf(p))
  }

  /** Queues every parent and resolves when the queue has drained (one pass over everything). */
  async syncAll(): Promise<void> {
    this.resyncAll()
    await this.queue.drained()
  }

  async stop(): Promise<void> {
    for (const t of this.timers.splice(0)) clearInterval(t)
    this.queue.shutDown()
    await Promise.all(this.loops)
    for (const inf of this.informers.values()) inf.stop()
  }

  private async worker(): Promise<void> {
    for (let key = await this.queue.get(); key !== undefined; key = await this.queue.get()) {
      try {
        await this.sync(key)
        this.queue.forget(key)
      } catch (e) {
        this.errors.push({ parent: key, message: (e as Error).message })
        this.log(`sync error ${key}: ${(e as Error).message}`)
        this.queue.addRateLimited(key)
      } finally {
        this.queue.done(key)
      }
    }
  }

  private controllerRef(o: Obj): Obj | undefined {
    return (o['metadata']['ownerReferences'] ?? []).find((r: Obj) => r['controller'] === true)
  }

  private resolve(namespace: string, ref: Obj): Obj | undefined {
    if (ref['kind'] !== this.parentInfo.kind || ref['apiVersion'].split('/')[0] !== this.parentInfo.apiVersion.split('/')[0]) return undefined
    const p = this.parents.cache.get(`${namespace}/${ref['name']}`)
    return p !== undefined && p['metadata']['uid'] === ref['uid'] ? p : undefined
  }

  private onChild(o: Obj): void {
    const ref = this.controllerRef(o)
    if (ref !== undefined) {
      const p = this.resolve(o['metadata']['namespace'], ref)
      if (p !== undefined) this.queue.add(keyOf(p))
      return
    }
    if (o['metadata']['deletionTimestamp'] !== undefined) return
    // an orphan: every parent whose selector (controller-uid) matches may adopt it
    const uid = o['metadata']['labels']?.['controller-uid']
    for (const p of this.parents.cache.values()) {
      if (p['metadata']['namespace'] === o['metadata']['namespace'] && p['metadata']['uid'] === uid) this.queue.add(keyOf(p))
    }
  }

  /** A related object changed: sync the parents whose customize answer names it. */
  private onRelated(o: Obj): void {
    for (const p of this.parents.cache.values()) {
      if (p['metadata']['namespace'] !== o['metadata']['namespace']) continue
      const rules = this.customizeCache.get(`${p['metadata']['uid']}/${p['metadata']['generation']}`) ?? []
      if (rules.some((r) => r['resource'] === 'configmaps' && (r['names'] ?? []).includes(o['metadata']['name']))) this.queue.add(keyOf(p))
    }
  }

  private parentPath(parent: Obj, sub = ''): string {
    return `${collectionPath(this.parentInfo, parent['metadata']['namespace'])}/${parent['metadata']['name']}${sub}`
  }

  /** AtomicUpdate: GET the live parent, change its finalizer list, PUT; retried on conflict. */
  private async setFinalizer(parent: Obj, present: boolean): Promise<Obj> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const r = await this.api.call('GET', this.parentPath(parent))
      if (r.status === 404 || (r.status === 200 && r.body['metadata']['uid'] !== parent['metadata']['uid'])) throw new NotFound()
      if (r.status !== 200) throw new Error(`get parent: ${r.status} ${r.body['message']}`)
      const live = r.body
      const list: string[] = live['metadata']['finalizers'] ?? []
      if (list.includes(this.finalizer) === present) return live
      live['metadata']['finalizers'] = present ? [...list, this.finalizer] : list.filter((f) => f !== this.finalizer)
      const put = await this.api.call('PUT', this.parentPath(parent), live)
      this.writes['finalizer']!++
      if (put.status === 409) continue
      if (put.status === 404) throw new NotFound()
      if (put.status >= 300) throw new Error(`finalizer update: ${put.status} ${put.body['message']}`)
      return put.body
    }
    throw new Error('finalizer update: conflicts')
  }

  /** The customize hook's rules (cached per parent uid and generation), evaluated against the informer cache. */
  private async related(parent: Obj): Promise<Obj> {
    const url = this.hookUrl('customize')
    const out: Obj = {}
    if (url === undefined) return out
    const cacheKey = `${parent['metadata']['uid']}/${parent['metadata']['generation']}`
    let rules = this.customizeCache.get(cacheKey)
    if (rules === undefined) {
      this.calls['customize']!++
      const answer = await postHook(url, { controller: this.controller, parent }, this.hookTimeout('customize'), this.etag('customize', parent))
      rules = (answer['relatedResources'] ?? []) as Obj[]
      this.customizeCache.set(cacheKey, rules)
    }
    for (const rule of rules) {
      const info = await this.discover(rule['apiVersion'], rule['resource'])
      const ns = rule['namespace'] ?? parent['metadata']['namespace']
      if (ns !== parent['metadata']['namespace']) throw new Error(`requested related object namespace ${ns} differs from parent object namespace`)
      let inf = this.informers.get(`${info.apiVersion}/${info.resource}`)
      if (inf === undefined) {
        inf = this.informer(info, info)
        await inf.start()
      }
      const map: Obj = (out[info.typeKey] ??= {})
      for (const name of rule['names'] ?? []) {
        const o = inf.cache.get(`${ns}/${name}`)
        if (o !== undefined) map[name] = o
      }
    }
    return out
  }

  /** One sync of one parent, in Metacontroller's order (controller.go syncParentObject). */
  private async sync(key: string): Promise<void> {
    const parent = this.parents.cache.get(key)
    if (parent === undefined) return
    try {
      await this.syncParent(parent)
    } catch (e) {
      if (e instanceof NotFound) return
      throw e
    }
  }

  private async syncParent(cached: Obj): Promise<void> {
    let parent: Obj = cached
    const uid = parent['metadata']['uid'] as string
    const ns = parent['metadata']['namespace'] as string
    const has = (p: Obj) => ((p['metadata']['finalizers'] ?? []) as string[]).includes(this.finalizer)
    const finalizeUrl = this.hookUrl('finalize')
    // the finalizer first: added (GET + PUT) unless the parent is being deleted; the live parent is used from here
    if (finalizeUrl !== undefined && !has(parent) && parent['metadata']['deletionTimestamp'] === undefined) {
      parent = await this.setFinalizer(parent, true)
    }
    const deleting = parent['metadata']['deletionTimestamp'] !== undefined

    // claim: owned children, plus orphans whose labels match the selector (adopted unless the parent is going)
    const observed: Obj = {}
    for (const info of this.children) {
      const map: Obj = (observed[info.typeKey] = {})
      for (const child of this.informer(info).cache.values()) {
        if (child['metadata']['namespace'] !== ns) continue
        const owner = this.controllerRef(child)
        if (owner !== undefined && owner['uid'] !== uid) continue
        const matches = child['metadata']['labels']?.['controller-uid'] === uid
        const path = `${collectionPath(info, ns)}/${child['metadata']['name']}`
        if (owner === undefined) {
          if (!matches || deleting || child['metadata']['deletionTimestamp'] !== undefined) continue
          const refs = [...(child['metadata']['ownerReferences'] ?? []), this.ownerRef(parent)]
          const adopted = await this.api.call('PATCH', path, { metadata: { ownerReferences: refs, uid: child['metadata']['uid'] } }, 'application/merge-patch+json')
          if (adopted.status >= 300) throw new Error(`adopt ${path}: ${adopted.status} ${adopted.body['message']}`)
          map[child['metadata']['name']] = { ...adopted.body, apiVersion: info.apiVersion, kind: info.kind }
          continue
        }
        if (!matches) {
          // owned but no longer selected: released (our ownerReference removed)
          if (child['metadata']['deletionTimestamp'] !== undefined) continue
          const refs = (child['metadata']['ownerReferences'] as Obj[]).filter((r) => r['uid'] !== uid)
          const released = await this.api.call('PATCH', path, { metadata: { ownerReferences: refs, uid: child['metadata']['uid'] } }, 'application/merge-patch+json')
          if (released.status >= 300 && released.status !== 404) throw new Error(`release ${path}: ${released.status} ${released.body['message']}`)
          continue
        }
        map[child['metadata']['name']] = child
      }
    }

    const request = { controller: this.controller, parent, children: observed, related: await this.related(parent), finalizing: deleting }
    const hook = deleting ? 'finalize' : 'sync'
    const url = deleting ? (finalizeUrl ?? (this.hookUrl('sync') as string)) : (this.hookUrl('sync') as string)
    this.calls[hook]!++
    // the finalize hook's own executor when it has one, else the sync hook's (as Metacontroller picks them)
    const executor = deleting && finalizeUrl !== undefined ? 'finalize' : 'sync'
    const response = await postHook(url, request, this.hookTimeout(hook), this.etag(executor, parent))

    const after = Number(response['resyncAfterSeconds'] ?? 0)
    if (after > 0) this.queue.addAfter(keyOf(parent), after * 1000)
    // finalized: the finalizer removed (GET + PUT); the parent re-read that way no longer has it, so the
    // children below are not managed any more
    if (response['finalized'] === true) parent = await this.setFinalizer(parent, false)

    const desired = ((response['children'] ?? []) as Obj[]).map((c) => {
      const copy = structuredClone(c)
      copy['metadata'] ??= {}
      copy['metadata']['namespace'] ??= ns
      copy['metadata']['labels'] ??= {}
      copy['metadata']['labels']['controller-uid'] ??= uid
      if (copy['metadata']['labels']['controller-uid'] !== uid) throw new Error(`labels on desired child ${copy['kind']} ${ns}/${copy['metadata']['name']} don't match parent selector`)
      return copy
    })
    const gcFinalizer = ((parent['metadata']['finalizers'] ?? []) as string[]).some((f) => f === 'foregroundDeletion' || f === 'orphan')
    let manageError: Error | undefined
    if (parent['metadata']['deletionTimestamp'] === undefined || (has(parent) && !gcFinalizer)) {
      try {
        await this.manageChildren(parent, observed, desired)
      } catch (e) {
        manageError = e as Error
      }
    }
    await this.writeStatus(parent, response['status'])
    if (manageError !== undefined) throw manageError
  }

  /** The ETag cache of a hook and the key of a parent in it, when that hook has ETag mode on. */
  private etag(hook: string, parent: Obj): { cache: EtagCache; key: string } | undefined {
    const cache = this.etagCaches.get(hook)
    return cache === undefined ? undefined : { cache, key: `${this.parentInfo.kind}/${parent['metadata']['namespace'] ?? ''}/${parent['metadata']['name']}` }
  }

  /** ETag counts over every hook: If-None-Match sent, cached answers reused (304 or 412), answers stored. */
  get etagCounts(): EtagCache['counts'] {
    const sum = { ifNoneMatch: 0, notModified: 0, stored: 0 }
    for (const c of this.etagCaches.values()) for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += c.counts[k]
    return sum
  }

  private ownerRef(parent: Obj): Obj {
    return {
      apiVersion: this.parentInfo.apiVersion,
      kind: this.parentInfo.kind,
      name: parent['metadata']['name'],
      uid: parent['metadata']['uid'],
      controller: true,
      blockOwnerDeletion: true,
    }
  }

  private infoFor(obj: Obj): ResourceInfo {
    const info = this.children.find((i) => i.apiVersion === obj['apiVersion'] && i.kind === obj['kind'])
    if (info === undefined) throw new Error(`desired child ${obj['kind']}.${obj['apiVersion']} is not a declared child resource`)
    return info
  }

  private async manageChildren(parent: Obj, observed: Obj, desired: Obj[]): Promise<void> {
    const errors: string[] = []
    const wanted = new Set(desired.map((d) => `${this.infoFor(d).typeKey}/${d['metadata']['name']}`))
    // delete what is no longer desired
    for (const info of this.children) {
      for (const [name, obj] of Object.entries(observed[info.typeKey] as Obj)) {
        if (wanted.has(`${info.typeKey}/${name}`) || (obj as Obj)['metadata']['deletionTimestamp'] !== undefined) continue
        const r = await this.api.call('DELETE', `${collectionPath(info, parent['metadata']['namespace'])}/${name}`, {
          kind: 'DeleteOptions',
          apiVersion: 'v1',
          propagationPolicy: 'Background',
          preconditions: { uid: (obj as Obj)['metadata']['uid'] },
        })
        this.writes['delete']!++
        if (r.status >= 300 && r.status !== 404) errors.push(`delete ${info.resource}/${name}: ${r.status} ${r.body['message']}`)
      }
    }
    for (const d of desired) {
      const info = this.infoFor(d)
      const live = (observed[info.typeKey] as Obj)[d['metadata']['name']] as Obj | undefined
      const path = collectionPath(info, d['metadata']['namespace'])
      if (live === undefined) {
        const obj = structuredClone(d)
        obj['metadata']['annotations'] = { ...(obj['metadata']['annotations'] ?? {}), [LAST_APPLIED]: goJson(d) }
        obj['metadata']['ownerReferences'] = [this.ownerRef(parent)]
        const r = await this.api.call('POST', path, obj)
        this.writes['create']!++
        if (r.status === 409) this.log(`create ${info.resource}/${d['metadata']['name']}: already exists (ignored)`)
        else if (r.status >= 300) errors.push(`create ${info.resource}/${d['metadata']['name']}: ${r.status} ${r.body['message']}`)
        continue
      }
      const merged = threeWayMerge(live, d)
      const comparable = (o: Obj) => ({ ...o, apiVersion: undefined, kind: undefined })
      if (isDeepStrictEqual(comparable(merged), comparable(live))) continue
      if (live['metadata']['deletionTimestamp'] !== undefined) continue
      if (info.method !== 'InPlace') continue
      const r = await this.api.call('PUT', `${path}/${d['metadata']['name']}`, merged)
      this.writes['update']!++
      if (r.status >= 300 && r.status !== 404 && r.status !== 409) errors.push(`update ${info.resource}/${d['metadata']['name']}: ${r.status} ${r.body['message']}`)
    }
    if (errors.length > 0) throw new Error(errors.join('; '))
  }

  /** AtomicStatusUpdate: always a GET of the live parent, then a PUT of /status only when it differs. */
  private async writeStatus(parent: Obj, status: unknown): Promise<void> {
    const wanted = { ...(isMap(status) ? status : {}), observedGeneration: parent['metadata']['generation'] }
    for (let attempt = 0; attempt < 5; attempt++) {
      const r = await this.api.call('GET', this.parentPath(parent))
      if (r.status === 404 || (r.status === 200 && r.body['metadata']['uid'] !== parent['metadata']['uid'])) return
      if (r.status !== 200) throw new Error(`get parent: ${r.status} ${r.body['message']}`)
      const live = r.body
      if (isDeepStrictEqual(wanted, live['status'])) return
      live['status'] = wanted
      const put = await this.api.call('PUT', this.parentPath(parent, '/status'), live)
      this.writes['status']!++
      if (put.status === 409) continue // RetryOnConflict
      if (put.status === 404) return
      if (put.status >= 300) throw new Error(`status update: ${put.status} ${put.body['message']}`)
      return
    }
  }
}

class NotFound extends Error {
  constructor() {
    super('parent not found')
  }
}
