/** configYAML checks (SPEC §4, U§2.6): each failure names the line, the path and the fix. */
import t from 'tap'
import { checkConfigYAML } from '../src/config-yaml.js'

const DB = 'database: {host: postgres, port: 5432, user: db_app, database: registry}\n'
const ANON = 'auth: {mode: anonymous}\n'
const K8S = 'sources:\n  - name: k8s\n    kubernetes: {}\nregistries:\n  - name: default\n    sources: [k8s]\n'
const mounts = [{ name: 'data', mountPath: '/data' }, { name: 'secret', mountPath: '/secrets/git/' }, { name: 'one', mountPath: '/etc/ca.crt', subPath: 'ca.crt' }]
const issues = (text: string) => checkConfigYAML(text, mounts).issues.map((i) => `${i.field}: ${i.message}`)

t.test('valid configs give a summary and no issues', async (t) => {
  t.same(checkConfigYAML(K8S + DB + ANON, []), { issues: [], config: { sources: 1, registries: 1, fileSources: [] } })
  const full = `sources:
  - name: files
    file: {path: /data/registry.json}
    syncPolicy: {interval: 1h30m}
  - name: remote-file
    file: {url: https://example.com/r.json}
    syncPolicy: {interval: 10m}
  - name: repo
    git: {repository: https://git.example.com/r, auth: {username: git, passwordFile: /secrets/git/token}}
    syncPolicy: {interval: 1h}
  - name: api
    api: {endpoint: http://api.example.com}
    syncPolicy: {interval: 5m}
  - name: managed
    managed: {}
  - name: k8s
    kubernetes:
registries:
  - name: default
    sources: [files, repo]
  - name: all
    sources: [files, remote-file, repo, api, managed, k8s]
${DB}auth:
  oauth:
    providers:
      - name: idp
        issuerUrl: https://idp.example.com
        audience: registry
        caCertPath: /etc/ca.crt
`
  t.same(checkConfigYAML(full, mounts), {
    issues: [],
    config: { sources: 6, registries: 2, fileSources: [{ name: 'files', path: '/data/registry.json' }] },
  })
})

const rows: [string, string, RegExp][] = [
  ['invalid YAML', 'sources: [\n', /^spec\.configYAML line \d: is not valid YAML \(.+\); fix the syntax$/],
  ['duplicate keys', `${K8S}${DB}${DB}${ANON}`, /^spec\.configYAML line 8: is not valid YAML \(Map keys must be unique/],
  ['not a mapping', '- a\n- b\n', /^spec\.configYAML: must be a YAML mapping with sources, registries, database and auth/],
  ['no sources', `sources: []\nregistries: [{name: d, sources: [x]}]\n${DB}${ANON}`, /^spec\.configYAML line 1, sources: needs at least one source/],
  ['a source that is not a mapping', `sources: [x]\nregistries: [{name: d, sources: [x]}]\n${DB}${ANON}`, /line 1, sources\[0\]: must be a mapping with a name and one source type/],
  ['a bad source name', K8S.replace('name: k8s', 'name: K8S_1') + DB + ANON, /^spec\.configYAML line 2, sources\[0\]\.name: must be a DNS label/],
  ['a source name of 64 characters', K8S.replace('name: k8s', `name: ${'s'.repeat(64)}`).replace('[k8s]', `[${'s'.repeat(64)}]`) + DB + ANON, /^spec\.configYAML line 2, sources\[0\]\.name: must be a DNS label \(lower-case letters, digits and "-", at most 63 characters\); rename the source$/],
  ['duplicate source names', `sources:\n  - {name: a, kubernetes: {}}\n  - {name: a, managed: {}}\nregistries: [{name: d, sources: [a]}]\n${DB}${ANON}`, /line 3, sources\[1\]\.name: source name "a" is used twice/],
  ['no source type', `sources:\n  - name: a\nregistries: [{name: d, sources: [a]}]\n${DB}${ANON}`, /line 2, sources\[0\]: has no source type; give exactly one of file, git, api, kubernetes, managed$/],
  ['two source types', `sources:\n  - {name: a, kubernetes: {}, managed: {}}\nregistries: [{name: d, sources: [a]}]\n${DB}${ANON}`, /sources\[0\]: has 2 source types \(kubernetes, managed\)/],
  ['a source type that is not a mapping', `sources:\n  - {name: a, kubernetes: yes}\nregistries: [{name: d, sources: [a]}]\n${DB}${ANON}`, /sources\[0\]\.kubernetes: must be a mapping; use \{\} for no settings/],
  ['two managed sources', `sources:\n  - {name: a, managed: {}}\n  - {name: b, managed: {}}\nregistries: [{name: d, sources: [a]}]\n${DB}${ANON}`, /line 2, sources: has 2 managed sources; at most one is allowed/],
  ['file with path and url', `sources:\n  - {name: a, file: {path: /data/x, url: http://x}, syncPolicy: {interval: 1h}}\nregistries: [{name: d, sources: [a]}]\n${DB}${ANON}`, /sources\[0\]\.file: needs exactly one of path or url/],
  ['file url not http', `sources:\n  - {name: a, file: {url: ftp://x}, syncPolicy: {interval: 1h}}\nregistries: [{name: d, sources: [a]}]\n${DB}${ANON}`, /sources\[0\]\.file\.url: must be an http or https URL/],
  ['missing syncPolicy', `sources:\n  - name: a\n    file: {path: /data/x.json}\nregistries: [{name: d, sources: [a]}]\n${DB}${ANON}`, /^spec\.configYAML line 2, sources\[0\]\.syncPolicy: is required for a file source; add "syncPolicy: \{interval: 1h\}"$/],
  ['bad interval', `sources:\n  - name: a\n    api: {endpoint: https://x}\n    syncPolicy: {interval: 1 hour}\nregistries: [{name: d, sources: [a]}]\n${DB}${ANON}`, /line 4, sources\[0\]\.syncPolicy\.interval: "1 hour" is not a duration; use a Go duration such as 30m or 1h/],
  ['git without repository', `sources:\n  - {name: a, git: {branch: main}, syncPolicy: {interval: 1h}}\nregistries: [{name: d, sources: [a]}]\n${DB}${ANON}`, /sources\[0\]\.git\.repository: is required/],
  ['git auth without username and passwordFile', `sources:\n  - {name: a, git: {repository: https://x, auth: {}}, syncPolicy: {interval: 1h}}\nregistries: [{name: d, sources: [a]}]\n${DB}${ANON}`, /sources\[0\]\.git\.auth\.passwordFile: is required with git auth/],
  ['git auth not a mapping', `sources:\n  - {name: a, git: {repository: https://x, auth: token}, syncPolicy: {interval: 1h}}\nregistries: [{name: d, sources: [a]}]\n${DB}${ANON}`, /sources\[0\]\.git\.auth\.username: is required with git auth/],
  ['api without endpoint', `sources:\n  - {name: a, api: {}, syncPolicy: {interval: 1h}}\nregistries: [{name: d, sources: [a]}]\n${DB}${ANON}`, /sources\[0\]\.api\.endpoint: is required and must be an http or https URL/],
  ['no registries', `${K8S.split('registries')[0]}${DB}${ANON}`, /^spec\.configYAML line 1, registries: needs at least one registry/],
  ['a registry that is not a mapping', `${K8S.split('registries')[0]}registries: [x]\n${DB}${ANON}`, /registries\[0\]: must be a mapping with a name and sources/],
  ['a registry without a name', `${K8S.split('registries')[0]}registries: [{sources: [k8s]}]\n${DB}${ANON}`, /registries\[0\]\.name: is required/],
  ['duplicate registry names', `${K8S.split('registries')[0]}registries: [{name: d, sources: [k8s]}, {name: d, sources: [k8s]}]\n${DB}${ANON}`, /registries\[1\]\.name: registry name "d" is used twice/],
  ['a registry without sources', `${K8S.split('registries')[0]}registries: [{name: d}]\n${DB}${ANON}`, /registries\[0\]\.sources: needs at least one source name/],
  ['an unknown source', `${K8S.split('registries')[0]}registries: [{name: d, sources: [k8s, nope]}]\n${DB}${ANON}`, /registries\[0\]\.sources\[1\]: "nope" is not a source defined under sources; use one of: k8s/],
  ['no database', K8S + ANON, /^spec\.configYAML line 1, database: is required; give host, port, user and database/],
  ['database without host', `${K8S}database: {port: 5432, user: u, database: d}\n${ANON}`, /database\.host: is required; give the PostgreSQL host/],
  ['database port out of range', `${K8S}database: {host: h, port: 70000, user: u, database: d}\n${ANON}`, /database\.port: is required and must be a port number from 1 to 65535/],
  ['no auth', K8S + DB, /^spec\.configYAML line 1, auth: is required; use "auth: \{mode: anonymous\}"/],
  ['an unknown auth mode', `${K8S}${DB}auth: {mode: open}\n`, /auth\.mode: "open" is not a mode; use anonymous or oauth/],
  ['oauth (the default mode) without providers', `${K8S}${DB}auth: {}\n`, /auth\.oauth\.providers: needs at least one provider in oauth mode \(the server defaults to oauth when mode is not set\)/],
  ['oauth without providers', `${K8S}${DB}auth: {mode: oauth, oauth: {}}\n`, /auth\.oauth\.providers: needs at least one provider in oauth mode; add one/],
  ['a provider that is not a mapping', `${K8S}${DB}auth: {mode: oauth, oauth: {providers: [x]}}\n`, /providers\[0\]: must be a mapping with name, issuerUrl and audience/],
  ['a provider missing fields', `${K8S}${DB}auth: {mode: oauth, oauth: {providers: [{issuerUrl: nope}]}}\n`, /providers\[0\]\.issuerUrl: is required and must be an http or https URL/],
  ['a file path outside every mount', `sources:\n  - {name: a, file: {path: /config/registry/a.json}, syncPolicy: {interval: 1h}}\nregistries: [{name: d, sources: [a]}]\n${DB}${ANON}`, /sources\[0\]\.file\.path: \/config\/registry\/a\.json is not under any volumeMount of the registry-api container \(\/config holds only config\.yaml\); add a volume and a volumeMount whose mountPath contains this file$/],
  ['a relative file path', `sources:\n  - {name: a, file: {path: data/a.json}, syncPolicy: {interval: 1h}}\nregistries: [{name: d, sources: [a]}]\n${DB}${ANON}`, /sources\[0\]\.file\.path: must be an absolute file path/],
  ['a secret file outside every mount', `${K8S}${DB}auth:\n  mode: oauth\n  oauth:\n    providers:\n      - {name: a, issuerUrl: https://i, audience: x, clientSecretFile: /secrets/oauth/secret}\n`, /line 12, auth\.oauth\.providers\[0\]\.clientSecretFile: \/secrets\/oauth\/secret is not under any volumeMount/],
]
for (const [name, text, pattern] of rows) {
  t.test(name, async (t) => {
    const result = checkConfigYAML(text, mounts)
    t.equal(result.config, undefined, 'no config summary when invalid')
    t.ok(issues(text).some((m) => pattern.test(m)), `${pattern} in ${JSON.stringify(issues(text))}`)
  })
}
