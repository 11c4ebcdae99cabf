/**
 * `mcpregistry-hook render -f registry.yaml [--observed children.yaml]`: the sync answer for a file, as YAML,
 * from the same pure function the hook serves. No cluster needed.
 */
import { readFileSync } from 'node:fs'
import { parseAllDocuments, stringify } from 'yaml'
import { CHILD_TYPES, KIND } from './basics/constants.js'
import { customize, sync } from './hook.js'
import { canonical, isRecord } from './basics/json.js'
import type { KubeObject, ObjectMap, SyncRequest } from './schema/hook.js'
import { loadSettings } from './settings.js'

export const USAGE = `Usage: mcpregistry-hook render -f FILE [--observed FILE] [--finalizing]

Prints the children and status the hook would answer for the MCPRegistry in FILE (YAML or JSON; other
documents in the file are ignored; ConfigMaps in it count as related objects). --observed names a file of
observed children (documents, a YAML list, or the List that kubectl get -o yaml prints) as if Metacontroller
had read them from the cluster.
Settings come from the same environment variables as the server.
`

export class UsageError extends Error {}

interface Args {
  file: string
  observed?: string
  finalizing: boolean
}

export function parseArgs(argv: readonly string[]): Args {
  const [command, ...rest] = argv
  if (command !== 'render') throw new UsageError(command === undefined ? 'no command given' : `unknown command "${command}"`)
  const args: Partial<Args> = { finalizing: false }
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]
    if (a === '-f' || a === '--file' || a === '--observed') {
      const v = rest[++i]
      if (v === undefined) throw new UsageError(`${a} needs a file name`)
      if (a === '--observed') args.observed = v
      else args.file = v
    } else if (a === '--finalizing') {
      args.finalizing = true
    } else {
      throw new UsageError(`unknown argument "${a}"`)
    }
  }
  if (args.file === undefined) throw new UsageError('-f FILE is required')
  return args as Args
}

function documents(text: string, file: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = []
  for (const doc of parseAllDocuments(text)) {
    const [error] = doc.errors
    if (error !== undefined) throw new UsageError(`${file} is not valid YAML: ${error.message.split('\n')[0]}`)
    const value: unknown = doc.toJS()
    // a YAML list, a `kind: List` as `kubectl get -o yaml` prints, or one object
    const items = Array.isArray(value) ? value : isRecord(value) && Array.isArray(value['items']) ? value['items'] : [value]
    out.push(...items.filter(isRecord))
  }
  return out
}

function typeKey(obj: Record<string, unknown>): string {
  return `${String(obj['kind'])}.${String(obj['apiVersion'])}`
}

/** Builds the Metacontroller request a cluster would send for this file. */
export function requestFor(
  files: { registry: string; registryName: string; observed?: { text: string; name: string } },
  finalizing: boolean,
): SyncRequest {
  const docs = documents(files.registry, files.registryName)
  const parent = docs.find((d) => d['kind'] === KIND)
  if (parent === undefined) throw new UsageError(`${files.registryName} holds no ${KIND}`)
  const meta = isRecord(parent['metadata']) ? parent['metadata'] : {}
  if (typeof meta['name'] !== 'string') throw new UsageError(`${files.registryName}: the ${KIND} has no metadata.name`)
  const namespace = typeof meta['namespace'] === 'string' ? meta['namespace'] : 'default'
  const toMap = (objs: Record<string, unknown>[]): ObjectMap => {
    const map: ObjectMap = {}
    for (const o of objs) {
      const m = isRecord(o['metadata']) ? o['metadata'] : {}
      if (typeof m['name'] !== 'string') continue
      ;(map[typeKey(o)] ??= {})[m['name']] = o as KubeObject
    }
    return map
  }
  const related = toMap(docs.filter((d) => d['kind'] === 'ConfigMap' && d['apiVersion'] === 'v1'))
  const observed = files.observed === undefined ? {} : toMap(documents(files.observed.text, files.observed.name))
  const rules = customize({ parent: { ...parent, metadata: { ...meta, name: meta['name'], namespace } } }).relatedResources
  const wanted = new Set(rules.flatMap((r) => r.names))
  const relatedConfigMaps = Object.fromEntries(Object.entries(related[CHILD_TYPES.ConfigMap] ?? {}).filter(([n]) => wanted.has(n)))
  return {
    parent: { ...parent, metadata: { generation: 1, ...meta, name: meta['name'], namespace } } as SyncRequest['parent'],
    children: observed,
    related: { [CHILD_TYPES.ConfigMap]: relatedConfigMaps },
    finalizing,
  }
}

/** Runs the CLI; returns the exit code. `now` is fixed in tests. */
export function run(
  argv: readonly string[],
  io: { stdout: (s: string) => void; stderr: (s: string) => void; env: Record<string, string | undefined>; now: Date },
): number {
  try {
    const args = parseArgs(argv)
    const settings = loadSettings(io.env)
    const read = (f: string): string => {
      try {
        return readFileSync(f, 'utf8')
      } catch (err) {
        throw new UsageError(`cannot read ${f}: ${(err as Error).message}`)
      }
    }
    const files: Parameters<typeof requestFor>[0] = { registry: read(args.file), registryName: args.file }
    if (args.observed !== undefined) files.observed = { text: read(args.observed), name: args.observed }
    const { response } = sync(requestFor(files, args.finalizing), settings, io.now)
    io.stdout(stringify(canonical(response), { lineWidth: 0 }))
    return 0
  } catch (err) {
    io.stderr(`mcpregistry-hook: ${(err as Error).message}\n${err instanceof UsageError ? `\n${USAGE}` : ''}`)
    return err instanceof UsageError ? 64 : 2
  }
}
