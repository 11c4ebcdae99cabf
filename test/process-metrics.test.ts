/**
 * prom-client's process metrics are the process's, collected once: an app built later in the same process
 * (as in tests) shows the same series, counting what the process did before that app existed.
 */
import t from 'tap'
import { buildApp } from '../src/http/app.js'
import { settings } from './fixtures/helpers.js'

/** The value of an unlabelled sample in Prometheus text. */
function sample(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `))
  return Number(line?.slice(name.length + 1))
}

t.test('process_cpu_seconds_total of an app built later counts the CPU the process spent before it', async (t) => {
  const first = buildApp({ settings: settings() })
  t.teardown(() => first.close())
  // CPU time, not wall time: the loop ends once this process has used 300 ms of CPU, however long that takes
  const before = process.cpuUsage()
  let spent = 0
  while (spent < 300_000) {
    const used = process.cpuUsage(before)
    spent = used.user + used.system
  }
  const later = buildApp({ settings: settings() })
  t.teardown(() => later.close())
  const cpu = sample((await later.inject('/metrics')).body, 'process_cpu_seconds_total')
  t.ok(cpu >= spent / 1e6, `${cpu} s counted, at least the ${spent / 1e6} s spent between the two apps`)
})
