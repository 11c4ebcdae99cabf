/**
 * Messages name the field the way the user wrote it: a list index of any width in brackets, and an object key
 * in dotted form even when it ends in digits (src/basics/field-path.ts turns the schema's JSON pointers into these).
 */
import t from 'tap'
import { validate } from '../src/validation/spec.js'
import { MINIMAL_CONFIG } from './fixtures/helpers.js'

const base = { configYAML: MINIMAL_CONFIG }
/** Eleven env vars, then `last`. */
const env = (last: unknown) => [...Array.from({ length: 11 }, (_, i) => ({ name: `V${i}`, value: 'x' })), last]

const rows: [what: string, spec: unknown, expected: string[]][] = [
  ['the twelfth env var: an index of two digits', { ...base, podTemplateSpec: { spec: { containers: [{ name: 'registry-api', env: env({ name: '' }) }] } } }, [
    'spec.podTemplateSpec.spec.containers[0].env[11].name: must not be empty; give a value',
  ]],
  ['a label key that ends in a digit is a key, not an index', { ...base, podTemplateSpec: { metadata: { labels: { app1: 5 } } } }, [
    'spec.podTemplateSpec.metadata.labels.app1: must be string; correct the value',
  ]],
  ['a nodeSelector key that ends in digits', { ...base, podTemplateSpec: { spec: { nodeSelector: { zone12: true } } } }, [
    'spec.podTemplateSpec.spec.nodeSelector.zone12: must be string; correct the value',
  ]],
]

for (const [what, spec, expected] of rows) {
  t.test(what, async (t) => {
    t.same(validate('reg', spec).issues.map((i) => `${i.field}: ${i.message}`), expected)
  })
}
