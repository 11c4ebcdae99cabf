/**
 * config.yaml decoded as viper and mapstructure do (weakly typed, keys in any case): the decoded values, and
 * the problems a user reads in ConfigValid with the field they name. The whole-config behaviour (line numbers,
 * the rules after decoding) is in config-yaml.test.ts.
 */
import t from 'tap'
import { fieldPath } from '../src/basics/field-path.js'
import { CONFIG_KIND, decode, viperSettings } from '../src/validation/config-decode.js'
import { checkConfigYAML, SERVER_RULES } from '../src/validation/config-yaml.js'
import { CONFIG_DB as DB, CONFIG_ANON as ANON, CONFIG_K8S as K8S } from './fixtures/helpers.js'

type Kind = Parameters<typeof decode>[1]

/** The decoded value and the problems, each as `field: message`. */
function decoded(value: unknown, kind: Kind): { value: unknown; problems: string[] } {
  const problems: string[] = []
  const out = decode(value, kind, [], { add: (path, message) => problems.push(`${fieldPath('', path)}: ${message}`) })
  return { value: out, problems }
}
const problemsOf = (value: unknown, kind: Kind): string[] => decoded(value, kind).problems

const issues = (text: string) => checkConfigYAML(text, [], SERVER_RULES['v1.5']).issues.map((i) => `${i.field}: ${i.message}`)

t.test('null and absent values decode to nothing, with no problem, whatever the kind', async (t) => {
  const kinds: Kind[] = ['string', 'int', 'int32', 'bool', 'float', 'strings', 'anyMap', { struct: { name: 'string' } }, { list: { struct: { name: 'string' } } }]
  for (const kind of kinds) {
    for (const value of [null, undefined]) {
      t.strictSame(decoded(value, kind), { value: undefined, problems: [] }, `${String(value)} as ${JSON.stringify(kind)}`)
    }
  }
})

t.test('a field written as null is left out of the decoded mapping, as if not written', async (t) => {
  t.strictSame(decoded({ name: null, port: 5432 }, { struct: { name: 'string', port: 'int' } }), { value: { port: 5432n }, problems: [] })
})

t.test('problems name the value: a list, a mapping, or the value itself', async (t) => {
  t.same(problemsOf([1, 2], 'int'), [': a list is not a whole number; write a number'])
  t.same(problemsOf({ a: 1 }, 'int'), [': a mapping is not a whole number; write a number'])
  t.same(problemsOf('ten', 'int'), [': "ten" is not a whole number; write a number'])
  t.same(problemsOf(true, 'anyMap'), [': expected a mapping, got true'])
})

t.test('a value longer than 40 characters is cut at 40 in messages', async (t) => {
  const forty = `"${'x'.repeat(38)}"`
  t.same(problemsOf('x'.repeat(38), 'int'), [`: ${forty} is not a whole number; write a number`], '40 characters are shown whole')
  t.same(problemsOf('x'.repeat(39), 'int'), [`: "${'x'.repeat(39)}… is not a whole number; write a number`], '41 characters: the first 40 and an ellipsis')
})

t.test('each kind says what it expected and how to fix it', async (t) => {
  const rows: [unknown, Kind, string][] = [
    [['a'], 'string', ': expected a string, got a list; write a plain value'],
    ['ten', 'int32', ': "ten" is not a whole number; write a number'],
    ['yes', 'bool', ': "yes" is not a boolean; write true or false'],
    ['half', 'float', ': "half" is not a number; write a number such as 0.5'],
    [['a'], 'anyMap', ': expected a mapping, got a list'],
    ['a,b', { list: { struct: { name: 'string' } } }, ': expected a list of mappings, got "a,b"'],
    [5, { struct: { name: 'string' } }, ': must be a mapping, got 5; use {} for no settings'],
  ]
  for (const [value, kind, problem] of rows) {
    t.strictSame(decoded(value, kind), { value: undefined, problems: [problem] }, `${JSON.stringify(value)} as ${JSON.stringify(kind)}`)
  }
})

t.test('an empty string is the whole number 0, as Go reads it for mapstructure', async (t) => {
  t.strictSame(decoded('', 'int'), { value: 0n, problems: [] })
  t.strictSame(decoded('', 'int32'), { value: 0n, problems: [] })
})

t.test('booleans as strconv.ParseBool reads them; numbers are true unless 0', async (t) => {
  for (const text of ['1', 't', 'T', 'TRUE', 'true', 'True']) t.strictSame(decoded(text, 'bool'), { value: true, problems: [] }, `${JSON.stringify(text)} is true`)
  for (const text of ['', '0', 'f', 'F', 'FALSE', 'false', 'False']) t.strictSame(decoded(text, 'bool'), { value: false, problems: [] }, `${JSON.stringify(text)} is false`)
  t.strictSame(decoded(0, 'bool'), { value: false, problems: [] })
  for (const n of [2, -1, 0.5]) t.strictSame(decoded(n, 'bool'), { value: true, problems: [] }, `${n} is true`)
  for (const text of ['yes', 'on', 'tRUE', ' true']) t.same(problemsOf(text, 'bool'), [`: ${JSON.stringify(text)} is not a boolean; write true or false`])
})

t.test('a number written as a string must be the number alone, without spaces', async (t) => {
  t.strictSame(decoded('0.5', 'float'), { value: 0.5, problems: [] })
  t.strictSame(decoded('', 'float'), { value: 0, problems: [] })
  for (const text of [' 0.5', '0.5 ', 'abc']) {
    t.strictSame(decoded(text, 'float'), { value: undefined, problems: [`: ${JSON.stringify(text)} is not a number; write a number such as 0.5`] }, JSON.stringify(text))
  }
})

t.test('a list of strings: written as a list, split at commas, or a single value', async (t) => {
  t.strictSame(decoded(['a', null, 3, true], 'strings'), { value: ['a', '', '3', '1'], problems: [] }, 'a null item is the empty string')
  t.strictSame(decoded('a,b', 'strings'), { value: ['a', 'b'], problems: [] })
  t.strictSame(decoded(5, 'strings'), { value: ['5'], problems: [] }, 'a single value is a list of one')
  t.strictSame(decoded(false, 'strings'), { value: ['0'], problems: [] })
  t.strictSame(decoded({ a: 1 }, 'strings'), { value: undefined, problems: [': expected a string, got a mapping; write a plain value'] }, 'a mapping is neither')
})

t.test('keys match in any case, the exact one first; problems name the key as written', async (t) => {
  const kind: Kind = { struct: { name: 'string', port: 'int' } }
  t.strictSame(decoded({ NAME: 'A' }, kind), { value: { name: 'A' }, problems: [] })
  t.strictSame(decoded({ Name: 'A', name: 'b' }, kind), { value: { name: 'b' }, problems: [] }, 'exact key after a case variant')
  t.strictSame(decoded({ name: 'b', Name: 'A' }, kind), { value: { name: 'b' }, problems: [] }, 'exact key before a case variant')
  t.same(problemsOf({ PORT: 'x' }, kind), ['PORT: "x" is not a whole number; write a number'])
})

t.test('viper drops mappings that are empty once their own empty mappings are gone; lists are kept as written', async (t) => {
  t.strictSame(viperSettings({ a: 1, b: {}, c: { d: {}, e: { f: {} } }, g: { h: 'x', i: {} }, j: [], k: [{}], l: null }), { a: 1, g: { h: 'x' }, j: [], k: [{}], l: null })
})

t.test('nested settings of config.yaml are decoded and checked too', async (t) => {
  const filter = `sources:\n  - name: k8s\n    kubernetes: {}\n    filter:\n      names: {include: [a], exclude: {x: 1}}\n      tags: {include: {y: 1}}\nregistries:\n  - name: default\n    sources: [k8s]\n${DB}${ANON}`
  t.same(issues(filter), [
    'spec.configYAML line 5, sources[0].filter.names.exclude: expected a string, got a mapping; write a plain value',
    'spec.configYAML line 6, sources[0].filter.tags.include: expected a string, got a mapping; write a plain value',
  ])
  t.same(issues(`${K8S}database:\n  host: postgres\n  dynamicAuth: {awsRdsIam: {region: [eu, us]}}\n${ANON}`), [
    'spec.configYAML line 9, database.dynamicAuth.awsRdsIam.region: expected a string, got a list; write a plain value',
  ])
  t.same(issues(`${K8S}${DB}auth:\n  mode: anonymous\n  authz: {roles: [admin]}\n`), [
    'spec.configYAML line 10, auth.authz.roles: must be a mapping, got a list; use {} for no settings',
  ])
  t.same(issues(`${K8S}${DB}${ANON}telemetry:\n  metrics: {enabled: "yes"}\n`), [
    'spec.configYAML line 10, telemetry.metrics.enabled: "yes" is not a boolean; write true or false',
  ])
})

t.test('the decoded config keeps the nested settings', async (t) => {
  const config = {
    sources: [{ name: 'k8s', filter: { names: { include: 'a,b', exclude: ['c'] }, tags: { include: 'x', exclude: 'y' } } }],
    database: { dynamicAuth: { awsRdsIam: { region: 'eu-west-1' } } },
    telemetry: { tracing: { enabled: 'true', sampling: '0.25' }, metrics: { enabled: 1 } },
  }
  t.strictSame(decoded(config, CONFIG_KIND), {
    value: {
      sources: [{ name: 'k8s', filter: { names: { include: ['a', 'b'], exclude: ['c'] }, tags: { include: ['x'], exclude: ['y'] } } }],
      database: { dynamicAuth: { awsRdsIam: { region: 'eu-west-1' } } },
      telemetry: { tracing: { enabled: true, sampling: 0.25 }, metrics: { enabled: true } },
    },
    problems: [],
  })
})
