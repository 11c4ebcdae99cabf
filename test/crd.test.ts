/**
 * The CRD: generated from the TypeBox schema (drift fails), structural (Kubernetes rejects others), and a
 * superset of upstream's, so that every object upstream admits is admitted here.
 */
import { readdirSync, readFileSync } from 'node:fs'
import t from 'tap'
import { Compile } from 'typebox/compile'
import { parse, parseAllDocuments } from 'yaml'
import { buildCrd } from '../src/crd/crd.js'
import { renderCrdYaml } from '../src/crd/crd-yaml.js'
import { MCPRegistrySpec } from '../src/schema/mcpregistry.js'
import { readText, root } from './fixtures/helpers.js'

/** Upstream's CRD and examples, vendored (test/fixtures/upstream/README.md says from where). */
const upstreamDir = new URL('test/fixtures/upstream/', root)
type Schema = Record<string, any>

t.test('manifests/crd.yaml is what `npm run gen:crd` writes from the TypeBox schema', async (t) => {
  t.equal(readText('manifests/crd.yaml'), renderCrdYaml(), 'run `npm run gen:crd` and commit the result')
})

t.test('names, versions, printer columns and the status subresource', async (t) => {
  const crd = buildCrd() as Schema
  t.equal(crd['metadata'].name, 'mcpregistries.toolhive.stacklok.dev')
  t.match(crd['spec'], { group: 'toolhive.stacklok.dev', scope: 'Namespaced', names: { kind: 'MCPRegistry', shortNames: ['mcpreg', 'registry'], categories: ['toolhive'] } })
  t.same(crd['spec'].versions.map((v: Schema) => [v['name'], v['served'], v['storage']]), [['v1beta1', true, true], ['v1alpha1', true, false]])
  for (const v of crd['spec'].versions) {
    t.same(v.subresources, { status: {} })
    t.same(v.additionalPrinterColumns.map((c: Schema) => c['name']), ['Status', 'Ready', 'Replicas', 'URL', 'Age'])
  }
  const status = crd['spec'].versions[0].schema.openAPIV3Schema.properties.status.properties
  t.same(Object.keys(status).sort(), ['conditions', 'message', 'observedGeneration', 'phase', 'readyReplicas', 'url'], 'every field the hook writes, plus observedGeneration')
})

const FORBIDDEN = ['$ref', '$defs', 'definitions', 'id', '$id', 'patternProperties', 'additionalItems', 'dependencies', 'const', 'examples', 'uniqueItems', 'exclusiveMinimum', 'exclusiveMaximum']
/** Problems that make the API server reject a schema or call it non-structural. */
function lint(node: Schema, path: string, out: string[]): string[] {
  for (const k of FORBIDDEN) if (k in node) out.push(`${path}: ${k} is not allowed`)
  const free = node['x-kubernetes-preserve-unknown-fields'] === true || node['x-kubernetes-int-or-string'] === true
  if (typeof node['type'] !== 'string' && !free) out.push(`${path}: no type`)
  if (node['x-kubernetes-preserve-unknown-fields'] === false) out.push(`${path}: preserve-unknown-fields false`)
  if (node['additionalProperties'] !== undefined && node['properties'] !== undefined && Object.keys(node['properties']).length > 0) out.push(`${path}: additionalProperties with properties`)
  for (const k of ['anyOf', 'oneOf', 'allOf', 'not']) if (k in node) out.push(`${path}: ${k}`)
  for (const [k, v] of Object.entries(node['properties'] ?? {})) lint(v as Schema, `${path}.${k}`, out)
  if (node['items'] !== undefined) lint(node['items'], `${path}[]`, out)
  if (typeof node['additionalProperties'] === 'object') lint(node['additionalProperties'], `${path}{}`, out)
  return out
}

t.test('the schema is structural', async (t) => {
  const crd = buildCrd() as Schema
  t.same(lint(crd['spec'].versions[0].schema.openAPIV3Schema, 'root', []), [])
  t.same(
    lint({ type: 'object', properties: { a: { anyOf: [], const: 1 } }, additionalProperties: {} }, 'x', []),
    ['x: additionalProperties with properties', 'x.a: const is not allowed', 'x.a: no type', 'x.a: anyOf', 'x{}: no type'],
    'the lint finds problems',
  )
})

const CONSTRAINTS = ['minLength', 'maxLength', 'pattern', 'enum', 'minimum', 'maximum', 'minItems', 'maxItems', 'format']
/** Where `ours` is stricter than `theirs` (upstream), or lacks a field upstream has. */
function stricter(ours: Schema | undefined, theirs: Schema, path: string, out: string[]): string[] {
  if (ours === undefined) {
    out.push(`${path}: missing`)
    return out
  }
  if (ours['type'] !== theirs['type'] && ours['x-kubernetes-preserve-unknown-fields'] !== true) out.push(`${path}: type ${ours['type']} vs ${theirs['type']}`)
  for (const r of ours['required'] ?? []) if (!(theirs['required'] ?? []).includes(r)) out.push(`${path}: requires ${r}`)
  for (const c of CONSTRAINTS) if (c in ours && JSON.stringify(ours[c]) !== JSON.stringify(theirs[c])) out.push(`${path}: ${c}`)
  if (theirs['x-kubernetes-preserve-unknown-fields'] === true && ours['x-kubernetes-preserve-unknown-fields'] !== true) out.push(`${path}: prunes what upstream keeps`)
  for (const [k, v] of Object.entries(theirs['properties'] ?? {})) stricter(ours['properties']?.[k], v as Schema, `${path}.${k}`, out)
  if (theirs['items'] !== undefined) stricter(ours['items'], theirs['items'], `${path}[]`, out)
  return out
}

t.test('every object upstream admits is admitted: the spec schema is no stricter than upstream\'s', async (t) => {
  const upstream = parse(readFileSync(new URL('toolhive.stacklok.dev_mcpregistries.yaml', upstreamDir), 'utf8').replace(/^---\n/, ''))
  const ours = (buildCrd() as Schema)['spec'].versions[0].schema.openAPIV3Schema
  for (const version of upstream.spec.versions) {
    t.same(stricter(ours.properties.spec, version.schema.openAPIV3Schema.properties.spec, 'spec', []), [], `upstream ${version.name}`)
  }
  t.same(stricter({ type: 'string', minLength: 2 }, { type: 'object', properties: { a: {} } }, 'x', []), ['x: type string vs object', 'x: minLength', 'x.a: missing'], 'the comparison finds differences')
})

t.test('every upstream example is admitted by the spec schema', async (t) => {
  const validator = Compile(MCPRegistrySpec)
  const files = readdirSync(upstreamDir).filter((f) => f.startsWith('mcpregistry-') && f.endsWith('.yaml'))
  t.equal(files.length, 6)
  for (const f of files) {
    for (const doc of parseAllDocuments(readFileSync(new URL(f, upstreamDir), 'utf8'))) {
      const obj = (doc as { toJS(): any }).toJS()
      if (obj?.kind === 'MCPRegistry') t.ok(validator.Check(obj.spec), f)
    }
  }
})
