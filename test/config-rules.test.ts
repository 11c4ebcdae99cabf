/**
 * The registry server's rules for a decoded config.yaml (src/validation/config-rules.ts, README "Validation
 * rules"), one table per part of the config: the config a user writes, and the problems ConfigValid then
 * lists (line, field path and message), or none when the server would accept it.
 */
import t, { type Test } from 'tap'
import { checkConfigYAML, SERVER_RULES } from '../src/validation/config-yaml.js'
import { CONFIG_DB as DB, CONFIG_ANON as ANON } from './fixtures/helpers.js'

const MOUNTS = [{ name: 'data', mountPath: '/data' }]
const issues = (text: string, mounts: { name: string; mountPath: string }[] = MOUNTS) =>
  checkConfigYAML(text, mounts, SERVER_RULES['v1.5']).issues.map((i) => `${i.field}: ${i.message}`)

/** A config whose first source (line 2) is `a`, a kubernetes source; the source under test is on line 3. */
const withSource = (source: string) => `sources:\n  - {name: a, kubernetes: {}}\n  - ${source}\nregistries: [{name: default, sources: [a]}]\n${DB}${ANON}`
/** A claim the server refuses, to show whether the source's checks went on past the rule under test. */
const BAD_CLAIM = 'claims: {level: 3}'
const SYNC = 'syncPolicy: {interval: 1h}'
const CLAIM_ISSUE = 'spec.configYAML line 3, sources[1].claims.level: must be a string or a list of strings'

type Case = [what: string, text: string, expected: string[]]
function table(t: Test, cases: Case[]): void {
  for (const [what, text, expected] of cases) t.same(issues(text), expected, what)
}

t.test('sources: given, named with a unique DNS label, of exactly one type', async (t) => {
  const x70 = 'x'.repeat(70)
  table(t, [
    ['no sources and no registries', `${DB}${ANON}`, [
      'spec.configYAML line 1, sources: needs at least one source; add e.g. "sources: [{name: k8s, kubernetes: {}}]"',
      'spec.configYAML line 1, registries: needs at least one registry; add e.g. "registries: [{name: default, sources: [<source name>]}]"',
    ]],
    ['a source without a name: its checks stop there (no type problem)', withSource(`{${SYNC}}`), [
      'spec.configYAML line 3, sources[1].name: is required; name the source (a DNS label such as "team")',
    ]],
    ['a name used twice', withSource('{name: a, kubernetes: {}}'), [
      'spec.configYAML line 3, sources[1].name: source name "a" is used twice; give each source its own name',
    ]],
    ['a name of 70 characters is shown whole', withSource(`{name: ${x70}, kubernetes: {}}`), [
      `spec.configYAML line 3, sources[1].name: "${x70}" must be a DNS label (lower-case letters, digits and "-", at most 63 characters); rename the source`,
    ]],
    ['a longer name is clipped at 70 characters', withSource(`{name: ${x70}y, kubernetes: {}}`), [
      `spec.configYAML line 3, sources[1].name: "${x70}…" must be a DNS label (lower-case letters, digits and "-", at most 63 characters); rename the source`,
    ]],
    ['no source type: its checks stop there (no syncPolicy problem)', withSource('{name: b}'), [
      'spec.configYAML line 3, sources[1]: has no source type; give exactly one of git, api, file, managed, kubernetes (as a mapping, {} for no settings)',
    ]],
    ['two source types', withSource('{name: b, git: {repository: https://git.example.com/r}, file: {path: /data/r.json}}'), [
      'spec.configYAML line 3, sources[1]: has 2 source types (git, file); give exactly one of git, api, file, managed, kubernetes (as a mapping, {} for no settings)',
    ]],
    ['every source is checked, not only the first with a problem', `sources:\n  - {name: a}\n  - {name: b}\nregistries: [{name: default, sources: [a]}]\n${DB}${ANON}`, [
      'spec.configYAML line 2, sources[0]: has no source type; give exactly one of git, api, file, managed, kubernetes (as a mapping, {} for no settings)',
      'spec.configYAML line 3, sources[1]: has no source type; give exactly one of git, api, file, managed, kubernetes (as a mapping, {} for no settings)',
    ]],
    ['two managed sources', `sources:\n  - {name: a, managed: {}}\n  - {name: b, managed: {}}\nregistries: [{name: default, sources: [a]}]\n${DB}${ANON}`, [
      'spec.configYAML line 2, sources: has 2 managed sources; at most one is allowed',
    ]],
  ])
})

t.test('kubernetes sources: namespaces are DNS labels, each listed once', async (t) => {
  table(t, [
    ['a bad namespace and one listed twice', withSource('{name: b, kubernetes: {namespaces: [Team, x, x]}}'), [
      'spec.configYAML line 3, sources[1].kubernetes.namespaces[0]: "Team" is not a valid namespace name (a DNS label); fix it',
      'spec.configYAML line 3, sources[1].kubernetes.namespaces[2]: namespace "x" is listed twice; list it once',
    ]],
  ])
})

t.test('git, api and file sources need a syncPolicy interval; a problem there ends the source checks', async (t) => {
  table(t, [
    ['no syncPolicy (and no repository, not reported)', withSource('{name: b, git: {}}'), [
      'spec.configYAML line 3, sources[1].syncPolicy: is required for a git source; add "syncPolicy: {interval: 1h}"',
    ]],
    ['an empty interval', withSource(`{name: b, api: {endpoint: https://api.example.com}, syncPolicy: {interval: ""}, ${BAD_CLAIM}}`), [
      'spec.configYAML line 3, sources[1].syncPolicy.interval: is required; use a Go duration such as 30m or 1h',
    ]],
    ['an interval that is not a duration', withSource(`{name: b, api: {endpoint: https://api.example.com}, syncPolicy: {interval: daily}, ${BAD_CLAIM}}`), [
      'spec.configYAML line 3, sources[1].syncPolicy.interval: "daily" is not a duration; use a Go duration such as 30m or 1h',
    ]],
  ])
})

t.test('git sources: a repository; auth with both username and passwordFile', async (t) => {
  table(t, [
    ['no repository: the checks stop there', withSource(`{name: b, git: {branch: main}, ${SYNC}, ${BAD_CLAIM}}`), [
      'spec.configYAML line 3, sources[1].git.repository: is required; give the repository URL',
    ]],
    ['no auth: the claims are checked next', withSource(`{name: b, git: {repository: https://git.example.com/r}, ${SYNC}, ${BAD_CLAIM}}`), [CLAIM_ISSUE]],
    ['a username without passwordFile', withSource(`{name: b, git: {repository: https://git.example.com/r, auth: {username: git}}, ${SYNC}, ${BAD_CLAIM}}`), [
      'spec.configYAML line 3, sources[1].git.auth.passwordFile: is required with git auth (username and passwordFile go together); e.g. username "git" and the mounted token file',
    ]],
    ['a passwordFile without username', withSource(`{name: b, git: {repository: https://git.example.com/r, auth: {passwordFile: /data/token}}, ${SYNC}}`), [
      'spec.configYAML line 3, sources[1].git.auth.username: is required with git auth (username and passwordFile go together); e.g. username "git" and the mounted token file',
    ]],
    ['full auth: the claims are checked next', withSource(`{name: b, git: {repository: https://git.example.com/r, auth: {username: git, passwordFile: /data/token}}, ${SYNC}, ${BAD_CLAIM}}`), [CLAIM_ISSUE]],
    ['full auth: the passwordFile must be mounted', withSource(`{name: b, git: {repository: https://git.example.com/r, auth: {username: git, passwordFile: /secrets/token}}, ${SYNC}}`), [
      'spec.configYAML line 3, sources[1].git.auth.passwordFile: /secrets/token is not under any volumeMount of the registry-api container; add a volume and a volumeMount whose mountPath contains this file',
    ]],
  ])
})

t.test('api sources: an endpoint; from v1.5 a timeout above 0 and at most 5m', async (t) => {
  const api = (body: string, extra = '') => withSource(`{name: b, api: {${body}}, ${SYNC}${extra}}`)
  table(t, [
    ['no endpoint: the checks stop there', api('timeout: 30s', `, ${BAD_CLAIM}`), [
      'spec.configYAML line 3, sources[1].api.endpoint: is required; give the base URL of the MCP registry API',
    ]],
    ['no timeout: the claims are checked next', api('endpoint: https://api.example.com', `, ${BAD_CLAIM}`), [CLAIM_ISSUE]],
    ['a good timeout: the claims are checked next', api('endpoint: https://api.example.com, timeout: 5m', `, ${BAD_CLAIM}`), [CLAIM_ISSUE]],
    ['a timeout that is not a duration: the checks stop there', api('endpoint: https://api.example.com, timeout: soon', `, ${BAD_CLAIM}`), [
      'spec.configYAML line 3, sources[1].api.timeout: "soon" is not a duration; use a Go duration such as 30s',
    ]],
    ['a zero timeout', api('endpoint: https://api.example.com, timeout: 0s'), [
      'spec.configYAML line 3, sources[1].api.timeout: "0s" must be greater than zero; use a Go duration such as 30s',
    ]],
    ['a negative timeout', api('endpoint: https://api.example.com, timeout: -1s'), [
      'spec.configYAML line 3, sources[1].api.timeout: "-1s" must be greater than zero; use a Go duration such as 30s',
    ]],
    ['a timeout above 5m', api('endpoint: https://api.example.com, timeout: 5m1s'), [
      'spec.configYAML line 3, sources[1].api.timeout: "5m1s" must not exceed 5m; use a Go duration such as 30s',
    ]],
  ])
})

t.test('file sources: path xor url; the url http or https with a host; a timeout that is a Go duration', async (t) => {
  const file = (body: string, extra = '') => withSource(`{name: b, file: {${body}}, ${SYNC}${extra}}`)
  table(t, [
    ['neither path nor url: the checks stop there', file('timeout: 30s', `, ${BAD_CLAIM}`), [
      'spec.configYAML line 3, sources[1].file: needs exactly one of path or url',
    ]],
    ['both path and url', file('path: /data/r.json, url: https://example.com/r.json'), [
      'spec.configYAML line 3, sources[1].file: takes exactly one of path or url',
    ]],
    ['a path: the claims are checked next', file('path: /data/r.json', `, ${BAD_CLAIM}`), [CLAIM_ISSUE]],
    ['a relative path', file('path: data/r.json'), [
      'spec.configYAML line 3, sources[1].file.path: must be an absolute file path',
    ]],
    ['a path under no mount, outside /config', file('path: /srv/r.json'), [
      'spec.configYAML line 3, sources[1].file.path: /srv/r.json is not under any volumeMount of the registry-api container; add a volume and a volumeMount whose mountPath contains this file',
    ]],
    ['a url that is not a URL: the checks stop there', file('url: "http://[::1"', `, ${BAD_CLAIM}`), [
      "spec.configYAML line 3, sources[1].file.url: is not a URL (missing ']' in host)",
    ]],
    ['a url of another scheme', file('url: ftp://example.com/r.json'), [
      'spec.configYAML line 3, sources[1].file.url: must be an absolute http or https URL with a host',
    ]],
    ['a url without a host', file('url: "https:/r.json"'), [
      'spec.configYAML line 3, sources[1].file.url: must be an absolute http or https URL with a host',
    ]],
    ['a url timeout that is not a duration: the checks stop there', file('url: https://example.com/r.json, timeout: soon', `, ${BAD_CLAIM}`), [
      'spec.configYAML line 3, sources[1].file.timeout: "soon" is not a duration; use a Go duration such as 30s',
    ]],
    ['a url and a good timeout: the claims are checked next', file('url: https://example.com/r.json, timeout: 30s', `, ${BAD_CLAIM}`), [CLAIM_ISSUE]],
    ['a url and a good timeout', file('url: https://example.com/r.json, timeout: 30s'), []],
  ])
})

t.test('claims: each a string or a list of strings', async (t) => {
  table(t, [
    ['a list with a number in it', withSource('{name: b, kubernetes: {}, claims: {team: platform, groups: [a, 1]}}'), [
      'spec.configYAML line 3, sources[1].claims.groups: must be a string or a list of strings',
    ]],
    ['strings and lists of strings', withSource('{name: b, kubernetes: {}, claims: {team: platform, groups: [a, b]}}'), []],
  ])
})

t.test('registries: given, named uniquely, each source defined; the first problem of any registry ends the checks', async (t) => {
  const regs = (list: string) => `sources:\n  - {name: a, kubernetes: {}}\n  - {name: b, kubernetes: {}}\nregistries:\n${list}${DB}${ANON}`
  table(t, [
    ['no name: only that problem, and the next registry is not checked', regs('  - {sources: [a]}\n  - {name: x}\n'), [
      'spec.configYAML line 5, registries[0].name: is required; name the registry view (e.g. default)',
    ]],
    ['neither name nor sources: the name only', regs('  - {claims: {team: x}}\n'), [
      'spec.configYAML line 5, registries[0].name: is required; name the registry view (e.g. default)',
    ]],
    ['a name used twice', regs('  - {name: d, sources: [a]}\n  - {name: d, sources: [b]}\n'), [
      'spec.configYAML line 6, registries[1].name: registry name "d" is used twice; give each registry its own name',
    ]],
    ['no sources: the claims are not checked', regs(`  - {name: d, ${BAD_CLAIM}}\n`), [
      'spec.configYAML line 5, registries[0].sources: needs at least one source name',
    ]],
    ['a source that is not defined, and the next registry not checked', regs('  - {name: d, sources: [a, zz]}\n  - {name: e}\n'), [
      'spec.configYAML line 5, registries[0].sources[1]: "zz" is not a source defined under sources; use one of: a, b',
    ]],
    ['a bad claim: the next registry is not checked', regs(`  - {name: d, sources: [a], ${BAD_CLAIM}}\n  - {name: e}\n`), [
      'spec.configYAML line 5, registries[0].claims.level: must be a string or a list of strings',
    ]],
    ['a good registry, then one with a problem', regs('  - {name: d, sources: [a], claims: {team: x}}\n  - {sources: [b]}\n'), [
      'spec.configYAML line 6, registries[1].name: is required; name the registry view (e.g. default)',
    ]],
    ['no source passed its checks', `sources:\n  - {kubernetes: {}}\nregistries: [{name: d, sources: [a]}]\n${DB}${ANON}`, [
      'spec.configYAML line 2, sources[0].name: is required; name the source (a DNS label such as "team")',
      'spec.configYAML line 3, registries[0].sources[0]: "a" is not a source defined under sources; use one of: (none)',
    ]],
  ])
})

const K8S = 'sources: [{name: a, kubernetes: {}}]\nregistries: [{name: default, sources: [a]}]\n'

t.test('database: host, port, user and database; a port number; maxMetaSize above 0; dynamicAuth without a password', async (t) => {
  const db = (fields: string) => `${K8S}database: {${fields}}\n${ANON}`
  const base = 'host: postgres, user: db_app, database: registry'
  table(t, [
    ['no database', `${K8S}${ANON}`, ['spec.configYAML line 1, database: is required; give host, port, user and database']],
    ['no host', db('port: 5432, user: db_app, database: registry'), ['spec.configYAML line 3, database.host: is required; give the PostgreSQL host']],
    ['port 0 is a missing port, reported once', db(`${base}, port: 0`), ['spec.configYAML line 3, database.port: is required; give the PostgreSQL port']],
    ['port 65535', db(`${base}, port: 65535`), []],
    ['port 65536', db(`${base}, port: 65536`), ['spec.configYAML line 3, database.port: is not a port number; use 1 to 65535']],
    ['maxMetaSize 0', db(`${base}, port: 5432, maxMetaSize: 0`), [
      'spec.configYAML line 3, database.maxMetaSize: must be greater than zero (bytes); leave it out for 256 KiB',
    ]],
    ['dynamicAuth without a password', db(`${base}, port: 5432, dynamicAuth: {awsRdsIam: {region: eu-west-1}}`), []],
    ['dynamicAuth with a password', db(`${base}, port: 5432, password: x, dynamicAuth: {awsRdsIam: {region: eu-west-1}}`), [
      'spec.configYAML line 3, database.dynamicAuth: and a password are mutually exclusive; use one authentication method',
    ]],
    ['the sslmodes the migrations support', db(`${base}, port: 5432, sslMode: require`), []],
    ['verify-ca', db(`${base}, port: 5432, sslMode: verify-ca`), []],
    ['an sslmode the migrations do not support', db(`${base}, port: 5432, sslMode: prefer`), [
      `spec.configYAML line 3, database.sslMode: "prefer" is not an sslmode the server's migrations support; use one of disable, require, verify-ca, verify-full`,
    ]],
    ['connMaxLifetime not a duration', db(`${base}, port: 5432, connMaxLifetime: forever`), [
      'spec.configYAML line 3, database.connMaxLifetime: "forever" is not a duration; use a Go duration such as 30m',
    ]],
  ])
})

t.test('audit: maxDataSize up to 1 MiB; a logFile whose directory is under a mount', async (t) => {
  const audit = (fields: string) => `${K8S}${DB}${ANON}audit: {enabled: true, ${fields}}\n`
  table(t, [
    ['maxDataSize 1 MiB', audit('maxDataSize: 1048576'), []],
    ['maxDataSize above 1 MiB', audit('maxDataSize: 1048577'), ['spec.configYAML line 5, audit.maxDataSize: must be from 0 to 1048576 bytes']],
    ['a logFile in a mounted directory', audit('logFile: /data/audit.log'), []],
    ['a logFile that is the mount itself: its directory is /', audit('logFile: /data'), [
      'spec.configYAML line 5, audit.logFile: /data: its directory must exist in the container; use a path under a volumeMount or /tmp',
    ]],
  ])
  t.same(issues(audit('logFile: audit.log'), [{ name: 'root', mountPath: '/' }]), [
    'spec.configYAML line 5, audit.logFile: audit.log: its directory must exist in the container; use a path under a volumeMount or /tmp',
  ], 'a relative logFile, even with a volume at /: the server resolves it against its working directory')
})

t.test('auth: a mode, anonymous or oauth; in oauth mode providers with a name, an issuer and an audience', async (t) => {
  const auth = (yaml: string) => `${K8S}${DB}auth: ${yaml}\n`
  const providers = (list: string) => auth(`{mode: oauth, oauth: {providers: [${list}]}}`)
  const p = (fields: string) => providers(`{name: idp, audience: registry, ${fields}}`)
  table(t, [
    ['no auth', `${K8S}${DB}`, ['spec.configYAML line 1, auth: is required; use "auth: {mode: anonymous}" or configure oauth']],
    ['an unknown mode', auth('{mode: open}'), ['spec.configYAML line 4, auth.mode: "open" is not a mode; use anonymous or oauth']],
    ['oauth mode without oauth settings', auth('{mode: oauth}'), [
      'spec.configYAML line 4, auth.oauth: is required in oauth mode; add oauth.providers or set mode: anonymous',
    ]],
    ['a provider without a name, then another: only the first problem', providers('{issuerUrl: https://idp.example.com, audience: registry}, {name: b}'), [
      'spec.configYAML line 4, auth.oauth.providers[0].name: is required; name the provider',
    ]],
    ['no issuer, then another provider: only the first problem', providers('{name: a, audience: registry}, {name: b}'), [
      'spec.configYAML line 4, auth.oauth.providers[0].issuerUrl: is required; give the OIDC issuer URL',
    ]],
    ['an issuer that is not a URL', p('issuerUrl: "https://[::1"'), [
      "spec.configYAML line 4, auth.oauth.providers[0].issuerUrl: is not a URL (missing ']' in host)",
    ]],
    ['an issuer without a scheme', p('issuerUrl: idp.example.com'), [
      'spec.configYAML line 4, auth.oauth.providers[0].issuerUrl: must be an absolute URL with a host',
    ]],
    ['an issuer without a scheme, on localhost', p('issuerUrl: //localhost:9000'), [
      'spec.configYAML line 4, auth.oauth.providers[0].issuerUrl: must be an absolute URL with a host',
    ]],
    ['an http issuer', p('issuerUrl: http://idp.example.com'), [
      'spec.configYAML line 4, auth.oauth.providers[0].issuerUrl: must use https (http only for localhost)',
    ]],
    ['http on localhost', p('issuerUrl: http://localhost:9000'), []],
    ['http on 127.0.0.1', p('issuerUrl: http://127.0.0.1:9000'), []],
    ['http on ::1', p('issuerUrl: "http://[::1]:9000"'), []],
    ['no audience', providers('{name: idp, issuerUrl: https://idp.example.com}'), [
      'spec.configYAML line 4, auth.oauth.providers[0].audience: is required; give the audience tokens must carry',
    ]],
    ['a caCertPath under no mount', p('issuerUrl: https://idp.example.com, caCertPath: /etc/idp/ca.crt'), [
      'spec.configYAML line 4, auth.oauth.providers[0].caCertPath: /etc/idp/ca.crt is not under any volumeMount of the registry-api container; add a volume and a volumeMount whose mountPath contains this file',
    ]],
    ['an authTokenFile under no mount', p('issuerUrl: https://idp.example.com, authTokenFile: /var/run/idp/token'), [
      'spec.configYAML line 4, auth.oauth.providers[0].authTokenFile: /var/run/idp/token is not under any volumeMount of the registry-api container; add a volume and a volumeMount whose mountPath contains this file',
    ]],
    ['files in mounted directories', p('issuerUrl: https://idp.example.com, clientSecretFile: /data/secret, caCertPath: /data/ca.crt, authTokenFile: /data/token'), []],
  ])
})

t.test('telemetry: sampling above 0 and at most 1 when tracing is on', async (t) => {
  const telemetry = (tracing: string) => `${K8S}${DB}${ANON}telemetry: {enabled: true, endpoint: "127.0.0.1:4318", insecure: true, tracing: {${tracing}}}\n`
  table(t, [
    ['tracing on without a sampling: nothing to check', telemetry('enabled: true'), []],
    ['sampling 2', telemetry('enabled: true, sampling: 2'), [
      'spec.configYAML line 5, telemetry.tracing.sampling: 2 must be greater than 0 and at most 1 (use enabled: false to turn tracing off)',
    ]],
  ])
})
