/**
 * Registry documents (U§6): the `date-time` and `uri` fields are accepted exactly when the registry server's
 * validator (gojsonschema, which asks Go's time.Parse and url.Parse) accepts them, and a refused field is named
 * with the whole message the user reads in the RegistryDataValid condition.
 */
import t from 'tap'
import { checkRegistryDocument } from '../src/validation/registry-document.js'

const server = { name: 'io.github.example/fs', description: 'Filesystem', version: '1.0.0', packages: [{ registryType: 'oci', identifier: 'x', transport: { type: 'stdio' } }] }
const updatedAt = (lastUpdated: string) => JSON.stringify({ version: '1.0.0', meta: { last_updated: lastUpdated }, data: { servers: [server] } })
const withServer = (fields: Record<string, unknown>) => JSON.stringify({ version: '1.0.0', meta: { last_updated: '2026-11-01T12:00:00Z' }, data: { servers: [{ ...server, ...fields }] } })

// Each verdict was printed by Go 1.26: time.Parse with gojsonschema's layouts "15:04:05", "15:04:05Z07:00",
// "2006-01-02", time.RFC3339 and time.RFC3339Nano; accepted when any of them parses the text.
const LAST_UPDATED: [text: string, goAccepts: boolean][] = [
  ['2000-02-29', true], // divisible by 400: a leap year
  ['2024-02-29', true],
  ['1900-02-29', false], // divisible by 100 only: not a leap year
  ['2100-02-29', false],
  ['2026-01-01', true],
  ['2026-01-31', true],
  ['2026-04-31', false],
  ['2026-12-01', true],
  ['2026-00-10', false],
  ['2026-13-01', false],
  ['2026-11-00', false],
  ['x2026-11-01', false],
  ['12026-11-01', false],
  ['12:59:59', true],
  ['12:60:00', false],
  ['12:00:60', false],
  ['24:00:00', false],
  ['1:00:00', true], // Go reads an hour of one digit
  ['2026-11-01T1:00:00Z', true],
  ['12:00:00.5', true], // and fractional seconds after the seconds of any layout, after a dot or a comma
  ['12:00:00,5', true],
  ['12:00:00.5Z', true],
  ['12:00:00.5+02:00', true],
  ['2026-11-01T12:00:00,5Z', true],
  ['2026-11-01T12:00:00.Z', false],
  ['12:00:00+24:00', true], // zone offsets up to 24 hours and 60 minutes
  ['12:00:00+00:60', true],
  ['12:00:00+24:60', true],
  ['12:00:00+25:00', false],
  ['12:00:00+00:61', false],
  ['2026-11-01T12:00:00+24:00', true],
  ['2026-11-01T12:00:00+00:60', true],
  ['2026-11-01T12:00:00+25:00', false],
  ['12:00:00Z00000', false],
  ['12:00:00+02:00x', false],
  ['T12:00:00Z', false],
]

t.test('meta.last_updated is accepted exactly when the server accepts it', async (t) => {
  for (const [text, goAccepts] of LAST_UPDATED) {
    t.same(checkRegistryDocument(updatedAt(text)), goAccepts ? { servers: 1 } : { problem: 'meta.last_updated: must match format "date-time"' }, text)
  }
})

// Each verdict was printed by Go 1.26: url.Parse succeeds with a scheme (and the text has no backslash).
const WEBSITE_URL: [text: string, goAccepts: boolean][] = [
  ['https://example.com/{tool}', true],
  ['https://example.com/docs page', true],
  ['https://example.com/ä', true],
  ['https://exa mple.com', false],
  ['example.com/docs', false],
]

t.test('a server websiteUrl is accepted exactly when the server accepts it', async (t) => {
  for (const [text, goAccepts] of WEBSITE_URL) {
    t.same(checkRegistryDocument(withServer({ websiteUrl: text })), goAccepts ? { servers: 1 } : { problem: 'data.servers[0].websiteUrl: must match format "uri"' }, text)
  }
})

t.test('a value outside a list of allowed values: the message lists them all', async (t) => {
  t.same(checkRegistryDocument(withServer({ icons: [{ src: 'https://example.com/icon.png', theme: 'dim' }] })), {
    problem: 'data.servers[0].icons[0].theme: must be one of "light", "dark"',
  })
})
