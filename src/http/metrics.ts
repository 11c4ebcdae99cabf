/** Prometheus metrics of the hook, rendered in the text exposition format (no client library needed). */

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

interface Histogram {
  counts: number[]
  sum: number
  count: number
}

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

export class Metrics {
  private readonly requests = new Map<string, number>()
  private readonly durations = new Map<string, Histogram>()
  private readonly failures = new Map<string, number>()

  /** One answered HTTP request. */
  observeRequest(route: string, code: number, seconds: number): void {
    const key = `${route}\u0000${code}`
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1)
    let h = this.durations.get(route)
    if (h === undefined) {
      h = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 }
      this.durations.set(route, h)
    }
    BUCKETS.forEach((b, i) => {
      if (seconds <= b) h.counts[i] = (h.counts[i] as number) + 1
    })
    h.sum += seconds
    h.count++
  }

  /** One sync that refused the spec, by the reason of its first error. */
  observeFailure(reason: string): void {
    this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1)
  }

  render(): string {
    const lines: string[] = []
    lines.push('# HELP mcpregistry_hook_requests_total HTTP requests answered, by route and status code.')
    lines.push('# TYPE mcpregistry_hook_requests_total counter')
    for (const [key, n] of [...this.requests].sort()) {
      const [route, code] = key.split('\u0000') as [string, string]
      lines.push(`mcpregistry_hook_requests_total{route="${label(route)}",code="${code}"} ${n}`)
    }
    lines.push('# HELP mcpregistry_hook_request_duration_seconds Time to answer a request, by route.')
    lines.push('# TYPE mcpregistry_hook_request_duration_seconds histogram')
    for (const [route, h] of [...this.durations].sort((a, b) => a[0].localeCompare(b[0]))) {
      const r = label(route)
      BUCKETS.forEach((b, i) => lines.push(`mcpregistry_hook_request_duration_seconds_bucket{route="${r}",le="${b}"} ${h.counts[i]}`))
      lines.push(`mcpregistry_hook_request_duration_seconds_bucket{route="${r}",le="+Inf"} ${h.count}`)
      lines.push(`mcpregistry_hook_request_duration_seconds_sum{route="${r}"} ${h.sum}`)
      lines.push(`mcpregistry_hook_request_duration_seconds_count{route="${r}"} ${h.count}`)
    }
    lines.push('# HELP mcpregistry_hook_validation_failures_total Sync answers that refused the MCPRegistry spec (phase Failed), one per answer, by the reason of its first error.')
    lines.push('# TYPE mcpregistry_hook_validation_failures_total counter')
    for (const [reason, n] of [...this.failures].sort()) {
      lines.push(`mcpregistry_hook_validation_failures_total{reason="${label(reason)}"} ${n}`)
    }
    return `${lines.join('\n')}\n`
  }
}
