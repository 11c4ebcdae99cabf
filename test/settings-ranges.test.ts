/**
 * The ranges of README "Configuration" are inclusive: both ends are accepted, one past either end is refused
 * with the message naming the variable and the range.
 */
import t from 'tap'
import { loadSettings, type Settings } from '../src/settings.js'

// [variable, smallest, largest, the setting it fills, other variables the ends need]
const RANGES: [string, number, number, (s: Settings) => number, Record<string, string>][] = [
  ['PORT', 1, 65535, (s) => s.port, {}],
  ['BODY_LIMIT', 1024, 1073741824, (s) => s.bodyLimit, {}],
  ['REQUEST_TIMEOUT_SECONDS', 1, 600, (s) => s.requestTimeoutSeconds, {}],
  ['SHUTDOWN_DELAY_SECONDS', 0, 300, (s) => s.shutdown.delaySeconds, { SHUTDOWN_TIMEOUT_SECONDS: '600' }],
  ['SHUTDOWN_TIMEOUT_SECONDS', 1, 600, (s) => s.shutdown.timeoutSeconds, { SHUTDOWN_DELAY_SECONDS: '0' }],
  ['MAX_SPEC_DEPTH', 16, 1000, (s) => s.maxSpecDepth, {}],
  ['CACHE_ENTRIES', 0, 1000000, (s) => s.cacheEntries, {}],
]

t.test('both ends of every range are accepted', async (t) => {
  for (const [name, min, max, read, others] of RANGES) {
    for (const value of [min, max]) {
      t.equal(read(loadSettings({ ...others, [name]: String(value) })), value, `${name}=${value}`)
    }
  }
})

t.test('one past either end is refused, naming the range', async (t) => {
  for (const [name, min, max, , others] of RANGES) {
    for (const value of [min - 1, max + 1]) {
      const message = `${name}="${value}" is not valid: use a whole number from ${min} to ${max}`
      t.throws(() => loadSettings({ ...others, [name]: String(value) }), { name: 'SettingsError', message }, `${name}=${value}`)
    }
  }
})
