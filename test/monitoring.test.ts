/**
 * manifests/monitoring agrees with the hook: every metric a rule or a dashboard query uses is one the real app
 * exports on /metrics (queries parsed by Prometheus's own PromQL grammar), with labels and label values the hook
 * writes; the ServiceMonitor finds the hook's Service; the latency alert sits below Metacontroller's timeout; the
 * kustomization lists exactly the files beside it.
 */
import { readdirSync, statSync } from 'node:fs'
import { parser } from '@prometheus-io/lezer-promql'
import t, { type Test } from 'tap'
import { parseAllDocuments } from 'yaml'
import { buildApp } from '../src/app.js'
import { DURATION_BUCKETS } from '../src/metrics.js'
import { MINIMAL_CONFIG, readText, request, settings } from './fixtures/helpers.js'

type Obj = Record<string, any>
const docs = (rel: string): Obj[] => parseAllDocuments(readText(rel)).map((d) => (d as { toJS(): Obj }).toJS())
const MONITORING = 'manifests/monitoring'
const kustomization = docs(`${MONITORING}/kustomization.yaml`)[0] as Obj
const rule = docs(`${MONITORING}/prometheusrule.yaml`)[0] as Obj
const monitor = docs(`${MONITORING}/servicemonitor.yaml`)[0] as Obj
const service = docs('manifests/service.yaml')[0] as Obj
const deployment = docs('manifests/deployment.yaml')[0] as Obj
const cc = docs('metacontroller/compositecontroller.yaml')[0] as Obj
const dashboardFile = (kustomization['configMapGenerator'] as Obj[])[0]?.['files'][0] as string
const dashboard = JSON.parse(readText(`${MONITORING}/${dashboardFile}`)) as Obj
const alerts = (rule['spec']['groups'] as Obj[]).flatMap((g) => g['rules'] as Obj[])

/** Labels Prometheus adds to every series it scrapes through the ServiceMonitor (target labels). */
const TARGET_LABELS = new Set(['job', 'namespace', 'pod', 'instance', 'service', 'endpoint', 'container'])
/** Metrics Prometheus writes itself for each target; `up` is what tells that no replica answers. */
const SCRAPE_METRICS = new Set(['up'])

interface Selector {
  metric: string
  matchers: { label: string; op: string; value: string }[]
}

/** The vector selectors of a PromQL expression; fails the test on a syntax error. */
function selectors(t: Test, expr: string, where: string): Selector[] {
  // Grafana's variables are not PromQL: put values of the right kind in their place
  const src = expr.replaceAll('$__rate_interval', '5m').replaceAll('$namespace', 'mcpregistry-hook')
  const found: Selector[] = []
  let errors = 0
  parser.parse(src).iterate({
    enter(node) {
      if (node.type.isError) errors++
      if (node.name !== 'VectorSelector') return
      const metric = node.node.getChild('Identifier')
      const matchers = node.node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []
      found.push({
        metric: metric === null ? '' : src.slice(metric.from, metric.to),
        matchers: matchers.map((m) => {
          const [label, op, value] = ['LabelName', 'MatchOp', 'StringLiteral'].map((n) => {
            const c = m.getChild(n) as { from: number; to: number }
            return src.slice(c.from, c.to)
          }) as [string, string, string]
          return { label, op, value: JSON.parse(value) as string }
        }),
      })
    },
  })
  t.equal(errors, 0, `${where}: PromQL without syntax errors`)
  return found
}

/** Every query of the dashboard (panels, rows' panels, template variables), with where it is. */
function dashboardQueries(): [string, string][] {
  const panels = (dashboard['panels'] as Obj[]).flatMap((p) => [p, ...((p['panels'] as Obj[] | undefined) ?? [])])
  const queries: [string, string][] = panels.flatMap((p) => ((p['targets'] as Obj[] | undefined) ?? []).map((q): [string, string] => [`panel "${p['title']}" ${q['refId']}`, q['expr']]))
  for (const v of dashboard['templating']['list'] as Obj[]) {
    const m = /^label_values\((.*), *(\w+)\)$/.exec(v['query']?.['query'] ?? '')
    if (m !== null) queries.push([`variable ${v['name']}`, m[1] as string])
  }
  return queries
}

/** What the real app exports after some hook calls: metric names (histograms with their series) and labels. */
async function exported(t: Test): Promise<{ names: Set<string>; labels: Map<string, Set<string>>; values: Map<string, Set<string>> }> {
  const app = buildApp({ settings: settings() })
  t.teardown(() => app.close())
  for (const url of ['/sync', '/finalize', '/customize']) await app.inject({ method: 'POST', url, payload: request({ configYAML: MINIMAL_CONFIG }) })
  await app.inject({ method: 'POST', url: '/sync', payload: request({ configYAML: 'sources: [' }) })
  const text = (await app.inject('/metrics')).body
  const names = new Set<string>()
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name as string)
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(`${name}${s}`)
  }
  const labels = new Map<string, Set<string>>()
  const values = new Map<string, Set<string>>()
  for (const [, name, body] of text.matchAll(/^(\w+)\{(.*)\} \S+$/gm)) {
    for (const [, label, value] of (body as string).matchAll(/(\w+)="([^"]*)"/g)) {
      labels.set(name as string, (labels.get(name as string) ?? new Set()).add(label as string))
      values.set(label as string, (values.get(label as string) ?? new Set()).add(value as string))
    }
  }
  return { names, labels, values }
}

t.test('every metric a rule or a dashboard query uses is one the hook exports, with its labels and values', async (t) => {
  const { names, labels, values } = await exported(t)
  t.ok(names.has('mcpregistry_hook_request_duration_seconds_bucket') && names.has('process_cpu_seconds_total'), 'the export was read')
  const queries: [string, string][] = [...alerts.map((r): [string, string] => [`alert ${r['alert']}`, r['expr']]), ...dashboardQueries()]
  t.ok(queries.length >= 15, `${queries.length} queries`)
  const used = new Set<string>()
  for (const [where, expr] of queries) {
    const found = selectors(t, expr, where)
    t.ok(found.length > 0, `${where}: reads a metric`)
    for (const { metric, matchers } of found) {
      used.add(metric)
      t.ok(names.has(metric) || SCRAPE_METRICS.has(metric), `${where}: ${metric} is exported by the hook`)
      t.ok(matchers.some((m) => m.label === 'job' && m.op === '=' && m.value === service['metadata']['name']), `${where}: ${metric} is the hook's (job="${service['metadata']['name']}", the Service's name)`)
      const base = metric.replace(/_(bucket|sum|count)$/, '')
      for (const m of matchers) {
        if (TARGET_LABELS.has(m.label) || SCRAPE_METRICS.has(metric)) continue
        const own = labels.get(metric) ?? labels.get(base) ?? new Set()
        t.ok(own.has(m.label), `${where}: ${metric} has the label ${m.label}`)
        const alternatives = m.op === '=~' ? m.value.split('|') : m.op === '=' ? [m.value] : []
        for (const v of alternatives) t.ok(values.get(m.label)?.has(v), `${where}: ${m.label}="${v}" is a value the hook writes`)
      }
    }
  }
  for (const m of ['mcpregistry_hook_requests_total', 'mcpregistry_hook_request_duration_seconds_bucket', 'mcpregistry_hook_syncs_total', 'mcpregistry_hook_validation_failures_total']) {
    t.ok(used.has(m), `${m} is on the dashboard or in a rule`)
  }
})

t.test('a query that is not PromQL, or reads a metric the hook does not export, would be caught', async (t) => {
  const { names } = await exported(t)
  const errors: string[] = []
  const probe = { equal: (a: unknown, b: unknown, msg: string) => (a === b ? undefined : errors.push(msg)) } as unknown as Test
  selectors(probe, 'sum(rate(mcpregistry_hook_requests_total{job="x"}[5m])', 'unbalanced')
  t.same(errors, ['unbalanced: PromQL without syntax errors'])
  const [typo] = selectors(t, 'rate(mcpregistry_hook_request_total{job="x"}[5m])', 'typo')
  t.notOk(names.has(typo?.metric as string), 'a misspelt name is not in the export')
})

t.test('the alerts: runbook annotations, severities, and latency below Metacontroller\'s hook timeout', async (t) => {
  t.same(alerts.map((r) => r['alert']), ['MCPRegistryHookDown', 'MCPRegistryHookErrors', 'MCPRegistryHookSlow', 'MCPRegistryFailed'])
  for (const r of alerts) {
    t.match(r['labels'], { severity: /^(critical|warning)$/ }, `${r['alert']}: severity`)
    t.ok(String(r['annotations']?.['summary'] ?? '').length > 20, `${r['alert']}: summary`)
    t.ok(String(r['annotations']?.['description'] ?? '').length > 200, `${r['alert']}: description says what it means and what to do`)
  }
  const timeouts = new Set(Object.values(cc['spec']['hooks'] as Obj).map((h) => h['webhook']['timeout'] as string))
  t.same([...timeouts], ['10s'], 'one hook timeout for sync, finalize and customize')
  const timeout = Number.parseFloat([...timeouts][0] as string)
  const slow = alerts.find((r) => r['alert'] === 'MCPRegistryHookSlow') as Obj
  const threshold = Number(/> ([\d.]+)\s*$/.exec(slow['expr'])?.[1])
  t.ok(threshold < timeout && threshold >= timeout / 2, `p99 threshold ${threshold} s is near the ${timeout} s timeout, below it`)
  t.ok(DURATION_BUCKETS.includes(threshold), 'the threshold is a bucket bound, where histogram_quantile is exact')
  t.ok(DURATION_BUCKETS.includes(timeout), 'the buckets reach the timeout')
  t.match(slow['annotations']['description'], new RegExp(`above ${threshold} s; Metacontroller gives up on a call after\\s+${timeout} s`))
  const latency = (dashboard['panels'] as Obj[]).find((p) => p['title'] === 'Hook latency') as Obj
  t.same(latency['fieldConfig']['defaults']['thresholds']['steps'].map((s: Obj) => s['value']), [null, threshold, timeout], 'the dashboard draws the same lines')
})

t.test('the ServiceMonitor finds the hook Service and scrapes a route that answers', async (t) => {
  const labels = service['metadata']['labels'] as Obj
  for (const [k, v] of Object.entries(monitor['spec']['selector']['matchLabels'] as Obj)) t.equal(labels[k], v, `the Service has ${k}=${v}`)
  const [endpoint] = monitor['spec']['endpoints'] as Obj[]
  t.ok((service['spec']['ports'] as Obj[]).some((p) => p['name'] === endpoint?.['port']), `the Service has a port named ${endpoint?.['port']}`)
  const app = buildApp({ settings: settings() })
  t.teardown(() => app.close())
  t.equal((await app.inject(endpoint?.['path'])).statusCode, 200)
  const port = (deployment['spec']['template']['spec']['containers'][0]['ports'] as Obj[]).find((p) => p['name'] === service['spec']['ports'][0]['targetPort'])
  const policy = docs(`${MONITORING}/networkpolicy.yaml`)[0] as Obj
  t.same(policy['spec']['podSelector'], { matchLabels: deployment['spec']['template']['metadata']['labels'] }, 'the NetworkPolicy selects the hook pods')
  t.equal(policy['spec']['ingress'][0]['ports'][0]['port'], port?.['containerPort'], 'and admits their http port')
})

t.test('the kustomization lists exactly the files beside it, and the dashboard is a labelled ConfigMap', async (t) => {
  const dir = new URL(`../${MONITORING}/`, import.meta.url)
  const walk = (rel: string): string[] =>
    readdirSync(new URL(rel, dir)).flatMap((f) => (statSync(new URL(`${rel}${f}`, dir)).isDirectory() ? walk(`${rel}${f}/`) : [`${rel}${f}`]))
  const onDisk = walk('').filter((f) => f !== 'kustomization.yaml').sort()
  const generator = kustomization['configMapGenerator'] as Obj[]
  const listed = [...(kustomization['resources'] as string[]), ...generator.flatMap((g) => g['files'] as string[])].sort()
  t.same(listed, onDisk, 'every listed file exists, and every file is listed')
  t.equal(kustomization['namespace'], 'mcpregistry-hook', 'beside the hook')
  t.same(generator[0]?.['options'], { labels: { grafana_dashboard: '1' } }, "Grafana's dashboard sidecar label")
  t.same(kustomization['generatorOptions'], { disableNameSuffixHash: true }, 'one ConfigMap updated in place')
  t.equal(dashboard['uid'], 'mcpregistry-hook')
  const ids = (dashboard['panels'] as Obj[]).map((p) => p['id'])
  t.equal(new Set(ids).size, ids.length, 'panel ids are unique')
})
