/**
 * The registry server's own rules for config.yaml (U§2.6), checked in the hook so that a mistake shows as
 * `ConfigValid=False` with the line at fault instead of a pod that crash-loops while the resource says
 * `Pending` (SPEC §4). Pure.
 *
 * The rules follow the server's code at each known version (README "Registry server versions"): viper reads
 * the first YAML document into maps with keys in any case, mapstructure decodes it with weak typing (a
 * number where a string is expected, a single string where a list is expected, split at commas), then
 * `validate()` and the start-up steps after it (telemetry, the database connection string, the Kubernetes
 * source) refuse what they cannot use. Every rule below mirrors one of those steps; the corpus in
 * test/fixtures/server-corpus holds the server's recorded verdict for each case. The hook is stricter on
 * purpose in one place: files the server reads must lie under a volumeMount of the container.
 */
import { isAlias, isNode, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, visit, type Document } from 'yaml'
import { SERVICE_ACCOUNT_MOUNT_PATH, TMP_MOUNT_PATH, TMP_VOLUME } from '../basics/constants.js'
import { fieldPath, type PathPart } from '../basics/field-path.js'
import { isRecord } from '../basics/json.js'
import type { VolumeMount } from '../basics/k8s-types.js'
import { CONFIG_KIND, decode, viperSettings } from './config-decode.js'
import { CONFIG_RULES, type Cfg, type ConfigContext, type FileSource, type ServerRules } from './config-rules.js'
import type { Issue } from './issues.js'

export type { FileSource, ServerRules }
export { parseGoDuration, parseGoURL } from './go-values.js'

/** What the hook learns from a valid config.yaml. */
export interface RegistryConfig {
  sources: number
  registries: number
  /** `file:` sources with a local path, whose data may come from a ConfigMap. */
  fileSources: FileSource[]
  /** Set when only structural checks ran (a server version the hook does not know). */
  unchecked?: string
}

export const SERVER_RULES: Record<string, ServerRules> = {
  'v1.3': { version: 'v1.3.0', apiTimeout: false },
  'v1.5': { version: 'v1.5.1', apiTimeout: true },
}

/** Image tags whose rules the hook has (a later patch release may change its config; add it when recorded). */
const KNOWN_TAGS: Record<string, string> = { 'v1.3.0': 'v1.3', 'v1.5.0': 'v1.5', 'v1.5.1': 'v1.5', 'v1.5.2': 'v1.5', 'v1.5.3': 'v1.5' }
/** For messages: the image versions whose rules the hook has. */
export const KNOWN_SERVER_VERSIONS = 'v1.3.0, v1.5.0 to v1.5.3'

/** The rules for an image, from its tag (`…:v1.5.3`, `…:1.3.0`, with or without a digest); undefined when unknown. */
export function rulesForImage(image: string): ServerRules | undefined {
  const noDigest = image.split('@')[0] as string
  const slash = noDigest.lastIndexOf('/')
  const colon = noDigest.lastIndexOf(':')
  if (colon <= slash) return undefined
  const tag = noDigest.slice(colon + 1)
  return SERVER_RULES[KNOWN_TAGS[tag.startsWith('v') ? tag : `v${tag}`] ?? '']
}

type Path = PathPart[]

const MAX_ALIASES = 100

/** The first YAML document as viper reads it, or the YAML problem. */
function firstDocument(text: string, lineCounter: LineCounter): { doc?: Document.Parsed; issue?: Issue } {
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, merge: true })
  const doc = docs[0]
  if (doc === undefined) return {}
  const err = doc.errors[0]
  if (err !== undefined) {
    const line = lineCounter.linePos(err.pos[0]).line
    let what = err.message.split('\n')[0] as string
    if (err.code === 'DUPLICATE_KEY') {
      // the key is what stands before the first colon of the line at fault (string methods: no backtracking)
      const atFault = text.slice(err.pos[0], err.pos[0] + 200).split('\n')[0] as string
      const colon = atFault.indexOf(':')
      const key = atFault.slice(0, Math.max(colon, 0)).trim()
      if (key !== '') what = `key ${JSON.stringify(key)} appears twice in one mapping`
    }
    return { issue: { field: `spec.configYAML line ${line}`, message: `is not valid YAML (${what}); fix the syntax` } }
  }
  return { doc }
}

/** The first alias whose anchor is not defined before it, with its path in the document. */
function firstUndefinedAlias(doc: Document.Parsed): { name: string; path: Path } | undefined {
  const anchors = new Set<string>()
  let found: { name: string; path: Path } | undefined
  visit(doc, (_key, node, ancestors) => {
    if (isNode(node) && node.anchor) anchors.add(node.anchor)
    if (isAlias(node) && !anchors.has(node.source)) {
      const path: Path = []
      const chain = [...ancestors, node]
      chain.slice(0, -1).forEach((a, i) => {
        if (isPair(a) && isScalar(a.key)) path.push(String(a.key.value))
        if (isSeq(a)) path.push(a.items.indexOf(chain[i + 1] as never))
      })
      found = { name: node.source, path }
      return visit.BREAK
    }
    return undefined
  })
  return found
}

/** Where the files every pod has come from, besides the user's mounts. */
const IMPLICIT_MOUNTS: VolumeMount[] = [
  { name: 'kube-api-access', mountPath: SERVICE_ACCOUNT_MOUNT_PATH },
  { name: TMP_VOLUME, mountPath: TMP_MOUNT_PATH },
]

/** A parsed config.yaml: the first document, and where problems at a path are reported. */
interface Reader {
  issues: Issue[]
  add(path: Path, message: string): void
}

function reader(doc: Document.Parsed | undefined, lineCounter: LineCounter): Reader {
  const issues: Issue[] = []
  /** The line of the node at `path`, or of its nearest existing ancestor. */
  const lineOf = (path: Path): number => {
    for (let n = path.length; n > 0; n--) {
      const node = doc?.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined
      if (node?.range) return lineCounter.linePos(node.range[0]).line
    }
    return 1
  }
  return { issues, add: (path, message) => issues.push({ field: `spec.configYAML line ${lineOf(path)}, ${fieldPath('', path)}`, message }) }
}

/** The document as a JavaScript value (null when empty), or why it cannot be one. */
function documentValue(doc: Document.Parsed | undefined, r: Reader): { root: unknown } | { issues: Issue[] } {
  try {
    return { root: doc === undefined ? null : doc.toJS({ maxAliasCount: MAX_ALIASES }) }
  } catch (err) {
    const undefinedAlias = firstUndefinedAlias(doc as Document.Parsed)
    if (undefinedAlias !== undefined) {
      r.add(undefinedAlias.path, `is an alias to an anchor defined nowhere before it (*${undefinedAlias.name}); define &${undefinedAlias.name} first or write the value`)
      return { issues: r.issues }
    }
    const msg = (err as Error).message
    const what = /excessive alias count/i.test(msg) ? `more than ${MAX_ALIASES} aliases are expanded; write the values out` : `${msg.split('\n')[0] as string}; fix the syntax`
    return { issues: [{ field: 'spec.configYAML', message: `is not valid YAML (${what})` }] }
  }
}

/** What an image the hook has no rules for gets: the counts, and that only structure was checked. */
function unchecked(rawRoot: Record<string, unknown>, image: string): { issues: Issue[]; config: RegistryConfig } {
  return {
    issues: [],
    config: {
      sources: Array.isArray(rawRoot['sources']) ? rawRoot['sources'].length : 0,
      registries: Array.isArray(rawRoot['registries']) ? rawRoot['registries'].length : 0,
      fileSources: [],
      unchecked: image,
    },
  }
}

/** The rules' context for a decoded config; paths name the keys as the user wrote them (in any case). */
function configContext(cfg: Cfg, rawRoot: Record<string, unknown>, rules: ServerRules, mounts: readonly VolumeMount[], r: Reader): ConfigContext {
  const keyIn = (parentPath: Path, field: string): string => {
    const parent = parentPath.reduce<unknown>((node, p) => (node as Cfg | undefined)?.[p], rawRoot)
    if (!isRecord(parent)) return field
    return Object.keys(parent).find((k) => k === field) ?? Object.keys(parent).find((k) => k.toLowerCase() === field.toLowerCase()) ?? field
  }
  const P = (...parts: PathPart[]): Path => {
    const out: Path = []
    for (const p of parts) out.push(typeof p === 'number' ? p : keyIn(out, p))
    return out
  }
  return {
    cfg,
    rules,
    mounts: [...mounts, ...IMPLICIT_MOUNTS],
    add: r.add,
    P,
    fileRefs: [],
    fileSources: [],
    sourceNames: new Set(),
    registryNames: new Set(),
    managedSources: 0,
  }
}

/**
 * Checks config.yaml as the server at the image's version would: the YAML, its decoding, then CONFIG_RULES.
 * `rules` undefined: a version the hook does not know, structural checks only.
 */
export function checkConfigYAML(
  text: string,
  mounts: readonly VolumeMount[],
  rules: ServerRules | undefined,
  image = '',
): { issues: Issue[]; config?: RegistryConfig } {
  const lineCounter = new LineCounter()
  const first = firstDocument(text, lineCounter)
  if (first.issue !== undefined) return { issues: [first.issue] }
  const r = reader(first.doc, lineCounter)
  const value = documentValue(first.doc, r)
  if ('issues' in value) return value
  if (value.root !== null && !isRecord(value.root)) {
    return { issues: [{ field: 'spec.configYAML', message: 'must be a YAML mapping with sources, registries, database and auth; see the registry server documentation' }] }
  }
  const rawRoot = (value.root ?? {}) as Record<string, unknown>
  if (rules === undefined) return unchecked(rawRoot, image)
  // decoding problems stop the server before any validation
  const cfg = decode(viperSettings(rawRoot), CONFIG_KIND, [], r) as Cfg
  if (r.issues.length > 0) return { issues: r.issues }
  const ctx = configContext(cfg, rawRoot, rules, mounts, r)
  for (const rule of CONFIG_RULES) rule.check(ctx)
  if (r.issues.length > 0) return { issues: r.issues }
  // the rules have made sure of at least one source and one registry
  return { issues: [], config: { sources: (cfg['sources'] as Cfg[]).length, registries: (cfg['registries'] as Cfg[]).length, fileSources: ctx.fileSources } }
}
