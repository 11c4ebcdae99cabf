/**
 * A registry document as the registry server checks it at its first sync (U§6): the published JSON schemas
 * (src/schema/registry-data, vendored from toolhive-core), the publisher-provided extension schema for each
 * server's `_meta`, then the server's own rule of at least one server (the schema already requires a name
 * and a description).
 * The schemas are compiled once, when this module loads. Pure.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { parseGoURL } from './go-values.js'
import { fieldPath, pointerParts } from '../basics/field-path.js'
import { isRecord } from '../basics/json.js'
import pluginSchema from '../schema/registry-data/plugin.schema.json' with { type: 'json' }
import publisherSchema from '../schema/registry-data/publisher-provided.schema.json' with { type: 'json' }
import serverSchema from '../schema/registry-data/server.schema.json' with { type: 'json' }
import skillSchema from '../schema/registry-data/skill.schema.json' with { type: 'json' }
import upstreamSchema from '../schema/registry-data/upstream-registry.schema.json' with { type: 'json' }

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020
/** The `_meta` key whose value the server checks against publisher-provided.schema.json. */
const PUBLISHER_PROVIDED = 'io.modelcontextprotocol.registry/publisher-provided'

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const TIME = /^(\d{1,2}):(\d{2}):(\d{2})(?:[.,]\d+)?$/
const ZONE = /^(?:Z|[+-](\d{2}):(\d{2}))$/

function validDate(text: string): boolean {
  const m = DATE.exec(text)
  if (m === null) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  return mo >= 1 && mo <= 12 && d >= 1 && d <= (mo === 2 && !isLeap(y) ? 28 : (DAYS[mo - 1] as number))
}
function validTime(text: string): boolean {
  const m = TIME.exec(text)
  return m !== null && Number(m[1]) < 24 && Number(m[2]) < 60 && Number(m[3]) < 60
}
function validZone(text: string): boolean {
  const m = ZONE.exec(text)
  return m !== null && (m[1] === undefined || (Number(m[1]) <= 24 && Number(m[2]) <= 60))
}
/** The zone part of a time: `Z` or the last `+hh:mm`/`-hh:mm`, else undefined. */
function splitZone(text: string): [string, string] | undefined {
  if (text.endsWith('Z')) return [text.slice(0, -1), 'Z']
  return text.length > 6 ? [text.slice(0, -6), text.slice(-6)] : undefined
}

/**
 * `date-time` as gojsonschema (the server's validator) checks it: any of Go's layouts "15:04:05",
 * "15:04:05Z07:00", "2006-01-02" and RFC 3339 parses the text. Go's time.Parse reads an hour of one digit,
 * fractional seconds (after `.` or `,`) after the seconds of any layout, and zone offsets up to +24:60.
 */
export function goDateTime(text: string): boolean {
  if (validDate(text) || validTime(text)) return true
  const t = text.indexOf('T')
  if (t < 0) {
    const z = splitZone(text)
    return z !== undefined && validTime(z[0]) && validZone(z[1])
  }
  const z = splitZone(text.slice(t + 1))
  return validDate(text.slice(0, t)) && z !== undefined && validTime(z[0]) && validZone(z[1])
}

/** `uri` as gojsonschema checks it: Go's url.Parse succeeds with a scheme, and no backslash. */
export function goURI(text: string): boolean {
  const u = parseGoURL(text)
  return !('error' in u) && u.scheme !== '' && !text.includes('\\')
}

function compile(): { document: ValidateFunction; publisher: ValidateFunction } {
  // strict off: the schemas use keywords such as "example" that are annotations only
  const ajv = addFormats(new Ajv2020({ strict: false, allErrors: false, validateSchema: false }))
  ajv.addFormat('date-time', goDateTime)
  ajv.addFormat('uri', goURI)
  // server.schema.json declares draft-07; its keywords mean the same under 2020-12 (no array-form items)
  const { $schema: _draft7, ...server } = serverSchema as Record<string, unknown>
  ajv.addSchema(server)
  ajv.addSchema(skillSchema as Record<string, unknown>)
  ajv.addSchema(pluginSchema as Record<string, unknown>)
  return { document: ajv.compile(upstreamSchema as Record<string, unknown>), publisher: ajv.compile(publisherSchema as Record<string, unknown>) }
}
const validators = compile()

/** `/data/servers/0/name` → `data.servers[0].name`. */
function where(pointer: string, base = ''): string {
  return fieldPath(base, pointerParts(pointer))
}

function describe(e: ErrorObject, base = ''): string {
  if (e.keyword === 'required') {
    const at = where(e.instancePath, base)
    return `${at === '' ? '' : `${at}.`}${(e.params as { missingProperty: string }).missingProperty} is required`
  }
  const at = where(e.instancePath, base) || 'the document'
  if (e.keyword === 'enum') return `${at}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`
  return `${at}: ${e.message as string}`
}

/** Checks one registry document; returns the number of servers or the first problem, naming the field. */
export function checkRegistryDocument(text: string): { servers: number } | { problem: string } {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    return { problem: text.trim() === '' ? 'is empty' : `is not JSON (${(err as Error).message})` }
  }
  if (!validators.document(doc)) {
    return { problem: describe((validators.document.errors as ErrorObject[])[0] as ErrorObject) }
  }
  // the schema has made sure of objects with a name and a description
  const servers = (doc as { data: { servers: Record<string, unknown>[] } }).data.servers
  for (const [i, server] of servers.entries()) {
    const meta = server['_meta']
    const extension = isRecord(meta) ? meta[PUBLISHER_PROVIDED] : undefined
    if (isRecord(extension) && !validators.publisher(extension)) {
      return { problem: describe((validators.publisher.errors as ErrorObject[])[0] as ErrorObject, `data.servers[${i}]._meta["${PUBLISHER_PROVIDED}"]`) }
    }
  }
  if (servers.length === 0) return { problem: 'data.servers: needs at least one server (the server refuses an empty registry)' }
  return { servers: servers.length }
}
