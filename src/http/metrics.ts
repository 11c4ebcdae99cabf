/**
 * Prometheus metrics of the hook, kept by prom-client: the hook's own counters and histogram in a registry that
 * each app owns (several apps in one process, as in the tests, never collide), beside prom-client's default
 * process and Node.js runtime metrics (CPU, memory, heap, event-loop lag, GC, handles).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client'
import { CACHE_NAMES, type ContentCaches } from '../basics/content-cache.js'
import { PHASES } from '../schema/mcpregistry.js'

/**
 * Upper bounds of mcpregistry_hook_request_duration_seconds. A sync takes about a millisecond; the buckets reach
 * Metacontroller's hook timeout (10 s, metacontroller/compositecontroller.yaml) so that a p99 near it can be
 * seen (manifests/monitoring alerts at 7.5 s, a bucket bound, where histogram_quantile is exact).
 */
export const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 7.5, 10]

/**
 * The default metrics describe the process, not an app: they are collected once per process (prom-client's
 * collectors start a GC observer and an event-loop delay monitor that are never stopped) and every app's
 * registry shows the same ones.
 */
let processMetrics: Registry | undefined
function processRegistry(): Registry {
  if (processMetrics === undefined) {
    processMetrics = new Registry()
    collectDefaultMetrics({ register: processMetrics })
  }
  return processMetrics
}

export class Metrics {
  /** The registry /metrics is served from: the process metrics and this app's own. */
  readonly registry = new Registry()

  private readonly requests = new Counter({
    name: 'mcpregistry_hook_requests_total',
    help: 'HTTP requests answered, by route and status code.',
    labelNames: ['route', 'code'] as const,
    registers: [this.registry],
  })

  private readonly durations = new Histogram({
    name: 'mcpregistry_hook_request_duration_seconds',
    help: 'Time to answer a request, by route.',
    labelNames: ['route'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  })

  private readonly failures = new Counter({
    name: 'mcpregistry_hook_validation_failures_total',
    help: 'Sync answers that refused the MCPRegistry spec (phase Failed), one per answer, by the reason of its first error.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  })

  private readonly syncs = new Counter({
    name: 'mcpregistry_hook_syncs_total',
    help: 'Sync and finalize answers, by the phase of the status they carry (Pending, Ready, Failed, Terminating).',
    labelNames: ['phase'] as const,
    registers: [this.registry],
  })

  constructor() {
    // getMetricsAsArray() is typed as plain objects, but gives the metric instances themselves
    for (const metric of processRegistry().getMetricsAsArray() as unknown as Metric[]) this.registry.registerMetric(metric)
    // every phase has a series from the start, so that increase() sees the first Failed answer of a process
    for (const phase of PHASES) this.syncs.inc({ phase }, 0)
  }

  /** The Content-Type of render()'s text (Prometheus text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType
  }

  /** One answered HTTP request. */
  observeRequest(route: string, code: number, seconds: number): void {
    this.requests.inc({ route, code: String(code) })
    this.durations.observe({ route }, seconds)
  }

  /** One sync that refused the spec, by the reason of its first error. */
  observeFailure(reason: string): void {
    this.failures.inc({ reason })
  }

  /** One sync or finalize answer, by its status phase. */
  observeSync(phase: string): void {
    this.syncs.inc({ phase })
  }

  /**
   * The content caches' lookups by result (hit or miss) and entries, read from the caches at each scrape:
   * hit rate = hit / (hit + miss).
   */
  watchCaches(caches: ContentCaches): void {
    new Counter({
      name: 'mcpregistry_hook_cache_lookups_total',
      help: 'Lookups in the content caches (configYAML checks, registry data checks, rendered specs), by cache and result (hit or miss).',
      labelNames: ['cache', 'result'] as const,
      registers: [this.registry],
      collect() {
        this.reset()
        for (const cache of CACHE_NAMES) {
          this.inc({ cache, result: 'hit' }, caches.counts[cache].hits)
          this.inc({ cache, result: 'miss' }, caches.counts[cache].misses)
        }
      },
    })
    new Gauge({
      name: 'mcpregistry_hook_cache_entries',
      help: 'Entries held in each content cache (at most CACHE_ENTRIES).',
      labelNames: ['cache'] as const,
      registers: [this.registry],
      collect() {
        for (const cache of CACHE_NAMES) this.set({ cache }, caches.size(cache))
      },
    })
  }

  /** Every metric of the registry in the Prometheus text format. */
  render(): Promise<string> {
    return this.registry.metrics()
  }
}
