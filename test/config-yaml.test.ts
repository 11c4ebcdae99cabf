/**
 * configYAML checks (SPEC §4, U§2.6): what a user reads in ConfigValid. The verdicts themselves (does the
 * server accept this config?) are checked case by case against the real server's recorded verdicts in
 * server-verdicts.test.ts; this file checks the messages, the line numbers, the version choice and the
 * helpers that mirror Go.
 */
import t from 'tap'
import { checkConfigYAML, parseGoDuration, parseGoURL, rulesForImage, SERVER_RULES } from '../src/validation/config-yaml.js'
import { CONFIG_DB as DB, CONFIG_ANON as ANON, CONFIG_K8S as K8S } from './fixtures/helpers.js'

const mounts = [{ name: 'data', mountPath: '/data' }, { name: 'secret', mountPath: '/secrets/git/' }, { name: 'one', mountPath: '/etc/ca.crt', subPath: 'ca.crt' }]
const issues = (text: string, rules = SERVER_RULES['v1.5']) => checkConfigYAML(text, mounts, rules).issues.map((i) => `${i.field}: ${i.message}`)

t.test('a valid config gives a summary with the file sources', async (t) => {
  t.same(checkConfigYAML(K8S + DB + ANON, [], SERVER_RULES['v1.5']), { issues: [], config: { sources: 1, registries: 1, fileSources: [] } })
  const full = `sources:
  - name: files
    file: {path: /data//team/./registry.json}
    syncPolicy: {interval: 1h30m}
  - name: repo
    git: {repository: https://git.example.com/r, auth: {username: git, passwordFile: /secrets/git/token}}
    syncPolicy: {interval: 1h}
  - name: k8s
    kubernetes:
      namespaces: team-a,team-b
registries:
  - name: default
    sources: files,repo
${DB}auth:
  mode: oauth
  oauth:
    providers:
      - name: idp
        issuerUrl: https://idp.example.com
        audience: registry
        caCertPath: /etc/ca.crt
        authTokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token
`
  t.same(checkConfigYAML(full, mounts, SERVER_RULES['v1.5']), {
    issues: [],
    config: { sources: 3, registries: 1, fileSources: [{ name: 'files', path: '/data/team/registry.json' }] },
  }, 'paths as the server cleans them; comma lists and the service-account files every pod has')
})

t.test('messages name the line, the field and the fix', async (t) => {
  t.same(issues(`sources:\n  - name: a\n    api: {endpoint: https://x}\n    syncPolicy: {interval: 1 hour}\nregistries: [{name: d, sources: [a]}]\n${DB}${ANON}`), [
    'spec.configYAML line 4, sources[0].syncPolicy.interval: "1 hour" is not a duration; use a Go duration such as 30m or 1h',
  ])
  t.same(issues(`${K8S}${DB}auth:\n  oauth:\n    providers: [{name: a, issuerUrl: https://i, audience: x}]\n`), [
    'spec.configYAML line 9, auth.mode: is required (the server refuses a config without it); use anonymous or oauth',
  ], 'the server validates auth.mode before it applies its oauth default')
  t.same(issues(`${K8S}${DB}${DB}${ANON}`), ['spec.configYAML line 8: is not valid YAML (key "database" appears twice in one mapping); fix the syntax'])
  t.same(issues('sources: [\n'), ['spec.configYAML line 2: is not valid YAML (Flow sequence in block collection must be sufficiently indented and end with a ]); fix the syntax'])
  t.same(issues('- a\n'), ['spec.configYAML: must be a YAML mapping with sources, registries, database and auth; see the registry server documentation'])
  t.equal(issues(`Sources:\n  - Name: A\n    Kubernetes: {}\nregistries: [{name: d, sources: [A]}]\n${DB}${ANON}`)[0],
    'spec.configYAML line 2, Sources[0].Name: "A" must be a DNS label (lower-case letters, digits and "-", at most 63 characters); rename the source',
    'keys in any case, named as the user wrote them')
  t.same(issues(`sources:\n  - {name: a, file: {path: /config/registry/a.json}, syncPolicy: {interval: 1h}}\nregistries: [{name: d, sources: [a]}]\n${DB}${ANON}`), [
    'spec.configYAML line 2, sources[0].file.path: /config/registry/a.json is not under any volumeMount of the registry-api container (/config holds only config.yaml); add a volume and a volumeMount whose mountPath contains this file',
  ])
})

t.test('oauth settings without providers need one', async (t) => {
  t.same(issues(`${K8S}${DB}auth:\n  mode: oauth\n  oauth: {realm: r}\n`), [
    'spec.configYAML line 10, auth.oauth.providers: needs at least one provider in oauth mode; add one or set mode: anonymous',
  ])
})

t.test('a volume mounted at / holds every file', async (t) => {
  const text = `sources:\n  - {name: a, file: {path: /anywhere/registry.json}, syncPolicy: {interval: 1h}}\nregistries: [{name: d, sources: [a]}]\n${DB}${ANON}`
  t.same(checkConfigYAML(text, [{ name: 'root', mountPath: '/' }], SERVER_RULES['v1.5']).issues, [])
})

t.test('hostile YAML gives a problem, never an exception (issue 7)', async (t) => {
  t.same(issues(`${K8S}database: {host: postgres, port: 5432, user: *nope, database: registry}\n${ANON}`), [
    'spec.configYAML line 7, database.user: is an alias to an anchor defined nowhere before it (*nope); define &nope first or write the value',
  ])
  const bomb = `${K8S}${DB}${ANON}a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`
  t.same(issues(bomb), ['spec.configYAML: is not valid YAML (more than 100 aliases are expanded; write the values out)'])
  t.same(issues(`${K8S}database:\n  <<: 5\n  host: postgres\n${ANON}`), ['spec.configYAML: is not valid YAML (Merge sources must be maps or map aliases; fix the syntax)'])
  t.match(issues(`sources:\n  - {name: a, file: {path: "${'/'.repeat(100_000)}"}, syncPolicy: {interval: 1h}}\nregistries: [{name: d, sources: [a]}]\n${DB}${ANON}`), [/^spec\.configYAML line 2, sources\[0\]\.file\.path: \/{80}… is not under any volumeMount/])
  t.same(issues(`sources:\n  - {name: a, file: {path: /data/../etc/passwd}, syncPolicy: {interval: 1h}}\nregistries: [{name: d, sources: [a]}]\n${DB}${ANON}`), [
    'spec.configYAML line 2, sources[0].file.path: /data/../etc/passwd leaves its directory with ".."; write the path without ".."',
  ])
})

t.test('the image version chooses the rules', async (t) => {
  t.equal(rulesForImage('ghcr.io/stacklok/thv-registry-api:v1.5.3'), SERVER_RULES['v1.5'])
  t.equal(rulesForImage('mirror.example.com:5000/thv-registry-api:1.5.0@sha256:abc'), SERVER_RULES['v1.5'], 'a registry port is not a tag')
  t.equal(rulesForImage('ghcr.io/stacklok/thv-registry-api:v1.3.0'), SERVER_RULES['v1.3'])
  for (const image of ['ghcr.io/stacklok/thv-registry-api:v1.3.1', 'ghcr.io/stacklok/thv-registry-api:v1.5.4', 'ghcr.io/stacklok/thv-registry-api:v1.4.2', 'ghcr.io/stacklok/thv-registry-api:latest', 'ghcr.io/stacklok/thv-registry-api', 'mirror.example.com:5000/thv-registry-api']) {
    t.equal(rulesForImage(image), undefined, `${image} is not a version the hook knows`)
  }
  const apiTimeout = `sources:\n  - {name: a, api: {endpoint: https://x, timeout: 10m}, syncPolicy: {interval: 1h}}\nregistries: [{name: d, sources: [a]}]\n${DB}${ANON}`
  t.same(issues(apiTimeout, SERVER_RULES['v1.3']), [], 'v1.3.0 has no api.timeout')
  t.same(issues(apiTimeout), ['spec.configYAML line 2, sources[0].api.timeout: "10m" must not exceed 5m; use a Go duration such as 30s'])
  t.same(checkConfigYAML('sources: 7\n', [], undefined, 'example.com/registry:v9'), {
    issues: [],
    config: { sources: 0, registries: 0, fileSources: [], unchecked: 'example.com/registry:v9' },
  }, 'an unknown version gets structural checks only')
  t.equal(checkConfigYAML('- a\n', [], undefined).issues.length, 1, 'still a mapping')
})

t.test("Go's time.ParseDuration", async (t) => {
  const ok: [string, bigint][] = [
    ['0', 0n], ['5s', 5_000_000_000n], ['+5s', 5_000_000_000n], ['-5s', -5_000_000_000n], ['1.5h', 5_400_000_000_000n],
    ['.5h', 1_800_000_000_000n], ['5.h', 18_000_000_000_000n], ['1h30m', 5_400_000_000_000n], ['10µs', 10_000n], ['10μs', 10_000n],
    ['10us', 10_000n], ['3ns', 3n], ['1.000000001s', 1_000_000_001n], ['9223372036854775807ns', 9223372036854775807n],
    ['-9223372036854775808ns', -9223372036854775808n],
  ]
  for (const [text, ns] of ok) t.equal(parseGoDuration(text), ns, text)
  for (const text of ['', '-', '3', 's', '.s', '1d', '1 h', '1H', '9223372036854775808ns', '9999999999h', '1e3s', `${'1'.repeat(100_000)}h`]) {
    t.equal(parseGoDuration(text), undefined, `${text.slice(0, 20)} is refused`)
  }
})

t.test("Go's url.Parse, as the server uses it", async (t) => {
  t.same(parseGoURL('https://user@idp.example.com:8443/realms?x#y'), { scheme: 'https', host: 'idp.example.com:8443', hostname: 'idp.example.com' })
  t.same(parseGoURL('http://[::1]:9000/'), { scheme: 'http', host: '[::1]:9000', hostname: '::1' })
  t.same(parseGoURL('/relative'), { scheme: '', host: '', hostname: '' })
  t.same(parseGoURL('mailto:x'), { scheme: 'mailto', host: '', hostname: '' })
  t.same(parseGoURL('http://[::1'), { error: "missing ']' in host" })
  t.same(parseGoURL('http://[::1]x'), { error: 'invalid port "x" after host' })
  t.same(parseGoURL('http://host:port'), { error: 'invalid port ":port" after host' })
  t.same(parseGoURL('http://ho st'), { error: 'invalid character in host name' })
  t.same(parseGoURL(':x'), { error: 'missing protocol scheme' })
  t.same(parseGoURL('http://x\n'), { error: 'invalid control character in URL' })
})

t.test("registry data formats as the server's validator (gojsonschema) reads them", async (t) => {
  const { goDateTime, goURI } = await import('../src/validation/registry-document.js')
  for (const ok of ['2026-11-01T12:00:00Z', '2026-11-01T12:00:00.123+02:00', '2024-02-29T00:00:00Z', '2026-11-01', '12:00:00', '12:00:00Z', '12:00:00-07:30', '12:00:00.5']) t.ok(goDateTime(ok), `${ok} is a date-time`)
  for (const bad of ['2026-13-01T00:00:00Z', '2026-02-29', '2026-11-01T24:00:00Z', '2026-11-01T12:00:00', '2026-11-01T12:00Z', '12:00', '12:00:00+25:00', 'T', 'yesterday']) t.notOk(goDateTime(bad), `${bad} is not`)
  for (const ok of ['https://example.com/schema.json', 'urn:isbn:0451450523', 'mailto:a@example.com']) t.ok(goURI(ok), `${ok} is a uri`)
  for (const bad of ['not a uri', '/relative', 'http://[::1', 'https://example.com\\x']) t.notOk(goURI(bad), `${bad} is not`)
})
