/**
 * The configYAML check's entry point (src/validation/config-yaml.ts): which rules an image gets, how YAML
 * problems read, which line a problem names, and what stops the check early. What a user reads in the
 * ConfigValid condition.
 */
import t from 'tap'
import { checkConfigYAML, rulesForImage, SERVER_RULES } from '../src/validation/config-yaml.js'
import { CONFIG_DB as DB, CONFIG_ANON as ANON, CONFIG_K8S as K8S } from './fixtures/helpers.js'

const shown = (text: string): string[] => checkConfigYAML(text, [], SERVER_RULES['v1.5']).issues.map((i) => `${i.field}: ${i.message}`)

t.test('every recorded image tag chooses its rules, with or without the v and a digest', async (t) => {
  const rows: [string, string][] = [
    ['v1.3.0', 'v1.3'],
    ['v1.5.0', 'v1.5'],
    ['v1.5.1', 'v1.5'],
    ['v1.5.2', 'v1.5'],
    ['v1.5.3', 'v1.5'],
    ['1.5.1', 'v1.5'],
    ['1.5.2@sha256:abc', 'v1.5'],
  ]
  for (const [tag, rules] of rows) t.equal(rulesForImage(`ghcr.io/stacklok/thv-registry-api:${tag}`), SERVER_RULES[rules], `${tag}: the ${rules} rules`)
})

t.test('an image whose name looks like a version but has no tag gets no rules', async (t) => {
  for (const image of ['v1.5.3', '1.3.0', 'v1.5.1@sha256:abc']) t.equal(rulesForImage(image), undefined, `${image} is an image name (tag latest)`)
})

t.test("YAML problems keep the parser's words; only a repeated key is named", async (t) => {
  const rows: [string, string][] = [
    ['database:\n  host: postgres\n port: 5432\n', 'spec.configYAML line 3: is not valid YAML (All mapping items must start at the same column); fix the syntax'],
    ['auth: mode: anonymous\n', 'spec.configYAML line 1: is not valid YAML (Nested mappings are not allowed in compact mappings); fix the syntax'],
    ['database:\n  host: a\n  host : b\n', 'spec.configYAML line 3: is not valid YAML (key "host" appears twice in one mapping); fix the syntax'],
    ['database: {host: a, host : b}\n', 'spec.configYAML line 1: is not valid YAML (key "host" appears twice in one mapping); fix the syntax'],
    ['database:\n  ? host\n  : a\n  ? host\n  : b\n', 'spec.configYAML line 4: is not valid YAML (Map keys must be unique); fix the syntax'],
  ]
  for (const [text, issue] of rows) t.same(shown(text), [issue], JSON.stringify(text))
})

t.test('a missing top-level key is reported at line 1, even after comments', async (t) => {
  t.same(shown(`# the registry's settings\n\n${K8S}${ANON}`), ['spec.configYAML line 1, database: is required; give host, port, user and database'])
})

t.test('an empty config.yaml is an empty mapping: the rules name what is missing', async (t) => {
  const missing = [
    'spec.configYAML line 1, sources: needs at least one source; add e.g. "sources: [{name: k8s, kubernetes: {}}]"',
    'spec.configYAML line 1, registries: needs at least one registry; add e.g. "registries: [{name: default, sources: [<source name>]}]"',
    'spec.configYAML line 1, database: is required; give host, port, user and database',
    'spec.configYAML line 1, auth: is required; use "auth: {mode: anonymous}" or configure oauth',
  ]
  t.same(shown(''), missing, 'no text')
  t.same(shown('# nothing yet\n'), missing, 'only a comment')
  t.same(checkConfigYAML('# nothing yet\n', [], undefined, 'example.com/registry:v9'), {
    issues: [],
    config: { sources: 0, registries: 0, fileSources: [], unchecked: 'example.com/registry:v9' },
  }, 'an unknown version: nothing to count, and no problem')
})

t.test('a value that cannot be decoded is the only problem reported (the server stops there)', async (t) => {
  t.same(shown(`${K8S}database: {host: postgres, port: abc, user: db_app, database: registry}\n`), [
    'spec.configYAML line 7, database.port: "abc" is not a whole number; write a number',
  ], 'neither the missing auth nor the port, which decoding left out, is reported')
})

t.test('a key written in two cases: the path names the one that was read (the exact case first)', async (t) => {
  const text = `Sources:\n  - name: ok\n    kubernetes: {}\nsources:\n  - name: Bad\n    kubernetes: {}\nregistries: [{name: d, sources: [ok]}]\n${DB}${ANON}`
  t.same(shown(text), [
    'spec.configYAML line 5, sources[0].name: "Bad" must be a DNS label (lower-case letters, digits and "-", at most 63 characters); rename the source',
    'spec.configYAML line 7, registries[0].sources[0]: "ok" is not a source defined under sources; use one of: (none)',
  ])
})
