/** Kubernetes name rules, at their exact length limits (63 for labels, 253 for subdomains). */
import t from 'tap'
import { isDns1035Label, isDnsLabel, isDnsSubdomain } from '../src/basics/dns.js'

t.test('DNS labels: lower-case letters, digits and -, at most 63 characters', async (t) => {
  t.ok(isDnsLabel('a'.repeat(63)))
  t.notOk(isDnsLabel('a'.repeat(64)))
  t.ok(isDnsLabel('0-a'))
  t.notOk(isDnsLabel('-a'))
  t.notOk(isDnsLabel('A'))
})

t.test('DNS-1035 labels also start with a letter', async (t) => {
  t.ok(isDns1035Label('a'.repeat(63)))
  t.notOk(isDns1035Label('a'.repeat(64)))
  t.notOk(isDns1035Label('0a'))
})

t.test('DNS subdomains: dot-separated labels, at most 253 characters', async (t) => {
  const label = 'a'.repeat(63)
  const exactly253 = [label, label, label, 'a'.repeat(61)].join('.')
  t.equal(exactly253.length, 253)
  t.ok(isDnsSubdomain(exactly253))
  t.notOk(isDnsSubdomain(`${exactly253}a`))
  t.ok(isDnsSubdomain('cluster.local'))
  t.notOk(isDnsSubdomain('cluster..local'))
})
