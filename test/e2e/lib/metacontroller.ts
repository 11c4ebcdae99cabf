/**
 * A test-only stand-in for Metacontroller (which cannot be built here: its module path is not fetchable).
 * It follows the CompositeController contract of metacontroller-contract.md §2–§4 for the controller read
 * from metacontroller/compositecontroller.yaml, talking to a real API server as a ServiceAccount, so the
 * RBAC in metacontroller/rbac.yaml is what it is allowed to do:
 *
 * - parents listed cluster-wide; children of each declared type keyed `Kind.apiVersion` then name (v1
 *   hooks, namespaced parent), selected by `controller-uid=<parent uid>` (generateSelector) and owned
 *   through a controller ownerReference; matching orphans are adopted;
 * - the finalizer `metacontroller.io/compositecontroller-<name>` added before the first hook call, the
 *   finalize hook called with `finalizing: true` once the parent is deleted, the finalizer removed on
 *   `finalized: true`;
 * - the customize hook asked for related objects (cached per parent uid and generation), sent as `related`;
 * - desired children: namespace defaulted, `controller-uid` label added and checked against the selector,
 *   created with the last-applied annotation and a controller ownerReference, updated (InPlace) with the
 *   same 3-way merge as Metacontroller's dynamic apply (list maps guessed by containerPort, port,
 *   mountPath, name, uid, ip, path), only when the merged object differs from the live one; observed
 *   children no longer desired deleted with a uid precondition and background propagation;
 * - status written through the status subresource with observedGeneration, only when it changed.
 *
 * What it does not do is listed in test/e2e/README.md. Triggers are a poll every `intervalMs` (standing in
 * for informer events and resyncs), so `resyncAfterSeconds` needs no timer of its own.
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

export class Api {
  private readonly agent: Agent
  constructor(
    private readonly server: string,
    private readonly token: string,
    ca: string,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: 16, ca })
  }

  call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<ApiResult> {
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
            resolve({ status: res.statusCode ?? 0, body: parsed })
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

  close(): void {
    this.agent.destroy()
  }
}

/** POST JSON to a hook URL; resolves with the parsed body of a 200, rejects otherwise (a sync error). */
function postHook(url: string, body: unknown, timeoutMs: number): Promise<Obj> {
  const payload = JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'POST', timeout: timeoutMs, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (d) => (text += d))
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`hook ${url}: unsupported status code ${res.statusCode}: ${text.slice(0, 300)}`))
          else {
            try {
              resolve(JSON.parse(text) as Obj)
            } catch (e) {
              reject(new Error(`hook ${url}: can't unmarshal response: ${(e as Error).message}`))
            }
          }
        })
      },
    )
    req.on('timeout', () => req.destroy(new Error(`hook ${url}: timeout`)))
    req.on('error', reject)
    req.end(payload)
  })
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

export interface StandInOptions {
  api: Api
  /** Path of metacontroller/compositecontroller.yaml. */
  controllerFile: string
  /** Base URL of the hook (the CompositeController's service URLs point into a cluster). */
  hookBaseUrl: string
  intervalMs?: number
  workers?: number
  log?: (s: string) => void
}

export interface SyncErrorRecord {
  parent: string
  message: string
}

export class MetacontrollerStandIn {
  readonly controller: Obj
  private readonly api: Api
  readonly hookBase: string
  private readonly interval: number
  private readonly workers: number
  private readonly log: (s: string) => void
  private parentInfo!: ResourceInfo
  private children: ResourceInfo[] = []
  private readonly customizeCache = new Map<string, Obj[]>()
  private readonly discovered = new Map<string, ResourceInfo>()
  private running = false
  private loop: Promise<void> | undefined
  /** Hook and apply errors, newest last (the SyncError events Metacontroller would emit). */
  readonly errors: SyncErrorRecord[] = []
  /** How many hook calls were made, by hook name. */
  readonly calls: Record<string, number> = { sync: 0, finalize: 0, customize: 0 }
  /** Writes to children, by verb (create, update, delete), to show that a converged registry is quiet. */
  readonly writes: Record<string, number> = { create: 0, update: 0, delete: 0, status: 0 }

  constructor(opts: StandInOptions) {
    this.controller = parse(readFileSync(opts.controllerFile, 'utf8')) as Obj
    this.api = opts.api
    this.hookBase = opts.hookBaseUrl
    this.interval = opts.intervalMs ?? 500
    this.workers = opts.workers ?? 5
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

  async start(): Promise<void> {
    const spec = this.controller['spec']
    if (spec['generateSelector'] !== true) throw new Error('the stand-in supports generateSelector: true only')
    this.parentInfo = await this.discover(spec['parentResource']['apiVersion'], spec['parentResource']['resource'])
    this.children = []
    for (const c of spec['childResources'] ?? []) {
      this.children.push(await this.discover(c['apiVersion'], c['resource'], c['updateStrategy']?.['method'] ?? 'OnDelete'))
    }
    this.running = true
    this.loop = (async () => {
      while (this.running) {
        const started = Date.now()
        try {
          await this.syncAll()
        } catch (e) {
          this.errors.push({ parent: '*', message: (e as Error).message })
        }
        const wait = this.interval - (Date.now() - started)
        if (wait > 0) await new Promise((r) => setTimeout(r, wait))
      }
    })()
  }

  async stop(): Promise<void> {
    this.running = false
    await this.loop
  }

  /** One pass over every parent: what Metacontroller does on an event or a resync. */
  async syncAll(): Promise<void> {
    const parents = (await this.api.ok('GET', collectionPath(this.parentInfo)))['items'] as Obj[]
    // children of every type, all namespaces, one list per type (informers are cluster-wide)
    const childLists = new Map<string, Obj[]>()
    for (const info of this.children) {
      const items = (await this.api.ok('GET', `${collectionPath(info)}?labelSelector=controller-uid`))['items'] as Obj[]
      childLists.set(info.typeKey, items.map((o) => ({ ...o, apiVersion: info.apiVersion, kind: info.kind })))
    }
    const queue = [...parents]
    const work = async (): Promise<void> => {
      for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
        const id = `${p['metadata']['namespace']}/${p['metadata']['name']}`
        try {
          await this.syncParent(p, childLists)
        } catch (e) {
          this.errors.push({ parent: id, message: (e as Error).message })
          this.log(`sync error ${id}: ${(e as Error).message}`)
        }
      }
    }
    await Promise.all(Array.from({ length: this.workers }, work))
  }

  private parentPath(parent: Obj, sub = ''): string {
    return `${collectionPath(this.parentInfo, parent['metadata']['namespace'])}/${parent['metadata']['name']}${sub}`
  }

  /** GET then PUT the whole parent with a changed finalizer list (contract §4), retrying on conflict. */
  private async setFinalizer(parent: Obj, present: boolean): Promise<Obj | undefined> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const r = await this.api.call('GET', this.parentPath(parent))
      if (r.status === 404) return undefined
      const live = r.body
      const list: string[] = live['metadata']['finalizers'] ?? []
      if (list.includes(this.finalizer) === present) return live
      live['metadata']['finalizers'] = present ? [...list, this.finalizer] : list.filter((f) => f !== this.finalizer)
      const put = await this.api.call('PUT', this.parentPath(parent), live)
      if (put.status === 409) continue
      if (put.status >= 300) throw new Error(`finalizer update: ${put.status} ${put.body['message']}`)
      return put.body
    }
    throw new Error('finalizer update: conflicts')
  }

  private async related(parent: Obj): Promise<Obj> {
    const url = this.hookUrl('customize')
    const out: Obj = {}
    if (url === undefined) return out
    const cacheKey = `${parent['metadata']['uid']}/${parent['metadata']['generation']}`
    let rules = this.customizeCache.get(cacheKey)
    if (rules === undefined) {
      this.calls['customize']!++
      const answer = await postHook(url, { controller: this.controller, parent }, 10_000)
      rules = (answer['relatedResources'] ?? []) as Obj[]
      this.customizeCache.set(cacheKey, rules)
    }
    for (const rule of rules) {
      const info = await this.discover(rule['apiVersion'], rule['resource'])
      const ns = rule['namespace'] ?? parent['metadata']['namespace']
      if (ns !== parent['metadata']['namespace']) throw new Error(`requested related object namespace ${ns} differs from parent object namespace`)
      const map: Obj = (out[info.typeKey] ??= {})
      for (const name of rule['names'] ?? []) {
        const r = await this.api.call('GET', `${collectionPath(info, ns)}/${name}`)
        if (r.status === 200) map[name] = { ...r.body, apiVersion: info.apiVersion, kind: info.kind }
        else if (r.status !== 404) throw new Error(`related ${info.resource}/${name}: ${r.status} ${r.body['message']}`)
      }
    }
    return out
  }

  private async syncParent(listed: Obj, childLists: Map<string, Obj[]>): Promise<void> {
    let parent: Obj | undefined = listed
    const uid = parent['metadata']['uid'] as string
    const ns = parent['metadata']['namespace'] as string
    const deleting = parent['metadata']['deletionTimestamp'] !== undefined
    const finalizeUrl = this.hookUrl('finalize')
    if (!deleting && finalizeUrl !== undefined && !(parent['metadata']['finalizers'] ?? []).includes(this.finalizer)) {
      parent = await this.setFinalizer(parent, true)
      if (parent === undefined) return
    }
    if (deleting && !(parent['metadata']['finalizers'] ?? []).includes(this.finalizer)) return

    // claim: owned children that match the selector, plus orphans that match (adopted)
    const observed: Obj = {}
    for (const info of this.children) {
      const map: Obj = (observed[info.typeKey] = {})
      for (const child of childLists.get(info.typeKey) ?? []) {
        if (child['metadata']['namespace'] !== ns || child['metadata']['labels']?.['controller-uid'] !== uid) continue
        const owner = (child['metadata']['ownerReferences'] ?? []).find((o: Obj) => o['controller'] === true)
        if (owner !== undefined && owner['uid'] !== uid) continue
        if (owner === undefined) {
          if (deleting) continue
          const path = `${collectionPath(info, ns)}/${child['metadata']['name']}`
          const refs = [...(child['metadata']['ownerReferences'] ?? []), this.ownerRef(parent)]
          const adopted = await this.api.call('PATCH', path, { metadata: { ownerReferences: refs, uid: child['metadata']['uid'] } }, 'application/merge-patch+json')
          if (adopted.status >= 300) throw new Error(`adopt ${path}: ${adopted.status} ${adopted.body['message']}`)
          map[child['metadata']['name']] = { ...adopted.body, apiVersion: info.apiVersion, kind: info.kind }
          continue
        }
        map[child['metadata']['name']] = child
      }
    }

    const request = { controller: this.controller, parent, children: observed, related: await this.related(parent), finalizing: deleting }
    const hook = deleting ? 'finalize' : 'sync'
    const url = deleting ? (finalizeUrl as string) : (this.hookUrl('sync') as string)
    this.calls[hook]!++
    const response = await postHook(url, request, 10_000)

    if (deleting && response['finalized'] === true) {
      await this.setFinalizer(parent, false)
    }
    const desired = ((response['children'] ?? []) as Obj[]).map((c) => {
      const copy = structuredClone(c)
      copy['metadata'] ??= {}
      copy['metadata']['namespace'] ??= ns
      copy['metadata']['labels'] = { ...(copy['metadata']['labels'] ?? {}), 'controller-uid': uid }
      return copy
    })
    if (!deleting || (parent['metadata']['finalizers'] ?? []).includes(this.finalizer)) {
      await this.manageChildren(parent, observed, desired)
    }
    await this.writeStatus(parent, response['status'])
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
      if (info.method !== 'InPlace') continue
      const merged = threeWayMerge(live, d)
      const comparable = (o: Obj) => ({ ...o, apiVersion: undefined, kind: undefined })
      if (isDeepStrictEqual(comparable(merged), comparable(live))) continue
      const r = await this.api.call('PUT', `${path}/${d['metadata']['name']}`, merged)
      this.writes['update']!++
      if (r.status >= 300) errors.push(`update ${info.resource}/${d['metadata']['name']}: ${r.status} ${r.body['message']}`)
    }
    if (errors.length > 0) throw new Error(errors.join('; '))
  }

  private async writeStatus(parent: Obj, status: unknown): Promise<void> {
    const wanted = { ...(isMap(status) ? status : {}), observedGeneration: parent['metadata']['generation'] }
    if (isDeepStrictEqual(wanted, parent['status'])) return
    for (let attempt = 0; attempt < 5; attempt++) {
      const r = await this.api.call('GET', this.parentPath(parent))
      if (r.status === 404) return
      const live = r.body
      if (isDeepStrictEqual(wanted, live['status'])) return
      live['status'] = wanted
      const put = await this.api.call('PUT', this.parentPath(parent, '/status'), live)
      this.writes['status']!++
      if (put.status === 409 || put.status === 404) continue
      if (put.status >= 300) throw new Error(`status update: ${put.status} ${put.body['message']}`)
      return
    }
  }
}
